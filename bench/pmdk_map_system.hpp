// The PMDK side of the u64-map workloads: one of PMDK's example maps
// (pmdk_map.h) on a fresh pool in a file the instance owns. The KV store
// and B-tree systems differ only in the map they ask for and in what
// insert and remove mean for it (kvstore_systems.hpp, btree_systems.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pmdk_map.h"
#include "pschema/counters.hpp"
#include "storage.hpp"

namespace harness {

using MapVisit = std::function<void(std::uint64_t key, std::uint64_t value)>;

class PmdkMapSystem {
 public:
  static constexpr std::string_view name = "pmdk";
  PmdkMapSystem(const PmdkMapSystem&) = delete;
  PmdkMapSystem& operator=(const PmdkMapSystem&) = delete;
  ~PmdkMapSystem() { pmdk_map_close(map_); }

  std::optional<std::uint64_t> get(std::uint64_t key) const {
    std::uint64_t value = 0;
    if (pmdk_map_get(map_, key, &value) == 0) return std::nullopt;
    return value;
  }
  std::uint64_t count() const { return pmdk_map_count(map_); }
  void for_each(const MapVisit& visit) const;
  std::optional<pschema::Counters> counters() const { return std::nullopt; }

 protected:
  PmdkMapSystem(const std::string& file_name, pmdk_map_kind kind, std::uint32_t seed);
  // pmdk_map_insert's result (0 inserted, 1 key already there); throws on failure.
  int insert_entry(std::uint64_t key, std::uint64_t value);
  bool remove_entry(std::uint64_t key) {
    std::uint64_t value = 0;
    return pmdk_map_remove(map_, key, &value) != 0;
  }

 private:
  ScratchFile file_;
  pmdk_map* map_ = nullptr;
};

}  // namespace harness
