// A pool: one file mapped into memory, holding a root object and everything
// reachable from it. Pools are opened and closed with RAII (a Pool is a
// move-only handle; destruction closes it).
//
//   auto pool = pschema::Pool::open_or_create("bank.pool", 64 << 20, schema);
//   pool.transaction([&](pschema::Transaction& tx) { ... });   // atomic, durable
//   pool.read([&](const pschema::ReadView& view) { ... });     // committed data only
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "pschema/counters.hpp"
#include "pschema/detail/pool_scopes.hpp"
#include "pschema/errors.hpp"
#include "pschema/file_io.hpp"
#include "pschema/persistence.hpp"
#include "pschema/read_view.hpp"
#include "pschema/schema_info.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

enum class Backend {
  automatic,  // pmem if libpmem says the mapping is persistent memory (or PMEM_IS_PMEM_FORCE=1), else file
  pmem,       // undo journal, cache-line flushes and fences (persistent memory)
  msync,      // the same undo journal on an ordinary file, every fence an msync
  file,       // ordinary files: a private working copy and a redo log, one sync per commit
};

// When a committed transaction is durable (the file engine; the pmem and
// msync backends are always immediate).
enum class Durability {
  immediate,  // commit returns once the transaction is durable
  deferred,   // commit returns once it is in the log (safe from a process crash, not yet from a
              // power failure); Pool::sync(), a later immediate commit, a checkpoint or close
              // make it durable, always together with every transaction before it
};

struct PoolOptions {
  Backend backend = Backend::automatic;
  // A persistence implementation of the caller's (the power-failure
  // simulator); overrides `backend`.
  std::shared_ptr<Persistence> persistence;
  // Journal lanes, one per concurrently running transaction (create only;
  // 0 = default). More lanes cost pool space, fewer serialise threads.
  unsigned lanes = 0;
  // Concurrent pools: how long a transaction may wait for one mutex before
  // it gives up with pschema::deadlock (cycles are detected at once; this
  // only catches waits on a transaction that never ends).
  std::chrono::milliseconds lock_timeout{10'000};

  // The file engine (Backend::file, the default on ordinary files):
  // Durability of commits unless a transaction says otherwise.
  Durability durability = Durability::immediate;
  // A checkpoint writes the committed changes into the pool file and
  // empties the log once the log holds this many bytes, or once this many
  // bytes of the mapping have been changed since the last checkpoint (the
  // private memory the working copy holds). A concurrent pool checkpoints
  // when every lane is idle, and waits for that at four times these values.
  std::size_t checkpoint_log_bytes = 16 << 20;
  std::size_t checkpoint_private_bytes = 64 << 20;
  // The permissions of a new pool file (create), before the umask: the
  // owner's only, by default: a pool holds the program's data. (Readers
  // can no longer keep a writer out: writers lock `<pool>.lock`, which
  // only users who may write the pool can open; docs/runtime.md 8.4.)
  mode_t create_mode = 0600;
  // A pool that a file-engine session left open (a crash, or a copy taken
  // while it ran) keeps its latest commits in `<pool>.wal`: opening it
  // without that file throws corrupt_pool, since those commits would be
  // lost silently. Set this to open it anyway, without them.
  bool discard_missing_log = false;
  // Open the pool for reading only (Pool::open; create refuses it): the
  // file is opened O_RDONLY, so a user with read permission alone can open
  // it, and neither the pool file nor its log is ever written. The open
  // reads the pool into private memory (its size in RAM), lays over it the
  // committed transactions of the log and rolls back an interrupted
  // transaction there, as a writer's open would in the file: reads see
  // the committed state. Every transaction throws read_only_pool. Refused
  // with pool_in_use while a writer has the pool open; a writer opening it
  // later is not kept out, and does not change what this pool shows
  // (docs/runtime.md 4.7).
  bool read_only = false;
  // The file operations of the engine (a test's or simulator's); default:
  // POSIX.
  std::shared_ptr<FileIo> file_io;
};

// How Pool::transaction runs a body.
struct TransactionOptions {
  // Concurrent pools: run the body again, from the start, up to this many
  // times when it is rolled back with pschema::deadlock (after a short
  // random pause, so that the transactions of a cycle do not meet again).
  unsigned deadlock_retries = 0;
  // The file engine: this transaction's durability, instead of the pool's
  // (PoolOptions::durability). Nested transactions join the outermost,
  // which commits immediately if any of them asked for it.
  std::optional<Durability> durability{};
};
// What the generated operation methods of a concurrent pool use.
inline constexpr TransactionOptions retry_deadlocks{.deadlock_retries = 100};

// What a pool's header says, for tools and tests.
struct PoolInfo {
  std::string path;
  std::string schema_name;
  std::uint64_t schema_fingerprint = 0;
  std::string schema_text;
  std::uint64_t size = 0;
  std::uint64_t heap_size = 0;
  std::uint64_t allocated_bytes = 0;  // heap bytes in allocated blocks, headers included
  std::uint64_t allocated_objects = 0;
  std::uint64_t generation = 0;     // how many times the pool was opened
  std::uint64_t creation_time = 0;  // seconds since the Unix epoch
  std::string uuid;                 // 8-4-4-4-12 hex
  std::uint32_t lanes = 0;
  bool recovered = false;           // the last open rolled back or replayed something
  std::uint64_t replayed = 0;       // committed transactions the last open replayed from the log
  std::string_view backend;
};

class Pool;
namespace unsafe {
// The address the pool is mapped at: writable pool memory, unlogged.
std::byte* base(const Pool& pool);
}  // namespace unsafe

class Pool {
 public:
  // Creates a new pool file of `size` bytes (fails if the file exists).
  static Pool create(const std::string& path, std::size_t size, const SchemaInfo& schema,
                     const PoolOptions& options = {});
  // Opens an existing pool. Recovery runs at every open: it rolls back a
  // transaction a crash interrupted, and otherwise only advances each
  // lane's sequence number (one 8-byte write per lane).
  static Pool open(const std::string& path, const SchemaInfo& schema, const PoolOptions& options = {});
  // Opens the pool if the file exists, else creates it (with
  // PoolOptions::read_only: only opens it).
  static Pool open_or_create(const std::string& path, std::size_t size, const SchemaInfo& schema,
                             const PoolOptions& options = {});

