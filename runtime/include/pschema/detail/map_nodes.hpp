// Internals of map<K, V> (pschema/map.hpp): how keys are passed, compared,
// stored and destroyed, and the layout of the tree's leaf and inner nodes,
// which the pool tool reads too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "pschema/string.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

namespace detail {

// How keys are passed in and compared.
template <class K>
struct map_key {
  using arg = K;  // integers, enums and bool by value
  using stored = typename traits<K>::layout;
  static arg of(const Mapping*, const stored* key) { return *key; }
  static bool less(arg a, arg b) { return a < b; }
  static void store(Transaction& tx, stored* slot, arg key) { tx.write(*slot, key); }
  static void destroy(Transaction&, stored*) {}
};

template <>
struct map_key<string_t> {
  using arg = std::string_view;
  static arg of(const Mapping* base, const StringRep* stored) { return traits<string_t>::make_view(base, stored); }
  static bool less(arg a, arg b) { return a < b; }
  static void store(Transaction& tx, StringRep* slot, arg key) { assign_string(tx, slot, key.data(), key.size()); }
  static void destroy(Transaction& tx, StringRep* slot) { destroy_string(tx, slot); }
};

template <>
struct map_key<bytes_t> {
  using arg = std::span<const std::byte>;
  static arg of(const Mapping* base, const StringRep* stored) { return traits<bytes_t>::make_view(base, stored); }
  static bool less(arg a, arg b) { return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end()); }
  static void store(Transaction& tx, StringRep* slot, arg key) { assign_string(tx, slot, key.data(), key.size()); }
  static void destroy(Transaction& tx, StringRep* slot) { destroy_string(tx, slot); }
};

template <class K, class V>
struct MapNodes {
  using KL = typename traits<K>::layout;
  using VL = typename traits<V>::layout;
  // About 512 bytes a node: eight cache lines, a few hundred ns to search.
  static constexpr std::size_t node_bytes = 512;
  static constexpr std::size_t leaf_capacity =
      std::clamp<std::size_t>((node_bytes - 8) / (sizeof(KL) + sizeof(VL)), 4, 64);
  static constexpr std::size_t inner_capacity = std::clamp<std::size_t>((node_bytes - 16) / (sizeof(KL) + 8), 4, 64);

  struct Header {
    std::uint32_t count;  // entries (leaf) or separators (inner: children = count + 1)
    std::uint32_t leaf;   // 1 for a leaf
  };
  struct Leaf {
    Header header;
    KL keys[leaf_capacity];
    VL values[leaf_capacity];
  };
  struct Inner {
    Header header;
    KL keys[inner_capacity];                  // keys[i] = smallest key of children[i + 1]
    std::uint64_t children[inner_capacity + 1];
  };

  // No tree is this deep: the height grows by one only when the root
  // splits, which takes at least twice as many entries each time. A deeper
  // path means that a damaged child offset made a cycle.
  static constexpr std::size_t max_depth = 64;

  // The node at `offset` (read from the pool at `from`, if not null): it
  // must lie in the heap whole and aligned, with a count that fits it.
  // Throws corrupt_pool otherwise.
  static const Header* checked(const Mapping* mapping, std::uint64_t offset, const void* from) {
    const Header* h = mapping->object<const Header>(offset, from);
    if (h->leaf != 0) {
      mapping->object<const Leaf>(offset, from);
      if (h->count > leaf_capacity) [[unlikely]] {
        mapping->corrupt(h, "map leaf with " + std::to_string(h->count) + " entries (at most " +
                                std::to_string(leaf_capacity) + ")");
      }
    } else {
      mapping->object<const Inner>(offset, from);
      if (h->count > inner_capacity) [[unlikely]] {
        mapping->corrupt(h, "map inner node with " + std::to_string(h->count) + " separators (at most " +
                                std::to_string(inner_capacity) + ")");
      }
    }
    return h;
  }
};

}  // namespace detail

}  // namespace pschema
