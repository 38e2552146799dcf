#include "kind_facts.hpp"

#include <array>
#include <cstddef>

namespace pschema::gen {

namespace {

// Each row names only what is true of its kind; every other member keeps
// its default (false, empty, none), which is what GCC's
// missing-field-initializers warning would flag.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

constexpr KindFacts number(Kind kind, std::string_view name, Layout layout, std::string_view cpp, bool integer,
                           bool is_signed) {
  return {.kind = kind,
          .name = name,
          .scalar = true,
          .integer = integer,
          .is_signed = is_signed,
          .map_key = integer,
          .plain = Plain::always,
          .layout = layout,
          .cpp = cpp,
          .setter = Setter::value};
}

// clang-format off: one row per kind, each naming only what is true of it
constexpr std::array<KindFacts, 24> table = {{
    // pschema::BoolRep: a byte read as "not zero" (any byte is valid).
    {.kind = Kind::boolean, .name = "bool", .scalar = true, .map_key = true, .plain = Plain::always,
     .layout = {1, 1}, .cpp = "bool", .cpp_layout = "pschema::BoolRep", .setter = Setter::value},
    number(Kind::u8, "u8", {1, 1}, "std::uint8_t", true, false),
    number(Kind::u16, "u16", {2, 2}, "std::uint16_t", true, false),
    number(Kind::u32, "u32", {4, 4}, "std::uint32_t", true, false),
    number(Kind::u64, "u64", {8, 8}, "std::uint64_t", true, false),
    number(Kind::i8, "i8", {1, 1}, "std::int8_t", true, true),
    number(Kind::i16, "i16", {2, 2}, "std::int16_t", true, true),
    number(Kind::i32, "i32", {4, 4}, "std::int32_t", true, true),
    number(Kind::i64, "i64", {8, 8}, "std::int64_t", true, true),
    number(Kind::f32, "f32", {4, 4}, "float", false, false),
    number(Kind::f64, "f64", {8, 8}, "double", false, false),
    // pschema::StringRep: short strings inline, longer ones in a buffer.
    {.kind = Kind::string, .name = "string", .map_key = true, .layout = {24, 8}, .cpp = "pschema::string_t",
     .cpp_layout = "pschema::StringRep", .cpp_view = "std::string_view", .cpp_mut = "pschema::StringMut",
     .cpp_param = "std::string_view", .cpp_result = "std::string", .setter = Setter::view},
    {.kind = Kind::bytes, .name = "bytes", .map_key = true, .layout = {24, 8}, .cpp = "pschema::bytes_t",
     .cpp_layout = "pschema::StringRep", .cpp_view = "std::span<const std::byte>", .cpp_mut = "pschema::BytesMut",
     .cpp_param = "std::span<const std::byte>", .cpp_result = "std::vector<std::byte>", .setter = Setter::view},
    {.kind = Kind::array, .name = "array", .args = TypeArgs::element_and_length, .plain = Plain::if_element_is,
     .layout_rule = LayoutRule::repeated, .in_place = true, .cpp = "pschema::array", .cpp_view = "pschema::ArrayView",
     .cpp_mut = "pschema::ArrayMut", .cpp_value = "std::array", .param_by_reference = true},
    // pschema::VecRep: offset, size and capacity of a buffer in the heap.
    {.kind = Kind::vec, .name = "vec", .args = TypeArgs::element, .usable = Usable::in_pools, .layout = {24, 8},
     .moves_elements = true, .cpp = "pschema::vec", .cpp_layout = "pschema::VecRep", .cpp_view = "pschema::VecView",
     .cpp_mut = "pschema::VecMut"},
    {.kind = Kind::box, .name = "box", .args = TypeArgs::element, .usable = Usable::in_pools, .points_to_struct = true,
     .layout = {8, 8}, .heap_offset = true, .never_empty = true, .cpp = "pschema::box", .cpp_layout = "std::uint64_t",
     .cpp_mut = "pschema::BoxMut", .cpp_optional_mut = "pschema::OptionalBoxMut"},
    {.kind = Kind::rc, .name = "rc", .args = TypeArgs::element, .usable = Usable::in_pools, .points_to_struct = true,
     .layout = {8, 8}, .heap_offset = true, .never_empty = true, .counted = true, .cpp = "pschema::rc",
     .cpp_layout = "std::uint64_t", .cpp_mut = "pschema::RcMut", .cpp_optional_mut = "pschema::OptionalRcMut"},
    {.kind = Kind::weak, .name = "weak", .args = TypeArgs::element, .usable = Usable::in_pools, .points_to_struct = true,
     .layout = {8, 8}, .heap_offset = true, .counted = true, .cpp = "pschema::weak", .cpp_layout = "std::uint64_t",
     .cpp_view = "pschema::WeakView", .cpp_mut = "pschema::WeakMut"},
    // A handle is an object's offset, checked against the pool it came from.
    {.kind = Kind::handle, .name = "handle", .args = TypeArgs::element, .usable = Usable::in_operations,
     .points_to_struct = true, .layout = {8, 8}, .cpp = "pschema::Handle", .cpp_param = "pschema::Handle",
     .cpp_result = "pschema::Handle"},
    // pschema::MapRep: the root node's offset and the size.
    {.kind = Kind::map, .name = "map", .args = TypeArgs::key_and_value, .usable = Usable::in_pools, .layout = {16, 8},
     .moves_elements = true, .cpp = "pschema::map", .cpp_layout = "pschema::MapRep", .cpp_view = "pschema::MapView",
     .cpp_mut = "pschema::MapMut"},
    {.kind = Kind::mutex, .name = "mutex", .args = TypeArgs::element, .usable = Usable::in_pools,
     .layout_rule = LayoutRule::lock_word_then_value, .in_place = true, .cpp = "pschema::mutex"},
    {.kind = Kind::enumeration, .scalar = true, .map_key = true, .plain = Plain::always,
     .layout_rule = LayoutRule::underlying, .setter = Setter::value},
    {.kind = Kind::structure, .plain = Plain::if_fields_are, .layout_rule = LayoutRule::structure,
     .param_by_reference = true, .setter = Setter::plain_value},
    {.kind = Kind::optional, .args = TypeArgs::element, .plain = Plain::if_element_is,
     .layout_rule = LayoutRule::value_then_flag, .in_place = true, .moves_elements = true, .cpp = "pschema::optional",
     .cpp_mut = "pschema::OptionalMut", .cpp_value = "std::optional"},
}};
// clang-format on

#pragma GCC diagnostic pop

constexpr bool rows_in_kind_order() {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(table[i].kind) != i) return false;
  }
  return true;
}
static_assert(rows_in_kind_order(), "facts() indexes the table by Kind");

// The built-in kinds are exactly the named rows, and they come first.
constexpr std::size_t builtin_count = static_cast<std::size_t>(Kind::enumeration);
constexpr bool builtins_first() {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i].name.empty() != (i >= builtin_count)) return false;
  }
  return true;
}
static_assert(builtins_first(), "builtin_kinds() is the table's first rows");

}  // namespace

const KindFacts& facts(Kind kind) { return table[static_cast<std::size_t>(kind)]; }

const KindFacts* builtin_named(std::string_view name) {
  for (const KindFacts& f : builtin_kinds()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::span<const KindFacts> builtin_kinds() { return std::span<const KindFacts>(table).first(builtin_count); }

}  // namespace pschema::gen
