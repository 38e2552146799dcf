// The file engine's redo log (`<pool>.wal`, format in pschema/format/log_layout.hpp):
// appending records, making them durable with one fdatasync shared by
// every committer waiting at the time (group commit), starting a new log
// generation, and replaying a log into the pool file at open.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lane_counters.hpp"
#include "pschema/file_io.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/format/log_layout.hpp"

namespace pschema::detail {

// A growable byte buffer that does not zero what it grows by (a record is
// written over completely) and keeps its capacity between transactions.
class RecordBuffer {
 public:
  std::byte* data() { return data_.get(); }
  std::size_t size() const { return size_; }
  void resize(std::size_t size);
  void append(const void* bytes, std::size_t size);
  // Gives the memory back after an unusually large record.
  void trim(std::size_t keep);

 private:
  std::unique_ptr<std::byte[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Where the log of the pool at `pool_path` lives.
std::string log_path_for(const std::string& pool_path);

struct ReplayResult {
  bool found = false;          // a log file exists
  std::uint64_t records = 0;   // committed transactions (records) applied to the pool file
};

// At open, before the pool is mapped, whatever the backend: applies every
// valid record of the log the pool session `generation` wrote to the pool
// file (pwrite), in order, then makes the pool file durable. Stops at the
// first record that does not verify (a torn tail); throws corrupt_pool if
// a later record proves that one was durable (damage, not a crash), if the
// log belongs to another pool, is newer than the pool, or a verifying
// record points outside the heap. A log of an older session (already
// replayed and made durable by the open that ended it) is ignored.
// With `into` (a read-only open's private copy of the pool, at least the
// heap's end long), the records go into that memory instead, and neither
// file is written.
ReplayResult replay_log(FileIo& io, int pool_fd, const std::string& pool_path, const format::Superblock& sb,
                        std::uint64_t generation, SharedCounter& syncs, std::byte* into = nullptr);

class RedoLog {
 public:
  RedoLog(FileIo& io, std::string path, const std::uint8_t (&pool_uuid)[16], SharedCounter& syncs);
  ~RedoLog();
  RedoLog(const RedoLog&) = delete;
  RedoLog& operator=(const RedoLog&) = delete;

  const std::string& path() const { return path_; }

  // Opens the log file, creating it with permissions `mode` (the pool
  // file's: the log holds the same data) and making its name durable if
  // needed.
  void open(mode_t mode);
  // Starts a new log generation for pool session `pool_generation`: a new
  // salt, the header written and synced. Only while no record is being
  // appended and every record written is durable (at start, and in a
  // quiesced checkpoint after sync_all); committers may still be inside
  // sync_to for records the last sync covered (a non-concurrent pool's
  // committers wait outside the writer gate), and return. A file grown
  // past `keep_bytes` (by a huge transaction) is cut back to it.
  void reset(std::uint64_t pool_generation, std::uint64_t keep_bytes);
  // Closes and deletes the file (a cleanly closed pool is one file).
  void remove() noexcept;

  // The lock every append holds; the engine adds its own bookkeeping of a
  // record under it (heap maintenance, ranges to checkpoint).
  std::mutex& mutex() { return mutex_; }
  std::uint64_t salt() const { return salt_; }
  // Writes `record` (a RecordHeader's room, then the sections) at the end
  // of the log and fills in its header. Caller holds mutex(). Returns the
  // log position the record ends at, for sync_to: positions count on across
  // resets (a generation's file offset plus the bytes of the generations
  // before), so that a committer still waiting after a checkpoint reset
  // the log finds its record covered. `reached_file` tells a caller that gets
  // an exception whether the record may be in the file (its outcome is
  // then unknown) or certainly is not (growing the file failed).
  std::uint64_t write_locked(RecordBuffer& record, std::uint32_t ranges, std::uint32_t maintenance_ranges,
                             std::uint64_t maintenance_offset, std::uint64_t body_checksum, bool& reached_file);

  // Returns once the log is durable up to `end` (group commit: one
  // fdatasync covers every record written before it started; a committer
  // that finds a sync in progress waits for it, or for the next). Throws
  // io_error if a sync failed; after that every later call throws too.
  void sync_to(std::uint64_t end);
  // sync_to the end of what is written.
  void sync_all();
  std::uint64_t written_end() const;

  // Bytes of records since the last reset.
  std::uint64_t record_bytes() const { return record_bytes_.load(std::memory_order_relaxed); }
  // Transactions running on the pool: a sync leader waits a moment for
  // those still in their body, so that one sync covers them too.
  void writer_started() noexcept { active_writers_.fetch_add(1, std::memory_order_relaxed); }
  void writer_ended() noexcept;

 private:
  // Grows the file with zeros, so that records overwrite allocated blocks
  // and a sync writes data, not file-system metadata.
  void reserve_locked(std::uint64_t end);
  // The leader's wait for committers about to arrive. Returns true if the
  // last of them took the sync over (then the caller waits for it).
  bool gather(std::unique_lock<std::mutex>& lock, std::uint64_t end);
  bool more_coming() const;
  // Committers in sync_to whose record is not durable yet.
  int uncovered_waiters() const;
  // One fdatasync of everything written so far; syncing_ is set. The
  // caller wakes the waiters once it has released the lock.
  void sync_locked(std::unique_lock<std::mutex>& lock);

  FileIo& io_;
  std::string path_;
  std::uint8_t pool_uuid_[16];
  SharedCounter& syncs_;
  int fd_ = -1;

  mutable std::mutex mutex_;
  std::condition_variable synced_;    // a sync finished or failed, a committer arrived, a writer ended
  std::uint64_t salt_ = 0;
  std::uint64_t next_sequence_ = 1;
  // Log positions (see write_locked): file offset = position - base_.
  std::uint64_t base_ = 0;
  std::uint64_t written_end_ = logformat::records_begin;
  std::uint64_t synced_end_ = logformat::records_begin;
  std::uint64_t file_end_ = 0;        // the file's size: zeros past written_end_
  bool syncing_ = false;
  bool failed_ = false;
  std::vector<std::uint64_t> waiting_;  // where the records of committers in sync_to end
  int last_batch_ = 1;                  // how many committers the last sync served
  std::atomic<bool> gathering_{false};  // a leader is waiting for more committers
  std::uint64_t gather_epoch_ = 0;      // counts leaders' waits
  std::uint64_t handed_over_ = 0;       // the wait whose sync a committer took over
  std::atomic<int> active_writers_{0};
  std::atomic<std::uint64_t> record_bytes_{0};
  std::chrono::nanoseconds sync_time_{0};  // recent fdatasync duration (moving average)
};

}  // namespace pschema::detail
