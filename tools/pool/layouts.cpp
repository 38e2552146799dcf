// Compile-time proof that layouts.hpp describes what the runtime's
// templates really lay out: every formula is compared with the C++ structs
// for keys and values of every size and alignment class a schema can give.
#include "pool/layouts.hpp"

#include <cstddef>

#include "pschema/format/type_ids.hpp"
#include "pschema/optional.hpp"

namespace pschema::pool::layouts {

namespace {

// Stand-ins for generated structs (the concept needs Layout, View, Mut
// and a type id) with the sizes and alignments a schema can produce.
template <std::size_t Size, std::size_t Align>
struct Probe {
  struct alignas(Align) Layout {
    unsigned char bytes[Size];
  };
  struct View {};
  struct Mut {};
  static constexpr std::uint32_t type_id = 1;
};

template <class T>
constexpr gen::Layout layout_of() {
  return {sizeof(typename traits<T>::layout), alignof(typename traits<T>::layout)};
}

template <class K, class V>
constexpr bool map_matches() {
  using nodes = detail::MapNodes<K, V>;
  constexpr MapGeometry g = map_geometry(layout_of<K>(), layout_of<V>());
  return g.leaf_capacity == nodes::leaf_capacity && g.leaf_keys == offsetof(typename nodes::Leaf, keys) &&
         g.leaf_values == offsetof(typename nodes::Leaf, values) && g.leaf_size == sizeof(typename nodes::Leaf) &&
         g.inner_capacity == nodes::inner_capacity && g.inner_keys == offsetof(typename nodes::Inner, keys) &&
         g.inner_children == offsetof(typename nodes::Inner, children) &&
         g.inner_size == sizeof(typename nodes::Inner) && offsetof(typename nodes::Leaf, header) == 0 &&
         sizeof(typename nodes::Header) == map_node_header;
}

template <class K>
constexpr bool map_matches_for_key() {
  return map_matches<K, std::uint8_t>() && map_matches<K, bool>() && map_matches<K, std::int16_t>() &&
         map_matches<K, std::uint32_t>() && map_matches<K, double>() && map_matches<K, std::uint64_t>() &&
         map_matches<K, string_t>() && map_matches<K, vec<std::uint64_t>>() && map_matches<K, Probe<3, 1>>() &&
         map_matches<K, Probe<12, 4>>() && map_matches<K, Probe<40, 8>>() && map_matches<K, Probe<600, 8>>() &&
         map_matches<K, optional<std::uint32_t>>();
}

static_assert(map_matches_for_key<std::uint8_t>());
static_assert(map_matches_for_key<bool>());
static_assert(map_matches_for_key<std::int16_t>());
static_assert(map_matches_for_key<std::uint32_t>());
static_assert(map_matches_for_key<std::int64_t>());
static_assert(map_matches_for_key<string_t>());
static_assert(map_matches_for_key<bytes_t>());

template <class T>
constexpr bool rc_matches() {
  using block = RcBlock<T>;
  constexpr gen::Layout value{sizeof(typename T::Layout), alignof(typename T::Layout)};
  return offsetof(block, strong) == offsetof(RcCounts, strong) && offsetof(block, weak) == offsetof(RcCounts, weak) &&
         offsetof(block, value) == rc_value_offset && sizeof(block) == rc_block_size(value);
}
static_assert(rc_matches<Probe<1, 1>>() && rc_matches<Probe<3, 1>>() && rc_matches<Probe<12, 4>>() &&
              rc_matches<Probe<40, 8>>());

template <class T>
constexpr bool optional_matches() {
  using rep = typename traits<optional<T>>::layout;
  constexpr gen::Layout value = layout_of<T>();
  // The analyzer's layout_of(T?) (model.cpp) computes the same size.
  return offsetof(rep, present) == optional_flag_offset(value) &&
         sizeof(rep) == round_up(value.size + 1, value.align) && alignof(rep) == value.align;
}
static_assert(optional_matches<std::uint8_t>() && optional_matches<std::int16_t>() &&
              optional_matches<std::uint32_t>() && optional_matches<double>() && optional_matches<string_t>() &&
              optional_matches<vec<std::uint8_t>>() && optional_matches<map<std::uint64_t, std::uint64_t>>() &&
              optional_matches<Probe<3, 1>>() && optional_matches<Probe<12, 4>>() && optional_matches<Probe<40, 8>>());

template <class T>
constexpr bool mutex_matches() {
  using rep = typename traits<mutex<T>>::layout;
  constexpr gen::Layout value{sizeof(typename T::Layout), alignof(typename T::Layout)};
  return offsetof(rep, value) == mutex_value_offset(value) &&
         sizeof(rep) == round_up(mutex_value_offset(value) + value.size, std::max<std::uint64_t>(8, value.align));
}
static_assert(mutex_matches<Probe<1, 1>>() && mutex_matches<Probe<3, 1>>() && mutex_matches<Probe<12, 4>>() &&
              mutex_matches<Probe<40, 8>>());

// The fixed-size fields: the sizes the analyzer gives them (model.cpp,
// layout_of) and the offsets the tools read.
static_assert(sizeof(StringRep) == 24 && alignof(StringRep) == 8 && StringRep::inline_capacity == 22);
static_assert(sizeof(VecRep) == 24 && offsetof(VecRep, offset) == 0 && offsetof(VecRep, size) == 8 &&
              offsetof(VecRep, capacity) == 16);
static_assert(sizeof(MapRep) == 16 && offsetof(MapRep, root) == 0 && offsetof(MapRep, size) == 8);
static_assert(sizeof(traits<box<Probe<8, 8>>>::layout) == 8 && sizeof(traits<rc<Probe<8, 8>>>::layout) == 8 &&
              sizeof(traits<weak<Probe<8, 8>>>::layout) == 8 &&
              sizeof(traits<optional<box<Probe<8, 8>>>>::layout) == 8 &&
              sizeof(traits<optional<rc<Probe<8, 8>>>>::layout) == 8);

}  // namespace

}  // namespace pschema::pool::layouts
