// The systems under test for the B-tree workload (INS, CHK, RAND, REM),
// with the interface of map_phases.hpp. Each instance starts from an empty
// tree on a fresh pool of pool_size bytes, in a file it owns, removed when
// the instance goes away.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "bst_systems.hpp"  // pool_size
#include "btree.pschema.h"
#include "btree_volatile.hpp"
#include "kvstore_systems.hpp"  // MapVisit
#include "pmdk_map_system.hpp"
#include "pschema/counters.hpp"
#include "storage.hpp"
#include "u64map.pschema.h"

namespace harness {

// pschema: btree.pschema's generated pool class and its operations (btree_pschema.cpp).
class PschemaBtree {
 public:
  static constexpr std::string_view name = "pschema";
  PschemaBtree();
  bool insert(std::uint64_t key, std::uint64_t value) {
    pool_.insert(key, value);  // like the example: no duplicate check
    return true;
  }
  std::optional<std::uint64_t> get(std::uint64_t key) const { return pool_.get(key); }
  bool remove(std::uint64_t key) { return pool_.remove(key); }
  std::uint64_t count() const { return pool_.count(); }
  void for_each(const MapVisit& visit) const;
  std::optional<pschema::Counters> counters() const { return pool_.pool().counters(); }

 private:
  ScratchFile file_;
  btreebench::Btree pool_;
};

// PMDK: the btree_map example (pmdk_map.h).
class PmdkBtree : public PmdkMapSystem {
 public:
  PmdkBtree();
  bool insert(std::uint64_t key, std::uint64_t value) {
    insert_entry(key, value);  // like the example: no duplicate check
    return true;
  }
  bool remove(std::uint64_t key) { return remove_entry(key); }
};

// pschema's built-in map<u64, u64> (u64map.pschema, u64map_pschema.cpp).
class PschemaMapSystem {
 public:
  static constexpr std::string_view name = "pschema-map";
  PschemaMapSystem();
  bool insert(std::uint64_t key, std::uint64_t value) { return pool_.insert(key, value); }
  std::optional<std::uint64_t> get(std::uint64_t key) const { return pool_.get(key); }
  bool remove(std::uint64_t key) { return pool_.remove(key); }
  std::uint64_t count() const { return pool_.count(); }
  void for_each(const MapVisit& visit) const;
  std::optional<pschema::Counters> counters() const { return pool_.pool().counters(); }

 private:
  ScratchFile file_;
  mapbench::U64Map pool_;
};

// DRAM: btree_volatile.cpp.
class VolatileBtreeSystem {
 public:
  static constexpr std::string_view name = "volatile";
  bool insert(std::uint64_t key, std::uint64_t value) {
    tree_.insert(key, value);
    return true;
  }
  std::optional<std::uint64_t> get(std::uint64_t key) const { return tree_.get(key); }
  bool remove(std::uint64_t key) { return tree_.remove(key); }
  std::uint64_t count() const { return tree_.count(); }
  void for_each(const MapVisit& visit) const { tree_.for_each(visit); }
  std::optional<pschema::Counters> counters() const { return std::nullopt; }

 private:
  VolatileBtree tree_;
};

}  // namespace harness
