#include "redo_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <random>

#include "file_io_util.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/log_reader.hpp"

namespace pschema::detail {

namespace {

// The file is zero-filled, 1 MiB from the start, then grows by doubling,
// by at most 1 MiB at a time. Growing changes the file's size, which the
// next commit's fdatasync must then make durable too (a file-system
// journal commit): with a first 64 KiB, a new pool's first 1 MiB of
// records grew the log four times, and 100-put transactions on a fresh
// pool paid 1.5x-1.7x a raw sync instead of 1.0x-1.1x (docs/benchmarks.md).
// A new log costs its open one 1 MiB write instead.
constexpr std::uint64_t first_size = 1 << 20;
constexpr std::uint64_t grow_step = 1 << 20;
// A sync leader never waits longer than this for other committers.
constexpr std::chrono::nanoseconds max_gather = std::chrono::microseconds(500);

std::string uuid_hex(const std::uint8_t (&uuid)[16]) {
  std::string out;
  char byte[3];
  for (std::uint8_t b : uuid) {
    std::snprintf(byte, sizeof byte, "%02x", b);
    out += byte;
  }
  return out;
}

// Closes a descriptor of the FileIo when it goes out of scope.
class IoDescriptor {
 public:
  IoDescriptor(FileIo& io, int fd) : io_(io), fd_(fd) {}
  ~IoDescriptor() {
    if (fd_ >= 0) io_.close(fd_);
  }
  IoDescriptor(const IoDescriptor&) = delete;
  IoDescriptor& operator=(const IoDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  FileIo& io_;
  int fd_;
};

// The log read through the FileIo, for the format module's reader: reads
// are bounded by the size taken when the log was opened.
class FileLogSource final : public format::LogSource {
 public:
  FileLogSource(FileIo& io, int fd, const std::string& path, std::uint64_t size)
      : io_(io), fd_(fd), path_(path), size_(size) {}
  std::uint64_t size() const override { return size_; }
  std::size_t read(std::uint64_t offset, void* out, std::size_t size) override {
    if (offset >= size_) return 0;
    size = static_cast<std::size_t>(std::min<std::uint64_t>(size, size_ - offset));
    return io_read(io_, fd_, out, size, offset, path_, "the log");
  }

