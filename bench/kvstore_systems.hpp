// The systems under test for the KVStore workload (PUT, GET), with the
// interface of map_phases.hpp (no remove: the workload has none). Each
// instance starts from an empty map on a fresh pool of pool_size bytes, in
// a file it owns, removed when the instance goes away. Both draw the hash
// coefficients with rand() right after srand(kv_seed), so both tables
// hash every key to the same bucket.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "bst_systems.hpp"  // pool_size
#include "kvstore.pschema.h"
#include "kvstore_volatile.hpp"
#include "pmdk_map_system.hpp"
#include "pschema/counters.hpp"
#include "storage.hpp"

namespace harness {

inline constexpr std::uint32_t kv_seed = 0x5eed;

// pschema: kvstore.pschema's generated pool class and its operations (kvstore_pschema.cpp).
class PschemaKv {
 public:
  static constexpr std::string_view name = "pschema";
  PschemaKv();
  bool insert(std::uint64_t key, std::uint64_t value) { return pool_.put(key, value); }
  std::optional<std::uint64_t> get(std::uint64_t key) const { return pool_.get(key); }
  std::uint64_t count() const { return pool_.count(); }
  void for_each(const MapVisit& visit) const;
  std::optional<pschema::Counters> counters() const { return pool_.pool().counters(); }

 private:
  ScratchFile file_;
  kvbench::KvStore pool_;
};

// PMDK: the hashmap_tx example (pmdk_map.h).
class PmdkKv : public PmdkMapSystem {
 public:
  PmdkKv();
  bool insert(std::uint64_t key, std::uint64_t value) { return insert_entry(key, value) == 0; }
};

// DRAM: kvstore_volatile.cpp.
class VolatileKvSystem {
 public:
  static constexpr std::string_view name = "volatile";
  VolatileKvSystem();
  bool insert(std::uint64_t key, std::uint64_t value) { return map_.put(key, value); }
  std::optional<std::uint64_t> get(std::uint64_t key) const { return map_.get(key); }
  std::uint64_t count() const { return map_.count(); }
  void for_each(const MapVisit& visit) const { map_.for_each(visit); }
  std::optional<pschema::Counters> counters() const { return std::nullopt; }

 private:
  VolatileKv map_;
};

// The hash coefficients as hashmap_tx draws them after srand(seed): a
// nonzero, then b.
struct HashCoefficients {
  std::uint32_t a;
  std::uint32_t b;
};
HashCoefficients draw_hash_coefficients(std::uint32_t seed);

}  // namespace harness
