// PMDK libpmemobj in pschema_disk_bench: PMDK's own B-tree example
// (tree_map/btree_map.c, compiled in place, driven through pmdk_map.c) in a
// pool file in the store's directory. The file is an ordinary one, which
// libpmem does not take for persistent memory (PMEM_IS_PMEM_FORCE=0), so
// libpmemobj msyncs at every persist. A put transaction is one libpmemobj
// transaction (pmdk_map_insert_tx; the example's inserts nest into it).
// The example map is not thread-safe: with several writers every
// transaction holds a PMEMmutex in the pool's root (TX_PARAM_MUTEX), so
// threads commit one after another.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "disk_store.hpp"
#include "pmdk_map.h"

namespace disk {

namespace {

class PmdkStore final : public Store {
 public:
  PmdkStore(const StoreSpec& spec, bool create) : locked_(spec.writers > 1) {
    const std::string path = spec.dir + "/kv.pool";
    const std::size_t size = std::max<std::size_t>(std::size_t{64} << 20, spec.capacity * 512);
    map_ =
        create ? pmdk_map_create(path.c_str(), size, PMDK_MAP_BTREE, 0) : pmdk_map_open(path.c_str(), PMDK_MAP_BTREE);
    if (map_ == nullptr) {
      throw std::runtime_error("pmdk: cannot " + std::string(create ? "create " : "open ") + path + ": " +
                               pmdk_map_errormsg());
    }
  }
  ~PmdkStore() override { pmdk_map_close(map_); }
  PmdkStore(const PmdkStore&) = delete;
  PmdkStore& operator=(const PmdkStore&) = delete;

  std::unique_ptr<Writer> writer() override { return std::make_unique<PmdkWriter>(map_, locked_); }

  std::optional<std::uint64_t> get(std::uint64_t key) override {
    std::uint64_t value = 0;
    if (pmdk_map_get(map_, key, &value) == 0) return std::nullopt;
    return value;
  }
  std::uint64_t count() override { return pmdk_map_count(map_); }

 private:
  class PmdkWriter final : public Writer {
   public:
    PmdkWriter(pmdk_map* map, bool locked) : map_(map), locked_(locked) {}
    void put(std::span<const std::uint64_t> keys, std::span<const std::uint64_t> values) override {
      if (pmdk_map_insert_tx(map_, keys.data(), values.data(), keys.size(), locked_ ? 1 : 0) != 0) {
        throw std::runtime_error(std::string("pmdk: a put transaction aborted: ") + pmdk_map_errormsg());
      }
    }

   private:
    pmdk_map* map_;
    bool locked_;
  };

  pmdk_map* map_ = nullptr;
  bool locked_;
};

}  // namespace

System pmdk_system() {
  return {"pmdk", [](const StoreSpec& s) { return std::make_unique<PmdkStore>(s, true); },
          [](const StoreSpec& s) { return std::make_unique<PmdkStore>(s, false); }, ""};
}

}  // namespace disk
