#include "pool/pool_log.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "pschema/format/uuid.hpp"

namespace pschema::pool {

namespace {

// The log file mapped read-only and privately, like the pool (nothing can
// reach the file), for as long as it is read.
class MappedLog {
 public:
  // Sets `log.present`, `log.size` and `log.unreadable`.
  explicit MappedLog(PoolLog& log) {
    fd_ = ::open(log.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno != ENOENT) {
        log.present = true;
        log.unreadable = fmt::format("cannot open: {}", std::strerror(errno));
      }
      return;
    }
    log.present = true;
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      log.unreadable = "not a regular file";
      return;
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    log.size = size_;
    if (size_ == 0) return;
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (p == MAP_FAILED) {
      log.unreadable = fmt::format("cannot map: {}", std::strerror(errno));
      size_ = 0;
      return;
    }
    mapping_ = p;
  }
  ~MappedLog() {
    if (mapping_ != nullptr) ::munmap(mapping_, size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedLog(const MappedLog&) = delete;
  MappedLog& operator=(const MappedLog&) = delete;

  std::span<const std::byte> bytes() const {
    return mapping_ == nullptr ? std::span<const std::byte>() : std::span(static_cast<const std::byte*>(mapping_), size_);
  }

 private:
  int fd_ = -1;
  void* mapping_ = nullptr;
  std::uint64_t size_ = 0;
};

void read_records(std::span<const std::byte> log_bytes, PoolBytes& bytes, const PoolHeader& header, PoolLog& log) {
  if (header.state_copy < 0) {
    log.session_known = false;
    return;
  }
  format::MemoryLogSource source(log_bytes);
  const format::LogHeaderCheck check = format::check_log_header(source, header.superblock.uuid, header.state.generation);
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
  return !unreadable.empty() || damage.has_value() || header_state == format::LogHeaderState::newer_session ||
         header_state == format::LogHeaderState::other_pool || header_state == format::LogHeaderState::unknown_version;
}

std::string PoolLog::refusal() const {
  if (!unreadable.empty()) return unreadable;
  switch (header_state) {
    case format::LogHeaderState::other_pool:
      return fmt::format("belongs to another pool (uuid {}, this pool's is {}); move it away if this pool file is the "
                         "right one",
                         log_uuid, pool_uuid);
    case format::LogHeaderState::newer_session:
      return fmt::format("was written by session {}, but the pool file is at session {} (was the pool file replaced "
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
    read_records(*memory, bytes, header, log);
    return log;
  }
  MappedLog mapped(log);
  if (log.present && log.unreadable.empty()) read_records(mapped.bytes(), bytes, header, log);
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
