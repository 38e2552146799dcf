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
#include "pschema/format/checksum.hpp"
#include "pschema/errors.hpp"

namespace pschema::detail {

namespace {

// The file grows zero-filled, doubling from a first 64 KiB (a new log
// costs an open little), by at most 1 MiB at a time.
constexpr std::uint64_t first_size = 64 * 1024;
constexpr std::uint64_t grow_step = 1 << 20;
// A sync leader never waits longer than this for other committers.
constexpr std::chrono::nanoseconds max_gather = std::chrono::microseconds(500);

std::uint64_t log_header_checksum(const logformat::LogHeader& header) {
  return format::checksum64(&header, offsetof(logformat::LogHeader, checksum), logformat::magic);
}

std::uint64_t record_header_checksum(const logformat::RecordHeader& header) {
  return format::checksum64(&header, offsetof(logformat::RecordHeader, header_checksum), header.salt);
}

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

// One record read from the log, verified by its checksums.
struct ReadRecord {
  logformat::RecordHeader header{};
  std::vector<std::byte> body;  // everything after the header
};

// Reads the record at `at` and checks that it belongs to the log generation
// `salt` and that both its checksums verify. Says nothing about what the
// ranges inside hold (see for_each_range).
bool read_record(FileIo& io, int fd, const std::string& path, std::uint64_t salt, std::uint64_t at,
                 std::uint64_t file_size, ReadRecord& out) {
  using logformat::RecordHeader;
  if (at > file_size || file_size - at < sizeof(RecordHeader)) return false;
  if (io_read(io, fd, &out.header, sizeof out.header, at, path, "the log") < sizeof out.header) return false;
  const RecordHeader& h = out.header;
  if (h.salt != salt || h.header_checksum != record_header_checksum(h)) return false;
  if (h.size < sizeof(RecordHeader) || h.size % 8 != 0 || h.size > file_size - at ||
      h.maintenance_offset < sizeof(RecordHeader) || h.maintenance_offset > h.size || h.maintenance_offset % 8 != 0) {
    return false;
  }
  out.body.resize(h.size - sizeof(RecordHeader));
  if (io_read(io, fd, out.body.data(), out.body.size(), at + sizeof(RecordHeader), path, "the log") <
      out.body.size()) {
    return false;
  }
  const std::size_t split = h.maintenance_offset - sizeof(RecordHeader);
  const std::uint64_t first = format::checksum64(out.body.data(), split, salt);
  return format::checksum64(out.body.data() + split, out.body.size() - split, first) == h.body_checksum;
}

// Calls `apply(offset, data, size)` for each range of a verified record:
// the maintenance section first, then the transaction's. A verified record
// was written by the runtime, so a range that does not fit its section or
// the heap means a tampered file.
template <class Apply>
void for_each_range(const ReadRecord& record, std::uint64_t heap_begin, std::uint64_t heap_end,
                    const std::string& pool_path, std::uint64_t at, Apply&& apply) {
  auto bad = [&](const std::string& what) {
    throw corrupt_pool(pool_path, "log record at offset " + std::to_string(at) + ": " + what);
  };
  const std::size_t split = record.header.maintenance_offset - sizeof(logformat::RecordHeader);
  auto walk = [&](std::size_t begin, std::size_t end, std::uint32_t count) {
    std::size_t pos = begin;
    for (std::uint32_t i = 0; i < count; ++i) {
      if (end - pos < sizeof(logformat::RangeHeader)) bad("a range runs past its section");
      logformat::RangeHeader range;
      std::memcpy(&range, record.body.data() + pos, sizeof range);
      pos += sizeof range;
      if (range.offset < heap_begin || range.offset > heap_end || range.size > heap_end - range.offset) {
        bad("range points outside the heap (offset " + std::to_string(range.offset) + ", size " +
            std::to_string(range.size) + ")");
      }
      if (logformat::padded(range.size) > end - pos) bad("a range runs past its section");
      apply(range.offset, record.body.data() + pos, range.size);
      pos += logformat::padded(range.size);
    }
    if (pos != end) bad("its sections do not add up");
  };
  walk(split, record.body.size(), record.header.maintenance_ranges);
  walk(0, split, record.header.ranges);
}

// After the valid records end at `stop`: whether a later record of the same
// generation verifies and says the log was durable past `stop` when it was
// written. Then the record at `stop` had been made durable and was damaged
// since, which no crash does.
bool durable_record_after(FileIo& io, int fd, const std::string& path, std::uint64_t salt, std::uint64_t stop,
                          std::uint64_t file_size) {
  std::vector<std::byte> chunk(1 << 20);
  ReadRecord candidate;
  for (std::uint64_t base = stop + 8; base + sizeof(logformat::RecordHeader) <= file_size; base += chunk.size()) {
    const std::size_t got = io_read(io, fd, chunk.data(), chunk.size(), base, path, "the log");
    for (std::size_t i = 0; i + 8 <= got; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, chunk.data() + i, 8);
      if (word != salt) continue;  // records start with their generation's salt
      if (read_record(io, fd, path, salt, base + i, file_size, candidate) &&
          candidate.header.durable_before > stop) {
        return true;
      }
    }
    if (got < chunk.size()) break;
  }
  return false;
}

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
                        std::uint64_t generation, SharedCounter& syncs) {
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

  logformat::LogHeader header{};
  if (io_read(io, fd.get(), &header, sizeof header, 0, path, "the log header") < sizeof header) return result;
  // A header that is missing or does not verify was never written or was
  // being rewritten by a reset, which happens only once the pool file holds
  // everything the log did: nothing in the log is needed.
  if (header.magic != logformat::magic || header.checksum != log_header_checksum(header)) return result;
  if (header.version != logformat::version || header.header_size != sizeof header) {
    throw corrupt_pool(pool_path, "the log " + path + " has format version " + std::to_string(header.version) +
                                      ", this library reads version " + std::to_string(logformat::version));
  }
  if (std::memcmp(header.pool_uuid, sb.uuid, sizeof sb.uuid) != 0) {
    throw corrupt_pool(pool_path, "the log " + path + " belongs to another pool (uuid " + uuid_hex(header.pool_uuid) +
                                      ", this pool's is " + uuid_hex(sb.uuid) +
                                      "); move it away if this pool file is the right one");
  }
  // The session that wrote the log ended with an open that replayed it,
  // made the pool durable, and only then advanced the generation.
  if (header.pool_generation < generation) return result;
  if (header.pool_generation > generation) {
    throw corrupt_pool(pool_path, "the log " + path + " was written by session " +
                                      std::to_string(header.pool_generation) + " but the pool file is at session " +
                                      std::to_string(generation) +
                                      " (was the pool file replaced by an older copy?)");
  }

  const std::uint64_t heap_begin = sb.heap_offset, heap_end = sb.heap_offset + sb.heap_size;
  ReadRecord record;
  std::uint64_t at = logformat::records_begin;
  for (std::uint64_t sequence = 1;; ++sequence) {
    if (!read_record(io, fd.get(), path, header.salt, at, file_size, record) || record.header.sequence != sequence) {
      break;
    }
    for_each_range(record, heap_begin, heap_end, pool_path, at,
                   [&](std::uint64_t offset, const std::byte* data, std::uint64_t length) {
                     io_write(io, pool_fd, data, length, offset, pool_path, "the pool file while replaying its log");
                   });
    at += record.header.size;
    ++result.records;
  }
  if (durable_record_after(io, fd.get(), path, header.salt, at, file_size)) {
    throw corrupt_pool(pool_path, "the log " + path + " is damaged: the record at offset " + std::to_string(at) +
                                      " does not verify, but a later record shows it had been made durable");
  }
  if (result.records > 0) {
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

void RedoLog::open() {
  fd_ = io_.open(path_.c_str(), O_RDWR | O_CLOEXEC, 0);
  bool created = false;
  if (fd_ < 0 && errno == ENOENT) {
    fd_ = io_.open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    created = true;
  }
  if (fd_ < 0) throw io_error(path_, "cannot open the pool's log: " + errno_message(errno));
  const std::int64_t size = io_.size(fd_);
  if (size < 0) throw io_error(path_, "cannot stat the pool's log: " + errno_message(errno));
  file_end_ = static_cast<std::uint64_t>(size);
  if (created) {
    // The new name must be durable before a commit relies on the file: a
    // record synced into a file whose directory entry is lost is lost.
    const std::size_t slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
    IoDescriptor dir_fd(io_, io_.open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
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
  header.checksum = log_header_checksum(header);
  reserve_locked(first_size);
  io_write(io_, fd_, &header, sizeof header, 0, path_, "the log header");
  // Synced before any new record overwrites the old ones: were the old
  // header to survive a crash, a replay would apply a prefix of old
  // records, already checkpointed, over newer data.
  io_sync(io_, fd_, path_, "the log", SyncSite::log_reset);
  syncs_.add(1);
  next_sequence_ = 1;
  written_end_ = synced_end_ = logformat::records_begin;
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

std::uint64_t RedoLog::write_locked(RecordBuffer& record, std::uint32_t ranges,
                                    std::uint32_t maintenance_ranges, std::uint64_t maintenance_offset,
                                    std::uint64_t body_checksum, bool& reached_file) {
  reached_file = false;
  if (failed_) throw io_error(path_, "an earlier write or sync of the log failed; close and reopen the pool");
  const std::uint64_t size = record.size();
  reserve_locked(written_end_ + size);
  auto* header = reinterpret_cast<logformat::RecordHeader*>(record.data());
  header->salt = salt_;
  header->sequence = next_sequence_;
  header->size = size;
  header->durable_before = synced_end_;
  header->ranges = ranges;
  header->maintenance_ranges = maintenance_ranges;
  header->maintenance_offset = maintenance_offset;
  header->body_checksum = body_checksum;
  header->header_checksum = record_header_checksum(*header);
  reached_file = true;
  try {
    io_write(io_, fd_, record.data(), size, written_end_, path_, "a log record");
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
