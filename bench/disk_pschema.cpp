// The pschema systems of pschema_disk_bench, written with the generated API
// of disk_kv.pschema only, as a user would: one thread uses the DiskKv pool
// (a map<u64, u64> root); several threads use the concurrent DiskKvShared
// pool (64 maps, each behind a mutex). The pool is a file in the store's
// directory, opened with default options, so on an ordinary file the
// runtime picks its file engine (the redo log, docs/runtime.md section 11;
// PMEM_IS_PMEM_FORCE=0, storage.cpp); the store checks that it does.
//
// pschema-deferred is the same code with the pool options of
// deferred_durability_options() below.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "disk_kv.pschema.h"
#include "disk_store.hpp"

using diskkv::DiskKv;
using diskkv::DiskKvShared;

bool DiskKv::Ops::put(Tx& tx, std::uint64_t key, std::uint64_t value) { return tx.root().entries().insert(key, value); }

std::optional<std::uint64_t> DiskKv::Ops::get(const Snapshot& snapshot, std::uint64_t key) {
  return snapshot.root().entries().find(key);
}

std::uint64_t DiskKv::Ops::count(const Snapshot& snapshot) { return snapshot.root().entries().size(); }

namespace {
constexpr std::uint64_t shard_count = 64;
}  // namespace

bool DiskKvShared::Ops::put_shared(Tx& tx, std::uint64_t key, std::uint64_t value) {
  return tx.root().shards()[key % shard_count].lock().entries().insert(key, value);
}

std::optional<std::uint64_t> DiskKvShared::Ops::get_shared(const Snapshot& snapshot, std::uint64_t key) {
  return snapshot.root().shards()[key % shard_count].lock().entries().find(key);
}

std::uint64_t DiskKvShared::Ops::count_shared(const Snapshot& snapshot) {
  std::uint64_t sum = 0;
  for (auto shard : snapshot.root().shards()) sum += shard.lock().entries().size();
  return sum;
}

namespace disk {

namespace {

// pschema-deferred: the pool options under which a commit returns once its
// log record is written, before it is synced (SQLite's synchronous=NORMAL
// in WAL mode: a crash of the program loses nothing, a power failure may
// lose the last commits but never leaves a torn state). The file engine's
// deferred durability (docs/runtime.md 11.5). The verification closes the
// pool after every phase, which checkpoints every deferred commit into the
// pool file, and opens it again from the disk.
pschema::PoolOptions deferred_durability_options() {
  pschema::PoolOptions options;
  options.durability = pschema::Durability::deferred;
  return options;
}

std::size_t pool_size(std::size_t capacity) { return std::max<std::size_t>(std::size_t{64} << 20, capacity * 256); }

std::string pool_path(const StoreSpec& spec) { return spec.dir + "/kv.pool"; }

// A pool of one of the two kinds, opened or created with `options`.
template <class Pool>
class PschemaStore final : public Store {
 public:
  PschemaStore(Pool pool, const std::string& path) : pool_(std::move(pool)) {
    // An ordinary file must not be taken for persistent memory (cache-line
    // flushes would make nothing durable on it), and the runtime's default
    // there is the file engine: a pool that runs anything else would not
    // measure what the rows claim (the table names the backend too).
    const std::string_view backend = pool_.pool().info().backend;
    if (backend == "pmem") {
      throw std::runtime_error("the pschema pool " + path +
                               " uses the pmem backend on an ordinary file; is PMEM_IS_PMEM_FORCE=1 set?");
    }
    if (backend != "file") {
      throw std::runtime_error("the pschema pool " + path + " uses the '" + std::string(backend) +
                               "' backend; on an ordinary file the default is the file engine ('file')");
    }
  }

  std::unique_ptr<Writer> writer() override { return std::make_unique<PoolWriter>(pool_); }
  std::string backend() const override { return std::string(pool_.pool().info().backend); }
  std::optional<std::uint64_t> fences() const override { return pool_.pool().counters().fences; }

  std::optional<std::uint64_t> get(std::uint64_t key) override {
    if constexpr (std::is_same_v<Pool, DiskKv>) {
      return pool_.get(key);
    } else {
      return pool_.get_shared(key);
    }
  }

  std::uint64_t count() override {
    if constexpr (std::is_same_v<Pool, DiskKv>) {
      return pool_.count();
    } else {
      return pool_.count_shared();
    }
  }

 private:
  class PoolWriter final : public Writer {
   public:
    explicit PoolWriter(Pool& pool) : pool_(pool) {}
    void put(std::span<const std::uint64_t> keys, std::span<const std::uint64_t> values) override {
      bool all = true;
      if constexpr (std::is_same_v<Pool, DiskKv>) {
        if (keys.size() == 1) {
          all = pool_.put(keys[0], values[0]);  // the generated operation: one transaction
        } else {
          all = pool_.transaction([&](DiskKv::Tx& tx) {
            bool inserted = true;
            for (std::size_t i = 0; i < keys.size(); ++i) inserted &= DiskKv::Ops::put(tx, keys[i], values[i]);
            return inserted;
          });
        }
      } else {
        if (keys.size() == 1) {
          all = pool_.put_shared(keys[0], values[0]);
        } else {
          all = pool_.transaction(pschema::retry_deadlocks, [&](DiskKvShared::Tx& tx) {
            bool inserted = true;
            for (std::size_t i = 0; i < keys.size(); ++i) {
              inserted &= DiskKvShared::Ops::put_shared(tx, keys[i], values[i]);
            }
            return inserted;
          });
        }
      }
      if (!all) throw std::runtime_error("pschema: a put found its key already there");
    }

   private:
    Pool& pool_;
  };

  Pool pool_;
};

std::unique_ptr<Store> make(const StoreSpec& spec, bool create, bool durable) {
  const pschema::PoolOptions options = durable ? pschema::PoolOptions{} : deferred_durability_options();
  const std::string path = pool_path(spec);
  if (spec.writers > 1) {
    pschema::PoolOptions o = options;
    if (spec.writers > 8) o.lanes = spec.writers;  // more threads than the default 8 journal lanes
    DiskKvShared pool = create ? DiskKvShared::create(path, pool_size(spec.capacity), o) : DiskKvShared::open(path, o);
    return std::make_unique<PschemaStore<DiskKvShared>>(std::move(pool), path);
  }
  DiskKv pool = create ? DiskKv::create(path, pool_size(spec.capacity), options) : DiskKv::open(path, options);
  return std::make_unique<PschemaStore<DiskKv>>(std::move(pool), path);
}

}  // namespace

System pschema_system() {
  return {"pschema", [](const StoreSpec& s) { return make(s, true, true); },
          [](const StoreSpec& s) { return make(s, false, true); }, ""};
}

System pschema_deferred_system() {
  return {"pschema-deferred", [](const StoreSpec& s) { return make(s, true, false); },
          [](const StoreSpec& s) { return make(s, false, false); }, ""};
}

}  // namespace disk