  Pool() = default;
  Pool(Pool&&) noexcept;
  Pool& operator=(Pool&&) noexcept;
  ~Pool();

  // Closes the pool (marks it clean, unmaps it, releases the file lock).
  // Throws usage_error when called from inside one of its transactions.
  void close();
  bool is_open() const noexcept { return impl_ != nullptr; }
  // Opened with PoolOptions::read_only.
  bool read_only() const;

  // Runs `body(Transaction&)` as one atomic, durable transaction and returns
  // what it returns. If it throws, every change and allocation it made is
  // rolled back and the exception propagates. Transactions started inside
  // the body on the same pool join it.
  template <class Body>
  auto transaction(Body&& body) {
    return run_transaction(nullptr, body);
  }

  // The same, retrying on deadlock and with the durability `options` says.
  // Inside another transaction of the pool the body joins it and is not
  // retried alone: the outermost transaction is.
  template <class Body>
  auto transaction(const TransactionOptions& options, Body&& body) {
    return with_retries(options, in_transaction(), [&] { return run_transaction(&options, body); });
  }

  // Makes every transaction committed so far durable (the file engine with
  // deferred durability; with every other configuration they already are,
  // and this returns at once). Throws io_error if the disk reports an error.
  void sync();
  // Waiting for work without spinning. commit_count() counts the
  // transactions that changed the pool and committed since this process
  // opened it (visible to reads when counted). wait_for_commit(after, t)
  // blocks until that count exceeds `after` or `t` passes, and says
  // whether it did. A consumer that found nothing to do reads the count
  // before its transaction and waits with that value after it: a commit in
  // between is never missed, and its own empty transaction does not count.
  // Throws usage_error inside a transaction of this pool.
  std::uint64_t commit_count() const;
  bool wait_for_commit(std::uint64_t after, std::chrono::nanoseconds timeout) const;
  // Whether this thread is running a transaction of this pool.
  bool in_transaction() const;
  // ... or a read.
  bool in_read_or_transaction() const;

  // Runs `body(const ReadView&)` on committed data, excluding writers (in
  // a concurrent pool: holding the mutexes it locks until it returns).
  template <class Body>
  auto read(Body&& body) const {
    detail::ReadScope scope(checked_impl());
    return body(scope.view());
  }
  // The same, retrying on deadlock as `options` says (concurrent pools).
  template <class Body>
  auto read(const TransactionOptions& options, Body&& body) const {
    return with_retries(options, in_read_or_transaction(), [&] { return read(body); });
  }

  const std::string& path() const;
  std::uint64_t root_offset() const;
  std::size_t size() const;
  Counters counters() const;
  PoolInfo info() const;
  // Changes at every open of the pool: volatile state stored in the pool
  // (locks, caches) compares against it.
  std::uint64_t generation() const;
  // Unique among the pools this process opened: handles use it to refuse
  // an object of another pool, or of a pool since closed.
  std::uint64_t instance_id() const;

 private:
  friend std::byte* unsafe::base(const Pool& pool);
  // Reached only through pschema::unsafe::base(pool) (writes through it are
  // not logged and survive a rollback).
  std::byte* base() const;
  explicit Pool(std::unique_ptr<detail::PoolImpl> impl);
  template <class Body>
  auto run_transaction(const TransactionOptions* options, Body& body) {
    detail::TransactionScope scope(checked_impl(), options);
    if constexpr (std::is_void_v<std::invoke_result_t<Body&, Transaction&>>) {
      body(scope.transaction());
      scope.commit();
    } else {
      auto result = body(scope.transaction());
      scope.commit();
      return result;
    }
  }
  // Runs `attempt` again after a pause each time it fails with deadlock, up
  // to the retries asked for; never when `nested` (the outermost retries).
  template <class Attempt>
  auto with_retries(const TransactionOptions& options, bool nested, Attempt&& attempt) const {
    for (unsigned n = 0;; ++n) {
      try {
        return attempt();
      } catch (const deadlock&) {
        if (n >= options.deadlock_retries || nested) throw;
        pause_before_retry(n);
      }
    }
  }
  // Waits for the transaction the aborted one waited for to end, then a
  // random pause, longer after each failed attempt.
  void pause_before_retry(unsigned attempt) const;
  detail::PoolImpl& checked_impl() const;

  std::unique_ptr<detail::PoolImpl> impl_;
};

}  // namespace pschema
