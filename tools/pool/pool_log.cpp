#include "pool/pool_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pschema/format/uuid.hpp"

namespace pschema::pool {

namespace {

// The log file, opened read-only and read with pread (nothing can reach
// the file): unlike a mapping, a log the runtime cuts short meanwhile (a
// reset after a huge transaction, while the pool is open) only ends the
// reads early, where a mapping would end the tool with SIGBUS.
class LogFileSource final : public format::LogSource {
 public:
  // Sets `log.present`, `log.size` and `log.unreadable`.
  explicit LogFileSource(PoolLog& log) {
    fd_ = ::open(log.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno != ENOENT) {
        log.present = true;
        log.unreadable = fmt::format("cannot open: {}", std::strerror(errno));
      }
      return;
    }
    log.present = true;
    struct stat st{};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      log.unreadable = "not a regular file";
      return;
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    log.size = size_;
  }
  ~LogFileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  LogFileSource(const LogFileSource&) = delete;
  LogFileSource& operator=(const LogFileSource&) = delete;

  std::uint64_t size() const override { return size_; }
  std::size_t read(std::uint64_t offset, void* out, std::size_t size) override {
    if (offset >= size_) return 0;
    size = static_cast<std::size_t>(std::min<std::uint64_t>(size, size_ - offset));
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pread(fd_, static_cast<char*>(out) + done, size - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // an error or the end of the file: what was read is all there is
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

void read_records(format::LogSource& source, PoolBytes& bytes, const PoolHeader& header, PoolLog& log) {
  if (header.state_copy < 0) {
    log.session_known = false;
    return;
  }
  const format::LogHeaderCheck check =
      format::check_log_header(source, header.superblock.uuid, header.state.generation);
  log.header_state = check.state;
  if (check.state == format::LogHeaderState::none) return;
  log.session = check.header.pool_generation;
  log.salt = check.header.salt;
  log.version = check.header.version;
  log.pool_session = header.state.generation;
  if (check.state == format::LogHeaderState::other_pool) {
    log.log_uuid = format::uuid_text(check.header.pool_uuid);
    log.pool_uuid = format::uuid_text(header.superblock.uuid);
  }
  if (check.state != format::LogHeaderState::current) return;

  format::LogReader reader(source, check.header.salt, header.heap_begin(), header.heap_end());
  while (const format::LogRecord* record = reader.next()) {
    for (const format::LogRecord::Range& range : record->ranges) {
      // The reader checked every range against the heap, which
      // check_superblock checked against the file.
      if (!bytes.overlay(range.offset, range.data, range.size)) break;
    }
  }
  bytes.seal();
  log.records = reader.records();
  log.record_bytes = reader.record_bytes();
  if (reader.torn_tail()) log.torn_at = reader.end();
  log.damage = reader.damage();
}

}  // namespace

bool PoolLog::refused() const {
  return missing || !unreadable.empty() || damage.has_value() ||
         header_state == format::LogHeaderState::newer_session || header_state == format::LogHeaderState::other_pool ||
         header_state == format::LogHeaderState::unknown_version;
}

std::string PoolLog::refusal() const {
  if (missing) {
    return fmt::format(
        "is missing, but session {} of the file engine left the pool open after creating it: the "
        "pool's latest committed transactions are in it; put it back next to the pool file",
        pool_session);
  }
  if (!unreadable.empty()) return unreadable;
  switch (header_state) {
    case format::LogHeaderState::other_pool:
      return fmt::format(
          "belongs to another pool (uuid {}, this pool's is {}); move it away if this pool file is the "
          "right one",
          log_uuid, pool_uuid);
    case format::LogHeaderState::newer_session:
      return fmt::format(
          "was written by session {}, but the pool file is at session {} (was the pool file replaced "
          "by an older copy?)",
          session, pool_session);
    case format::LogHeaderState::unknown_version:
      return fmt::format("has log format version {}, this tool reads version {}", version, logformat::version);
    default: break;
  }
  if (damage) return fmt::format("damaged ({}): {}", format::log_damage_kind_name(damage->kind), damage->message);
  return "";
}

PoolLog read_pool_log(const std::string& path, std::optional<std::span<const std::byte>> memory, PoolBytes& bytes,
                      const PoolHeader& header) {
  PoolLog log;
  log.path = path;
  if (memory) {
    log.present = true;
    log.size = memory->size();
    format::MemoryLogSource source(*memory);
    read_records(source, bytes, header, log);
    return log;
  }
  LogFileSource source(log);
  if (log.present && log.unreadable.empty()) read_records(source, bytes, header, log);
  const format::PoolState& state = header.state;
  if (!log.present && header.state_copy >= 0 && format::log_required(state)) {
    log.missing = true;
    log.pool_session = state.generation;
  }
  return log;
}

const char* log_header_state_name(format::LogHeaderState state) {
  switch (state) {
    case format::LogHeaderState::none: return "none";
    case format::LogHeaderState::current: return "current";
    case format::LogHeaderState::older_session: return "older_session";
    case format::LogHeaderState::newer_session: return "newer_session";
    case format::LogHeaderState::other_pool: return "other_pool";
    case format::LogHeaderState::unknown_version: return "unknown_version";
  }
  return "none";
}

}  // namespace pschema::pool
