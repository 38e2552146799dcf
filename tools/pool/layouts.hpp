// How the runtime's containers lay out their bytes, for the tools that
// read pools without the generated code. Fixed-size representations are
// the runtime's own structs (StringRep, VecRep, MapRep); what depends on
// the element types (map nodes, rc blocks, optionals) is computed here
// from the analyzer's layouts, and layouts.cpp checks at compile time that
// the computation gives what the runtime's templates give, so the two
// cannot drift apart silently.
#pragma once

#include <algorithm>
#include <cstdint>

#include "model.hpp"
#include "pschema/format/layout.hpp"
// The typed layer's headers, in the order schema.hpp includes them (they
// are not all self-contained).
#include "pschema/schema.hpp"

namespace pschema::pool::layouts {

using format::round_up;
using pschema::MapRep;
using pschema::StringRep;
using pschema::VecRep;

// detail::MapNodes<K, V> for keys and values of the given layouts.
struct MapGeometry {
  std::uint64_t leaf_capacity;
  std::uint64_t leaf_keys;    // offset of keys[0] in a leaf
  std::uint64_t leaf_values;  // offset of values[0]
  std::uint64_t leaf_size;
  std::uint64_t inner_capacity;
  std::uint64_t inner_keys;
  std::uint64_t inner_children;
  std::uint64_t inner_size;
};
// Both node kinds start with {count u32, leaf u32}.
inline constexpr std::uint64_t map_node_header = 8;
inline constexpr std::uint64_t map_node_bytes = 512;

constexpr MapGeometry map_geometry(gen::Layout key, gen::Layout value) {
  MapGeometry g{};
  const std::uint64_t entry = key.size + value.size;
  g.leaf_capacity = std::clamp<std::uint64_t>(entry == 0 ? 64 : (map_node_bytes - 8) / entry, 4, 64);
  g.leaf_keys = round_up(map_node_header, key.align);
  g.leaf_values = round_up(g.leaf_keys + g.leaf_capacity * key.size, value.align);
  g.leaf_size =
      round_up(g.leaf_values + g.leaf_capacity * value.size, std::max<std::uint64_t>({4, key.align, value.align}));
  g.inner_capacity = std::clamp<std::uint64_t>((map_node_bytes - 16) / (key.size + 8), 4, 64);
  g.inner_keys = round_up(map_node_header, key.align);
  g.inner_children = round_up(g.inner_keys + g.inner_capacity * key.size, 8);
  g.inner_size = g.inner_children + (g.inner_capacity + 1) * 8;
  return g;
}

// RcBlock<T>: [strong u64][weak u64][T]; the counts are the runtime's RcCounts.
using pschema::RcCounts;
inline constexpr std::uint64_t rc_value_offset = sizeof(RcCounts);
constexpr std::uint64_t rc_block_size(gen::Layout value) {
  return round_up(rc_value_offset + value.size, std::max<std::uint64_t>(8, value.align));
}

// MutexRep<L>: an 8-byte lock word, then the value. The word means
// something only to the process that has the pool open (it carries the
// generation): the tools never interpret it.
constexpr std::uint64_t mutex_value_offset(gen::Layout value) { return round_up(8, value.align); }

// OptionalRep<L>: the value, then a one-byte presence flag.
constexpr std::uint64_t optional_flag_offset(gen::Layout value) { return value.size; }

}  // namespace pschema::pool::layouts
