// Reads the file engine's redo log (`<pool>.wal`, layout in log_layout.hpp)
// the way the open's replay does, and writes nothing: whether the log's
// header belongs to the pool and its current session, then the records of
// that log generation in order, each verified (salt, header checksum,
// sequence, sizes, body checksum, every range inside the heap), up to the
// first that does not verify. replay_log (runtime) writes what it yields
// into the pool file; the pool tool lays it over its private view of the
// pool. docs/runtime.md 11.2 and 11.7.
//
// The log is read through a LogSource (bounded reads of a file or of
// memory), so a log larger than memory is never held whole, and nothing
// outside the source is ever read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pschema/format/layout.hpp"
#include "pschema/format/log_layout.hpp"

namespace pschema::format {

// Where a log's bytes come from. `read` copies up to `size` bytes at
// `offset` into `out` and returns how many it copied: fewer only at the end
// of the log. It may throw (an I/O error of the runtime's FileIo); the
// reader lets that through.
class LogSource {
 public:
  virtual ~LogSource() = default;
  virtual std::uint64_t size() const = 0;
  virtual std::size_t read(std::uint64_t offset, void* out, std::size_t size) = 0;
};

// A log held in memory (the pool tool maps the file; the tests build logs
// in memory).
class MemoryLogSource final : public LogSource {
 public:
  explicit MemoryLogSource(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  std::size_t read(std::uint64_t offset, void* out, std::size_t size) override;

 private:
  std::span<const std::byte> bytes_;
};

// What the log's header says about it, for the pool whose superblock has
// `pool_uuid` and whose current PoolState has `pool_generation`.
enum class LogHeaderState {
  none,              // missing, short or not verifying: an empty log (a header is written only at a reset,
                     // when the pool file already holds everything)
  current,           // this pool's current session: its records are committed and may not be in the pool file
  older_session,     // written by an earlier session, whose ending open replayed it: ignored
  newer_session,     // newer than the pool file (an older copy of the pool file): damage
  other_pool,        // another pool's log: damage
  unknown_version,   // verifies, but a format version this code does not read
};

struct LogHeaderCheck {
  LogHeaderState state = LogHeaderState::none;
  logformat::LogHeader header{};  // as read; meaningful unless state is none
};

LogHeaderCheck check_log_header(LogSource& source, const std::uint8_t (&pool_uuid)[16], std::uint64_t pool_generation);

// Whether the pool file alone is not the pool: a file-engine session left
// it open after its log existed (PoolState::log_generation is its current
// session), so its latest commits are in `<pool>.wal`, and an open without
// that file must not go on silently (docs/runtime.md 11.7).
bool log_required(const PoolState& state) noexcept;

std::uint64_t log_header_checksum(const logformat::LogHeader& header) noexcept;
std::uint64_t log_record_header_checksum(const logformat::RecordHeader& header) noexcept;

// A record the reader verified.
struct LogRecord {
  struct Range {
    std::uint64_t offset;   // in the pool file, inside the heap
    std::uint64_t size;
    const std::byte* data;  // inside the reader's buffer: valid until the next call of next()
    bool maintenance;       // heap maintenance (applied before the transaction's ranges)
  };
  std::uint64_t log_offset = 0;  // where the record starts in the log
  logformat::RecordHeader header{};
  std::vector<Range> ranges;     // in the order they are applied: maintenance first
};

// Why the reader stopped before the end of the log's valid records, when
// that is not a crash's doing: only the runtime writes records that verify,
// so these mean a damaged or tampered file (the runtime refuses to open).
struct LogDamage {
  enum class Kind {
    range_outside_heap,  // a verifying record's range lies outside the heap
    bad_sections,        // a verifying record's ranges do not fit its sections
    durable_record_lost, // a record does not verify, but a later one shows it had been made durable
  };
  Kind kind;
  std::uint64_t log_offset;  // of the record concerned
  std::string message;       // "log record at offset N: ..." or "the record at offset N does not verify, ..."
};

const char* log_damage_kind_name(LogDamage::Kind kind);  // "range outside the heap", ...

class LogReader {
 public:
  // Reads the records of the log generation `salt` (from a header that
  // check_log_header found current). Ranges must lie in [heap_begin,
  // heap_end).
  LogReader(LogSource& source, std::uint64_t salt, std::uint64_t heap_begin, std::uint64_t heap_end);

  // The next verified record, or null where the valid records end. Then
  // damage() says whether that end is damage rather than a crash's torn
  // (or clean) tail, and torn_tail() (never with damage) whether a record
  // of this generation had begun there.
  const LogRecord* next();

  std::uint64_t records() const { return records_; }        // yielded so far
  std::uint64_t record_bytes() const { return end_ - logformat::records_begin; }
  std::uint64_t end() const { return end_; }                // where the valid records end
  bool torn_tail() const { return torn_; }
  const std::optional<LogDamage>& damage() const { return damage_; }

 private:
  bool read_record(std::uint64_t at, LogRecord& out);
  bool split_ranges(LogRecord& record);
  bool durable_record_after(std::uint64_t stop);

  LogSource& source_;
  std::uint64_t salt_;
  std::uint64_t heap_begin_;
  std::uint64_t heap_end_;
  std::uint64_t size_;
  std::uint64_t end_ = logformat::records_begin;
  std::uint64_t records_ = 0;
  bool finished_ = false;
  bool torn_ = false;
  std::optional<LogDamage> damage_;
  std::vector<std::byte> body_;
  LogRecord record_;
};

}  // namespace pschema::format
