#include "pschema/format/log_reader.hpp"

#include <algorithm>
#include <cstring>

#include "pschema/format/checksum.hpp"

namespace pschema::format {

using logformat::LogHeader;
using logformat::RangeHeader;
using logformat::RecordHeader;

std::size_t MemoryLogSource::read(std::uint64_t offset, void* out, std::size_t size) {
  if (offset >= bytes_.size()) return 0;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, bytes_.size() - offset));
  if (n > 0) std::memcpy(out, bytes_.data() + offset, n);  // `out` may be null when nothing is asked (an empty body)
  return n;
}

std::uint64_t log_header_checksum(const LogHeader& header) noexcept {
  return checksum64(&header, offsetof(LogHeader, checksum), logformat::magic);
}

std::uint64_t log_record_header_checksum(const RecordHeader& header) noexcept {
  return checksum64(&header, offsetof(RecordHeader, header_checksum), header.salt);
}

LogHeaderCheck check_log_header(LogSource& source, const std::uint8_t (&pool_uuid)[16], std::uint64_t pool_generation) {
  LogHeaderCheck check;
  if (source.read(0, &check.header, sizeof check.header) < sizeof check.header) return check;
  const LogHeader& h = check.header;
  // A header that does not verify was never written or was being
  // rewritten by a reset, which happens only once the pool file holds
  // everything the log did: nothing in the log is needed.
  if (h.magic != logformat::magic || h.checksum != log_header_checksum(h)) return check;
  if (h.version != logformat::version || h.header_size != sizeof(LogHeader)) {
    check.state = LogHeaderState::unknown_version;
  } else if (std::memcmp(h.pool_uuid, pool_uuid, sizeof h.pool_uuid) != 0) {
    check.state = LogHeaderState::other_pool;
  } else if (h.pool_generation < pool_generation) {
    // The session that wrote it ended with an open that replayed it, made
    // the pool file durable, and only then advanced the generation.
    check.state = LogHeaderState::older_session;
  } else if (h.pool_generation > pool_generation) {
    check.state = LogHeaderState::newer_session;
  } else {
    check.state = LogHeaderState::current;
  }
  return check;
}

bool log_required(const PoolState& state) noexcept {
  return state.clean == 0 && state.log_generation != 0 && state.log_generation == state.generation;
}

const char* log_damage_kind_name(LogDamage::Kind kind) {
  switch (kind) {
    case LogDamage::Kind::range_outside_heap: return "range outside the heap";
    case LogDamage::Kind::bad_sections: return "record sections do not add up";
    case LogDamage::Kind::durable_record_lost: return "durable record damaged";
  }
  return "damage";
}

LogReader::LogReader(LogSource& source, std::uint64_t salt, std::uint64_t heap_begin, std::uint64_t heap_end)
    : source_(source), salt_(salt), heap_begin_(heap_begin), heap_end_(heap_end), size_(source.size()) {}

bool LogReader::read_record(std::uint64_t at, LogRecord& out) {
  if (at > size_ || size_ - at < sizeof(RecordHeader)) return false;
  if (source_.read(at, &out.header, sizeof out.header) < sizeof out.header) return false;
  const RecordHeader& h = out.header;
  if (h.salt != salt_ || h.header_checksum != log_record_header_checksum(h)) return false;
  // Sizes are checked before anything is allocated or read for them.
  if (h.size < sizeof(RecordHeader) || h.size % 8 != 0 || h.size > size_ - at ||
      h.maintenance_offset < sizeof(RecordHeader) || h.maintenance_offset > h.size || h.maintenance_offset % 8 != 0) {
    return false;
  }
  body_.resize(h.size - sizeof(RecordHeader));
  if (source_.read(at + sizeof(RecordHeader), body_.data(), body_.size()) < body_.size()) return false;
  const std::size_t split = h.maintenance_offset - sizeof(RecordHeader);
  const std::uint64_t first = checksum64(body_.data(), split, salt_);
  if (checksum64(body_.data() + split, body_.size() - split, first) != h.body_checksum) return false;
  out.log_offset = at;
  return true;
}

bool LogReader::split_ranges(LogRecord& record) {
  record.ranges.clear();
  auto bad = [&](LogDamage::Kind kind, const std::string& what) {
    damage_ =
        LogDamage{kind, record.log_offset, "log record at offset " + std::to_string(record.log_offset) + ": " + what};
    return false;
  };
  const std::size_t split = record.header.maintenance_offset - sizeof(RecordHeader);
  // A verified record was written by the runtime, so a range that does not
  // fit its section or the heap means a tampered file.
  auto walk = [&](std::size_t begin, std::size_t end, std::uint32_t count, bool maintenance) {
    std::size_t pos = begin;
    for (std::uint32_t i = 0; i < count; ++i) {
      if (end - pos < sizeof(RangeHeader)) return bad(LogDamage::Kind::bad_sections, "a range runs past its section");
      RangeHeader range;
      std::memcpy(&range, body_.data() + pos, sizeof range);
      pos += sizeof range;
      if (range.offset < heap_begin_ || range.offset > heap_end_ || range.size > heap_end_ - range.offset) {
        return bad(LogDamage::Kind::range_outside_heap, "range points outside the heap (offset " +
                                                            std::to_string(range.offset) + ", size " +
                                                            std::to_string(range.size) + ")");
      }
      if (logformat::padded(range.size) > end - pos) {
        return bad(LogDamage::Kind::bad_sections, "a range runs past its section");
      }
      record.ranges.push_back({range.offset, range.size, body_.data() + pos, maintenance});
      pos += logformat::padded(range.size);
    }
    if (pos != end) return bad(LogDamage::Kind::bad_sections, "its sections do not add up");
    return true;
  };
  return walk(split, body_.size(), record.header.maintenance_ranges, true) &&
         walk(0, split, record.header.ranges, false);
}

bool LogReader::durable_record_after(std::uint64_t stop) {
  // Records start with their generation's salt: look at every later 8-byte
  // step for one that verifies and says the log was durable past `stop`
  // when it was written. Then the record at `stop` had been made durable
  // and was damaged since, which no crash does. Without such proof
  // (records written between the same two syncs, which a crash may persist
  // in any order) the valid prefix is the answer.
  std::vector<std::byte> chunk(std::size_t{1} << 20);
  LogRecord candidate;
  for (std::uint64_t base = stop + 8; base < size_ && size_ - base >= sizeof(RecordHeader); base += chunk.size()) {
    const std::size_t got = source_.read(base, chunk.data(), chunk.size());
    for (std::size_t i = 0; i + 8 <= got; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, chunk.data() + i, 8);
      if (word != salt_) continue;
      if (read_record(base + i, candidate) && candidate.header.durable_before > stop) return true;
    }
    if (got < chunk.size()) break;
  }
  return false;
}

const LogRecord* LogReader::next() {
  if (finished_) return nullptr;
  if (read_record(end_, record_) && record_.header.sequence == records_ + 1) {
    if (!split_ranges(record_)) {
      finished_ = true;
      return nullptr;
    }
    end_ += record_.header.size;
    ++records_;
    return &record_;
  }
  finished_ = true;
  if (durable_record_after(end_)) {
    damage_ = LogDamage{LogDamage::Kind::durable_record_lost, end_,
                        "the record at offset " + std::to_string(end_) +
                            " does not verify, but a later record shows it had been made durable"};
    return nullptr;
  }
  // A record of this generation had begun here: a crash tore it.
  std::uint64_t word = 0;
  torn_ = end_ < size_ && size_ - end_ >= 8 && source_.read(end_, &word, 8) == 8 && word == salt_;
  return nullptr;
}

}  // namespace pschema::format
