// The file engine (Backend::file, docs/runtime.md section 11): crash-safe
// pools on ordinary files with one device sync per durable commit.
//
// Transactions run exactly as with the undo engine, but on a private
// mapping of the pool file (MAP_PRIVATE): the kernel never writes what
// they store back to the file. The undo journal still works, in private
// memory, and serves abort alone (its flushes and fences do nothing here).
// A commit appends the after-images of what the undo engine would have
// made durable at commit (logged ranges, new objects, block headers, heap
// carving since the last record) to the redo log and syncs it once; the
// file itself changes only by checkpoints, replay at open and pool state
// updates, all written with pwrite.
//
// As a Persistence, the engine has two modes. Until start() (recovery at
// open, and pool creation) the mapping is shared and the undo protocol
// runs as with the msync backend, except that a fence is an fdatasync of
// the pool file through the FileIo (so that every sync of the engine goes
// through it). After start() fences and flushes cost nothing, except that
// flushes of heap carving are captured for the next record.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "lane_counters.hpp"
#include "pschema/file_io.hpp"
#include "pschema/persistence.hpp"
#include "pschema/pool.hpp"
#include "redo_log.hpp"

namespace pschema::detail {

class Lane;
class PoolImpl;

using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;  // offset, size

class FileEngine final : public Persistence {
 public:
  FileEngine(PoolImpl& pool, const PoolOptions& options, std::shared_ptr<FileIo> io, SharedCounter& syncs);
  ~FileEngine() override;

  // Persistence.
  void stored(const void* addr, std::size_t size) override;
  std::size_t flush(const void* addr, std::size_t size, Site site) override;
  void fence(Site site) override;
  void attach(std::byte* base, std::size_t size) override;
  void merged(const void* addr, std::size_t size) override;
  std::string_view name() const noexcept override { return "file"; }

  // Once the pool is recovered (open) or made (create), with the shared
  // mapping durable: opens and resets the log for pool session
  // `generation`, replaces the shared mapping by a private one at the same
  // address, and from then on runs transactions.
  void start(std::uint64_t generation);
  bool running() const { return running_; }

  // ---- transactions (called with the lane held) ----
  void transaction_started(std::uint32_t lane) noexcept;
  void transaction_ended() noexcept { log_->writer_ended(); }
  // A transaction scope's options; `joined`: a nested scope.
  void note_options(std::uint32_t lane, const TransactionOptions* options, bool joined) noexcept;
  // The ranges the lane's commit puts in its record (the lane fills them).
  Ranges& commit_ranges(std::uint32_t lane) { return lanes_[lane].ranges; }
  // Writes the lane's record (its commit_ranges, copied from the mapping)
  // to the log; returns where the record ends. See RedoLog::write_locked
  // for `reached_file`.
  std::uint64_t append(std::uint32_t lane, bool& reached_file);
  bool commits_immediately(std::uint32_t lane) const;
  void sync_to(std::uint64_t end) { log_->sync_to(end); }
  // Makes everything appended so far durable (Pool::sync).
  void sync() { log_->sync_all(); }
  // Private memory an aborted transaction wrote into (its new objects).
  void touch(std::uint64_t offset, std::uint64_t size) noexcept;
  // After a commit, with the lane still held: checkpoints if the log or the
  // private memory grew past its threshold. Never throws: the transaction
  // is committed; a failed checkpoint marks the pool broken.
  void after_commit(Lane& lane) noexcept;

  // ---- the pool ----
  // Writes `size` bytes of the mapping at `at` to the same place in the
  // file and syncs it (pool state updates: they bypass the log).
  void write_through(const void* at, std::size_t size);
  // Applies every committed record to the pool file, makes it durable,
  // empties the log and drops the private copies of the pages written.
  // The caller has quiesced the pool: no transaction or read runs.
  void checkpoint();
  // At a clean close, after the last checkpoint and state update.
  void remove_log() noexcept { log_->remove(); }
  void add_counters(Counters& out) const;

 private:
  struct LaneState {
    Ranges ranges;
    RecordBuffer record;
    std::optional<Durability> durability;  // what the transaction's scopes asked for
  };
  // Copies heap carving headers the heap just flushed, for the next record.
  void capture(const void* addr, std::size_t size);
  // Writes `record` (its transaction section built, `ranges` its ranges)
  // with the captured maintenance appended, under the log's lock.
  std::uint64_t write_record(RecordBuffer& record, const Ranges& ranges, std::uint64_t transaction_checksum,
                             bool& reached_file);
  bool checkpoint_due(std::uint64_t factor) const;
  // Checkpoints a concurrent pool if every other lane can be taken (or,
  // when `wait`, once it can).
  void checkpoint_concurrent(Lane& mine, bool wait);
  void drop_private_pages() noexcept;

  PoolImpl& pool_;
  std::shared_ptr<FileIo> io_;
  SharedCounter& syncs_;
  std::unique_ptr<RedoLog> log_;
  bool running_ = false;
  Durability durability_;
  std::uint64_t checkpoint_log_bytes_;
  std::uint64_t checkpoint_private_pages_;

  std::byte* base_ = nullptr;
  std::uint64_t heap_begin_ = 0, heap_end_ = 0;
  std::vector<LaneState> lanes_;

  // Heap carving since the last record: RangeHeader + bytes, back to back.
  std::mutex capture_mutex_;
  RecordBuffer captured_;
  Ranges captured_ranges_;
  RecordBuffer maintenance_record_;  // a record of carving alone (checkpoint)

  // Under the log's lock: every range recorded since the last checkpoint.
  Ranges checkpoint_ranges_;
  // Heap pages written since the last checkpoint (private copies), one bit each.
  std::unique_ptr<std::atomic<std::uint64_t>[]> pages_;
  std::size_t page_words_ = 0;
  std::atomic<std::uint64_t> touched_pages_{0};
  std::mutex checkpointing_;  // one checkpointer at a time (concurrent pools)
  SharedCounter checkpoints_;
};

}  // namespace pschema::detail
