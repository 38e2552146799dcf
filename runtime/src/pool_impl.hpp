// The open pool behind a pschema::Pool handle.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "file_engine.hpp"
#include "fork_guard.hpp"
#include "gate.hpp"
#include "heap.hpp"
#include "lane.hpp"
#include "lock_table.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/mapping.hpp"
#include "pschema/pool.hpp"

namespace pschema::detail {

class PoolImpl {
 public:
  ~PoolImpl();

  static std::unique_ptr<PoolImpl> create(const std::string& path, std::size_t size, const SchemaInfo& schema,
                                          const PoolOptions& options);
  static std::unique_ptr<PoolImpl> open(const std::string& path, const SchemaInfo& schema, const PoolOptions& options);
  // PoolOptions::read_only (docs/runtime.md 4.7): the file opened O_RDONLY
  // and read into private memory, the log laid over it and recovery run
  // there; no lock, nothing written.
  static std::unique_ptr<PoolImpl> open_read_only(const std::string& path, const SchemaInfo& schema,
                                                  const PoolOptions& options);
  void close();

  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }
  std::byte* base() const { return base_; }
  // The base and the heap's bounds, for checking offsets read from the pool.
  Mapping mapping() const { return Mapping(base_, heap_->begin(), heap_->end(), &path_); }
  std::uint64_t size() const { return superblock_.pool_size; }
  std::uint64_t root_offset() const { return superblock_.root_offset; }
  std::uint64_t generation() const { return generation_; }
  std::uint64_t instance_id() const { return instance_id_; }
  // Handles (pschema/handle.hpp): the generation of the block whose
  // payload starts at `payload`, which advances each time that block is
  // freed, so that a handle to a freed object never resolves to a new one
  // in the same block. Volatile: handles never outlive this instance.
  // Only blocks a handle was taken of are tracked (handle_generation
  // starts tracking); until then a free costs one relaxed load.
  std::uint64_t handle_generation(std::uint64_t offset, bool track) const;
  // A committed free, or an allocation rolled back, of these blocks.
  void blocks_gone(std::span<const Block> blocks);
  Persistence& persistence() { return *persistence_; }
  // The file engine once it runs transactions (null with other backends,
  // and while opening or creating the pool).
  FileEngine* file_engine() const { return redo_; }
  // Pool::sync.
  void sync();
  Heap& heap() { return *heap_; }
  const Heap& heap() const { return *heap_; }
  Counters counters() const;
  PoolInfo info() const;

  // Transactions: the writer gate and a lane; see TransactionScope.
  Lane& begin_transaction();
  void end_transaction(Lane& lane);
  // The file engine, a pool that is not concurrent: ends an immediate
  // commit whose record ends at log position `end` by releasing the writer
  // gate, then waiting until the record is durable (so that the next
  // writer's record can share the sync), then releasing the lane. Throws
  // io_error (and marks the pool broken) if the sync fails.
  void await_durable(Lane& lane, std::uint64_t end);
  // Whether commits are waiting outside the gate for their sync; a reader
  // holding the gate shared then waits for them.
  bool awaiting_sync() const { return awaiting_sync_.load(std::memory_order_relaxed) != 0; }
  void wait_for_awaited_commits() const;
  // Pool::commit_count and Pool::wait_for_commit; note_commit is called
  // once a commit that changed the pool is durable.
  std::uint64_t commit_count() const { return commits_.load(std::memory_order_acquire); }
  bool wait_for_commit(std::uint64_t after, std::chrono::nanoseconds timeout) const;
  void note_commit() noexcept;
  // A concurrent pool's reads take a lane too (they hold mutexes): the
  // gate and a lane, without making it this thread's transaction.
  Lane& acquire_lane() const;
  void release_lane(Lane& lane) const;
  void release_gate() const;
  bool concurrent() const { return concurrent_; }
  LockTable& locks() const { return *locks_; }
  // The lane of this thread's running transaction on this pool, if any.
  Lane* current_lane() const;
  // Whether this thread is inside a read() of this pool.
  bool reading_here() const;
  // In a child process forked while the pool was open (fork_guard.hpp):
  // the pool is the parent's, and every use of it throws usage_error.
  bool forked() const noexcept { return current_fork_epoch() != fork_epoch_; }
  void refuse_if_forked() const;
  // After a failed rollback: refuse further transactions until reopened.
  void mark_broken() noexcept;
  Gate& gate() const { return gate_; }
  // Whether `p` points into this pool's mapping.
  bool contains(const void* p) const {
    return p >= static_cast<const void*>(base_) && p < static_cast<const void*>(base_ + superblock_.pool_size);
  }
  // Gives idle lanes' cached blocks back to the heap and merges adjacent
  // free blocks; called when an allocation found no room.
  void reclaim_free_space(Lane& current);

