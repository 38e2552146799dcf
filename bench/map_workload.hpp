// The key sequences of the u64-map workloads (KVStore and B-tree), made
// once and given to every system, so that all of them do exactly the same
// operations in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace harness {

// One operation of the RAND mix.
struct MapOp {
  enum class Kind : std::uint8_t { insert, lookup, remove };
  Kind kind;
  std::uint64_t key;
};

struct MapWorkload {
  std::string name;                  // "kvstore", "btree" (the CSV's workload column)
  std::vector<std::uint64_t> keys;   // distinct, nonzero, in insertion (and lookup, removal) order
  // Keys that are never inserted, for lookups that must miss.
  std::vector<std::uint64_t> absent;
  // The RAND mix (empty if the workload has none), run on the map that
  // holds exactly `keys`, and what it must leave behind and find.
  std::vector<MapOp> mix;
  std::vector<std::uint64_t> after_mix;  // ascending
  std::vector<std::uint64_t> remove_order;  // after_mix in a random order, for REM
  std::size_t mix_hits = 0;              // lookups that find their key plus removes that remove one

  std::size_t size() const noexcept { return keys.size(); }
};

// The value stored with `key`: a nonzero function of it (PMDK's example
// maps hold a PMEMoid value and treat offset 0 as "no value").
std::uint64_t map_value_for(std::uint64_t key);

// `n` distinct random nonzero keys drawn from `seed` (splitmix64), no mix.
MapWorkload random_map_keys(std::string name, std::size_t n, std::uint64_t seed);
// The same keys plus a RAND mix of `n` operations drawn from `seed`: 40%
// lookups, 30% inserts, 30% removes. Lookups and removes pick a key from
// everything the mix may touch (present or not); inserts pick a key that
// is absent at that point (PMDK's btree_map stores duplicates, so a
// duplicate insert would not be the same operation on both sides).
MapWorkload random_map_keys_with_mix(std::string name, std::size_t n, std::uint64_t seed);

}  // namespace harness
