// LMDB (liblmdb, Debian's 0.9.24) in pschema_disk_bench: one environment
// in the store's directory, one unnamed database with MDB_INTEGERKEY (the
// 8-byte keys compare as integers), default flags: every write transaction
// syncs at commit (fdatasync of the data pages, then the meta page written
// through a descriptor opened with O_DSYNC). One write transaction per
// put transaction; LMDB admits one writer at a time, so threads queue for
// its writer lock: that is LMDB's behaviour, and the benchmark measures it.
// Gets: one read transaction per batch (begin_gets .. end_gets).
#include <lmdb.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "disk_store.hpp"

namespace disk {

namespace {

[[noreturn]] void fail(const std::string& what, int rc) {
  throw std::runtime_error("lmdb: " + what + ": " + mdb_strerror(rc));
}

void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) fail(what, rc);
}

class LmdbStore final : public Store {
 public:
  LmdbStore(const StoreSpec& spec, bool create) {
    check(mdb_env_create(&env_), "mdb_env_create");
    // The map is virtual address space; the file grows as pages are used.
    const std::size_t map_size = std::max<std::size_t>(std::size_t{1} << 30, spec.capacity * 512);
    check(mdb_env_set_mapsize(env_, map_size), "mdb_env_set_mapsize");
    check(mdb_env_set_maxreaders(env_, 126), "mdb_env_set_maxreaders");
    check(mdb_env_open(env_, spec.dir.c_str(), 0, 0600), "mdb_env_open");
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin");
    const int rc = mdb_dbi_open(txn, nullptr, MDB_INTEGERKEY | (create ? MDB_CREATE : 0), &dbi_);
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      fail("mdb_dbi_open", rc);
    }
    check(mdb_txn_commit(txn), "mdb_txn_commit");
  }
  ~LmdbStore() override {
    if (read_ != nullptr) mdb_txn_abort(read_);
    mdb_env_close(env_);
  }
  LmdbStore(const LmdbStore&) = delete;
  LmdbStore& operator=(const LmdbStore&) = delete;

  std::unique_ptr<Writer> writer() override { return std::make_unique<LmdbWriter>(env_, dbi_); }

  void begin_gets() override { check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &read_), "mdb_txn_begin (read)"); }
  void end_gets() override {
    mdb_txn_abort(read_);
    read_ = nullptr;
  }

  std::optional<std::uint64_t> get(std::uint64_t key) override {
    if (read_ != nullptr) return get_in(read_, key);
    begin_gets();  // a lone get (verification): its own read transaction
    const std::optional<std::uint64_t> value = get_in(read_, key);
    end_gets();
    return value;
  }

  std::uint64_t count() override {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "mdb_txn_begin (read)");
    MDB_stat stat{};
    const int rc = mdb_stat(txn, dbi_, &stat);
    mdb_txn_abort(txn);
    check(rc, "mdb_stat");
    return stat.ms_entries;
  }

 private:
  class LmdbWriter final : public Writer {
   public:
    LmdbWriter(MDB_env* env, MDB_dbi dbi) : env_(env), dbi_(dbi) {}
    void put(std::span<const std::uint64_t> keys, std::span<const std::uint64_t> values) override {
      MDB_txn* txn = nullptr;
      check(mdb_txn_begin(env_, nullptr, 0, &txn), "mdb_txn_begin");
      for (std::size_t i = 0; i < keys.size(); ++i) {
        std::uint64_t k = keys[i], v = values[i];
        MDB_val key{sizeof k, &k}, value{sizeof v, &v};
        const int rc = mdb_put(txn, dbi_, &key, &value, MDB_NOOVERWRITE);
        if (rc != MDB_SUCCESS) {
          mdb_txn_abort(txn);
          fail("mdb_put", rc);
        }
      }
      check(mdb_txn_commit(txn), "mdb_txn_commit");
    }

   private:
    MDB_env* env_;
    MDB_dbi dbi_;
  };

  std::optional<std::uint64_t> get_in(MDB_txn* txn, std::uint64_t key) const {
    MDB_val k{sizeof key, &key}, v{};
    const int rc = mdb_get(txn, dbi_, &k, &v);
    if (rc == MDB_NOTFOUND) return std::nullopt;
    check(rc, "mdb_get");
    if (v.mv_size != sizeof(std::uint64_t)) throw std::runtime_error("lmdb: a value of the wrong size");
    std::uint64_t value = 0;
    std::memcpy(&value, v.mv_data, sizeof value);
    return value;
  }

  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  MDB_txn* read_ = nullptr;
};

}  // namespace

System lmdb_system() {
  return {"lmdb", [](const StoreSpec& s) { return std::make_unique<LmdbStore>(s, true); },
          [](const StoreSpec& s) { return std::make_unique<LmdbStore>(s, false); }, ""};
}

}  // namespace disk