 private:
  friend class FileEngine;
  PoolImpl() = default;
  void map_and_start(const PoolOptions& options, bool run_recovery);
  // After recovery (open) or the magic (create): starts the file engine,
  // or with another backend deletes the file engine's log (replayed at
  // open, or left by an older session or another pool of this name).
  void start_engine();
  // What close() does once everything is quiet.
  void shut_down();
  // Rolls back what crashes left in the lanes, rebuilds the heap, checks
  // the root and starts a new generation.
  void recover();
  void write_state(bool clean);
  [[noreturn]] static void throw_missing_log(const std::string& path);

  std::string path_;
  int fd_ = -1;
  int lock_fd_ = -1;        // the writers' lock file (writer_lock.hpp); -1 when read-only
  bool read_only_ = false;  // PoolOptions::read_only
  std::byte* base_ = nullptr;
  std::size_t mapped_size_ = 0;
  bool is_pmem_ = false;
  format::Superblock superblock_{};
  std::string schema_text_;
  std::uint64_t state_sequence_ = 0;
  std::uint64_t generation_ = 0;
  std::uint64_t instance_id_ = 0;
  mutable std::mutex generations_mutex_;
  mutable std::unordered_map<std::uint64_t, std::uint64_t> generations_;  // handle offset -> generation
  mutable std::atomic<bool> any_handles_{false};
  bool recovered_ = false;
  bool concurrent_ = false;
  std::unique_ptr<LockTable> locks_;

  std::shared_ptr<Persistence> persistence_;
  std::shared_ptr<FileIo> file_io_;
  FileEngine* engine_ = nullptr;  // the file engine, owned by persistence_
  FileEngine* redo_ = nullptr;    // the same, once started
  SharedCounter file_syncs_;      // replay at open and the file engine's syncs
  std::uint64_t replayed_ = 0;
  std::unique_ptr<Heap> heap_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  LaneCounters pool_counters_;  // state updates (recovery counts in its lane)

  // One writer at a time, readers exclude writers: the simple model of a
  // pool that is not concurrent. A concurrent pool does not use it: its
  // transactions and reads each hold a lane, and close() takes every lane.
  mutable Gate gate_;
  std::atomic<bool> broken_{false};
  const std::uint64_t fork_epoch_ = current_fork_epoch();
  std::atomic<bool> closing_{false};  // close() is taking the lanes
  // Committers of a non-concurrent pool between releasing the gate and the
  // end of their sync (await_durable). Read after taking the gate, whose
  // acquire pairs with the release of the gate after the increment.
  mutable std::atomic<int> awaiting_sync_{0};
  // Commits that changed the pool, and the threads waiting for the next
  // one (a commit wakes them only when there are any: no cost otherwise).
  std::atomic<std::uint64_t> commits_{0};
  mutable std::atomic<int> commit_waiters_{0};
  mutable std::mutex commit_wait_mutex_;
  mutable std::condition_variable commit_waited_;
};

}  // namespace pschema::detail