 private:
  FileIo& io_;
  int fd_;
  const std::string& path_;
  std::uint64_t size_;
};

}  // namespace

void RecordBuffer::resize(std::size_t size) {
  if (size > capacity_) {
    const std::size_t capacity = std::max({size, capacity_ * 2, std::size_t{4096}});
    auto grown = std::make_unique_for_overwrite<std::byte[]>(capacity);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = capacity;
  }
  size_ = size;
}

void RecordBuffer::append(const void* bytes, std::size_t size) {
  const std::size_t at = size_;
  resize(size_ + size);
  if (size > 0) std::memcpy(data_.get() + at, bytes, size);
}

void RecordBuffer::trim(std::size_t keep) {
  if (capacity_ <= keep) return;
  data_.reset();
  size_ = capacity_ = 0;
}

std::string log_path_for(const std::string& pool_path) { return pool_path + ".wal"; }

ReplayResult replay_log(FileIo& io, int pool_fd, const std::string& pool_path, const format::Superblock& sb,
                        std::uint64_t generation, SharedCounter& syncs, std::byte* into) {
  ReplayResult result;
  const std::string path = log_path_for(pool_path);
  IoDescriptor fd(io, io.open(path.c_str(), O_RDONLY | O_CLOEXEC, 0));
  if (fd.get() < 0) {
    if (errno == ENOENT) return result;
    throw io_error(path, "cannot open the pool's log: " + errno_message(errno));
  }
  result.found = true;
  const std::int64_t size = io.size(fd.get());
  if (size < 0) throw io_error(path, "cannot stat the pool's log: " + errno_message(errno));
  const auto file_size = static_cast<std::uint64_t>(size);

  FileLogSource source(io, fd.get(), path, file_size);
  const format::LogHeaderCheck check = format::check_log_header(source, sb.uuid, generation);
  const logformat::LogHeader& header = check.header;
  switch (check.state) {
    case format::LogHeaderState::none:           // never written, or being rewritten by a reset
    case format::LogHeaderState::older_session:  // replayed by the open that ended its session
      return result;
    case format::LogHeaderState::unknown_version:
      throw corrupt_pool(pool_path, "the log " + path + " has format version " + std::to_string(header.version) +
                                        ", this library reads version " + std::to_string(logformat::version));
    case format::LogHeaderState::other_pool:
      throw corrupt_pool(pool_path, "the log " + path + " belongs to another pool (uuid " + uuid_hex(header.pool_uuid) +
                                        ", this pool's is " + uuid_hex(sb.uuid) +
                                        "); move it away if this pool file is the right one");
    case format::LogHeaderState::newer_session:
      throw corrupt_pool(pool_path, "the log " + path + " was written by session " +
                                        std::to_string(header.pool_generation) + " but the pool file is at session " +
                                        std::to_string(generation) + " (was the pool file replaced by an older copy?)");
    case format::LogHeaderState::current: break;
  }

  format::LogReader reader(source, header.salt, sb.heap_offset, sb.heap_offset + sb.heap_size);
  while (const format::LogRecord* record = reader.next()) {
    for (const format::LogRecord::Range& range : record->ranges) {
      if (into != nullptr) {
        std::memcpy(into + range.offset, range.data, range.size);  // the reader checked it lies in the heap
        continue;
      }
      io_write(io, pool_fd, range.data, range.size, range.offset, pool_path, "the pool file while replaying its log");
    }
    ++result.records;
  }
  if (const auto& damage = reader.damage()) {
    if (damage->kind == format::LogDamage::Kind::durable_record_lost) {
      throw corrupt_pool(pool_path, "the log " + path + " is damaged: " + damage->message);
    }
    throw corrupt_pool(pool_path, damage->message);
  }
  if (result.records > 0 && into == nullptr) {
    io_sync(io, pool_fd, pool_path, "the pool file after replaying its log", SyncSite::replay_pool);
    syncs.add(1);
  }
  return result;
}

RedoLog::RedoLog(FileIo& io, std::string path, const std::uint8_t (&pool_uuid)[16], SharedCounter& syncs)
    : io_(io), path_(std::move(path)), syncs_(syncs) {
  std::memcpy(pool_uuid_, pool_uuid, sizeof pool_uuid_);
  waiting_.reserve(64);  // no allocation while committers come and go
}

RedoLog::~RedoLog() {
  if (fd_ >= 0) io_.close(fd_);
}

void RedoLog::open(mode_t mode) {
  fd_ = io_.open(path_.c_str(), O_RDWR | O_CLOEXEC, 0);
  bool created = false;
  if (fd_ < 0 && errno == ENOENT) {
    fd_ = io_.open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, mode);
    created = true;
  }
  if (fd_ < 0) throw io_error(path_, "cannot open the pool's log: " + errno_message(errno));
  const std::int64_t size = io_.size(fd_);
  if (size < 0) throw io_error(path_, "cannot stat the pool's log: " + errno_message(errno));
  file_end_ = static_cast<std::uint64_t>(size);
  if (created) {
    // The new name must be durable before a commit relies on the file: a
    // record synced into a file whose directory entry is lost is lost.
    IoDescriptor dir_fd(io_, io_.open(parent_directory(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
    if (dir_fd.get() < 0 || io_.fsync(dir_fd.get(), SyncSite::log_directory) != 0) {
      throw io_error(path_, "cannot make the new log's directory entry durable: " + errno_message(errno));
    }
    syncs_.add(1);
  }
}

void RedoLog::reset(std::uint64_t pool_generation, std::uint64_t keep_bytes) {
  std::lock_guard lock(mutex_);
  keep_bytes = std::max(grow_step, (keep_bytes + grow_step - 1) / grow_step * grow_step);
  if (file_end_ > keep_bytes) {
    // Only stale records lie past it. Not synced on its own: a cut that is
    // lost in a crash leaves records the new salt rejects.
    if (io_.ftruncate(fd_, keep_bytes) != 0) {
      throw io_error(path_, "cannot shorten the log: " + errno_message(errno));
    }
    file_end_ = keep_bytes;
  }
  std::random_device random;
  do {
    salt_ = static_cast<std::uint64_t>(random()) << 32 ^ random();
  } while (salt_ == 0);  // zero is what a zero-filled file holds
  logformat::LogHeader header{};
  header.magic = logformat::magic;
  header.version = logformat::version;
  header.header_size = sizeof header;
  std::memcpy(header.pool_uuid, pool_uuid_, sizeof pool_uuid_);
  header.pool_generation = pool_generation;
  header.salt = salt_;
  header.checksum = format::log_header_checksum(header);
  reserve_locked(first_size);
  io_write(io_, fd_, &header, sizeof header, 0, path_, "the log header");
  // Synced before any new record overwrites the old ones: were the old
  // header to survive a crash, a replay would apply a prefix of old
  // records, already checkpointed, over newer data.
  io_sync(io_, fd_, path_, "the log", SyncSite::log_reset);
  syncs_.add(1);
  next_sequence_ = 1;
  // Every position of the old generation lies before the new one's first,
  // which the sync above made durable: a committer still waiting for an
  // old record (it was covered by the sync_all before a checkpoint) returns.
  base_ = written_end_;
  written_end_ = synced_end_ = base_ + logformat::records_begin;
  record_bytes_.store(0, std::memory_order_relaxed);
}

void RedoLog::remove() noexcept {
  if (fd_ >= 0) io_.close(fd_);
  fd_ = -1;
  io_.unlink(path_.c_str());
}

void RedoLog::reserve_locked(std::uint64_t end) {
  if (end <= file_end_) return;
  static const std::byte zeros[64 * 1024] = {};
  const std::uint64_t step = std::clamp(file_end_, first_size, grow_step);
  const std::uint64_t target = std::max({first_size, (end + step - 1) / step * step, file_end_ + step});
  for (std::uint64_t at = file_end_; at < target;) {
    const std::uint64_t n = std::min<std::uint64_t>(sizeof zeros, target - at);
    io_write(io_, fd_, zeros, n, at, path_, "the log (growing it)");
    at += n;
  }
  file_end_ = target;
}

std::uint64_t RedoLog::write_locked(RecordBuffer& record, std::uint32_t ranges, std::uint32_t maintenance_ranges,
                                    std::uint64_t maintenance_offset, std::uint64_t body_checksum, bool& reached_file) {
  reached_file = false;
  if (failed_) throw io_error(path_, "an earlier write or sync of the log failed; close and reopen the pool");
  const std::uint64_t size = record.size();
  const std::uint64_t at = written_end_ - base_;  // the file offset
  reserve_locked(at + size);
  auto* header = reinterpret_cast<logformat::RecordHeader*>(record.data());
  header->salt = salt_;
  header->sequence = next_sequence_;
  header->size = size;
  header->durable_before = synced_end_ - base_;
  header->ranges = ranges;
  header->maintenance_ranges = maintenance_ranges;
  header->maintenance_offset = maintenance_offset;
  header->body_checksum = body_checksum;
  header->header_checksum = format::log_record_header_checksum(*header);
  reached_file = true;
  try {
    io_write(io_, fd_, record.data(), size, at, path_, "a log record");
  } catch (...) {
    // Part of the record may be in the file: what follows it is unknown.
    failed_ = true;
    synced_.notify_all();
    throw;
  }
  written_end_ += size;
  ++next_sequence_;
  record_bytes_.store(record_bytes_.load(std::memory_order_relaxed) + size, std::memory_order_relaxed);
  return written_end_;
}

std::uint64_t RedoLog::written_end() const {
  std::lock_guard lock(mutex_);
  return written_end_;
}

void RedoLog::writer_ended() noexcept {
  active_writers_.fetch_sub(1, std::memory_order_relaxed);
  if (gathering_.load(std::memory_order_relaxed)) {
    std::lock_guard lock(mutex_);
    synced_.notify_all();  // the leader may stop waiting for this writer
  }
}

int RedoLog::uncovered_waiters() const {
  // Committers a finished sync has served but that have not run since are
  // still in the list: they do not count.
  return static_cast<int>(
      std::count_if(waiting_.begin(), waiting_.end(), [&](std::uint64_t e) { return e > synced_end_; }));
}

bool RedoLog::more_coming() const {
  // Committers not waiting yet are likely to arrive within a sync's time:
  // transactions still running, and as many as the last sync served (a
  // thread that has just returned from it is between transactions, not
  // running, for a moment).
  const int batch = uncovered_waiters();
  return batch < last_batch_ || active_writers_.load(std::memory_order_relaxed) > batch;
}

bool RedoLog::gather(std::unique_lock<std::mutex>& lock, std::uint64_t end) {
  // Waiting a fraction of a sync for those committers lets one sync serve
  // them all. A committer alone syncs at once; one whose company stopped
  // waits once, and the batch it then syncs lowers the count.
  if (!more_coming()) return false;
  const auto window = std::min(max_gather, sync_time_ / 2);
  if (window.count() == 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + window;
  const std::uint64_t epoch = ++gather_epoch_;
  gathering_.store(true, std::memory_order_relaxed);
  while (more_coming()) {
    if (synced_.wait_until(lock, deadline) == std::cv_status::timeout) break;
    // The last committer to arrive, awake already, took the sync over
    // (see sync_to): this one is now just waiting for it.
    if (handed_over_ == epoch || synced_end_ >= end) return true;
  }
  if (handed_over_ == epoch) return true;
  gathering_.store(false, std::memory_order_relaxed);
  return false;
}

void RedoLog::sync_locked(std::unique_lock<std::mutex>& lock) {
  last_batch_ = std::max(1, uncovered_waiters());
  const std::uint64_t target = written_end_;  // everything written by now
  lock.unlock();
  const auto started = std::chrono::steady_clock::now();
  int rc;
  do {
    rc = io_.fdatasync(fd_, SyncSite::log_commit);
  } while (rc != 0 && errno == EINTR);
  const int err = errno;
  const auto took = std::chrono::steady_clock::now() - started;
  lock.lock();
  syncing_ = false;
  syncs_.add(1);
  if (rc != 0) {
    // The kernel may have dropped the pages it could not write; a later
    // sync could succeed without them. Nothing after synced_end_ can be
    // promised any more.
    failed_ = true;
    throw io_error(path_, "cannot sync the log: " + errno_message(err) + "; the transaction may not be durable");
  }
  synced_end_ = std::max(synced_end_, target);
  sync_time_ = (sync_time_ * 7 + std::chrono::duration_cast<std::chrono::nanoseconds>(took)) / 8;
}

void RedoLog::sync_to(std::uint64_t end) {
  // Whoever synced wakes the others once it has let go of the lock (a
  // waiter woken while the lock is held would only block again on it).
  bool synced = false;
  struct Wake {
    std::condition_variable& waiters;
    bool& synced;
    ~Wake() {
      if (synced) waiters.notify_all();
    }
  } wake{synced_, synced};
  std::unique_lock lock(mutex_);
  if (synced_end_ >= end) return;
  // Registered while in here, so that a sync leader can count who waits.
  waiting_.push_back(end);
  struct Leave {
    std::vector<std::uint64_t>& waiting;
    std::uint64_t end;
    ~Leave() { waiting.erase(std::find(waiting.begin(), waiting.end(), end)); }  // the lock is held
  } leave{waiting_, end};
  for (;;) {
    if (synced_end_ >= end) return;
    if (failed_) {
      throw io_error(path_, "an earlier write or sync of the log failed; the transaction may not be durable");
    }
    if (!syncing_) {
      // Lead: gather the committers about to arrive, then sync.
      syncing_ = true;
      if (gather(lock, end)) continue;
      synced = true;
      sync_locked(lock);
      continue;
    }
    if (gathering_.load(std::memory_order_relaxed) && !more_coming()) {
      // The leader waits for a batch this committer completes. It is
      // asleep, this one is running: sync here rather than pay for waking
      // it first.
      gathering_.store(false, std::memory_order_relaxed);
      handed_over_ = gather_epoch_;
      synced = true;
      sync_locked(lock);
      continue;
    }
    synced_.wait(lock);
  }
}

void RedoLog::sync_all() {
  std::uint64_t end;
  {
    std::lock_guard lock(mutex_);
    end = written_end_;
  }
  sync_to(end);
}

}  // namespace pschema::detail
