// The journal reader on logs written by hand: what it yields, where the
// log of the transaction in flight ends, and what it calls damage.
#include <doctest/doctest.h>

#include "memory_pool.hpp"
#include "pschema/format/journal_reader.hpp"

using namespace format_test;

namespace {

// Appends entries to one lane's log, as the runtime's Journal writes them.
class LogWriter {
 public:
  LogWriter(MemoryPool& pool, std::uint32_t lane, std::uint64_t sequence)
      : pool_(pool), lane_(lane), sequence_(sequence), at_(pool.lane_offset(lane) + sizeof(format::LaneHeader)) {
    pool_.store(pool.lane_offset(lane), format::LaneHeader{sequence - 1, 0, 0, {}});
  }

  void undo(std::uint64_t offset, const std::string& data) {
    write(format::EntryKind::undo, offset, static_cast<std::uint32_t>(data.size()), data);
  }
  // Moves the log on to [segment, segment + size).
  void continue_at(std::uint64_t segment, std::uint32_t size) {
    write(format::EntryKind::continue_, segment, size, "");
    at_ = segment;
  }
  // Records in the lane header that `count` entries were made durable,
  // checksummed for `sequence` (the transaction in flight's by default).
  void vouch(std::uint64_t count, std::uint64_t sequence = 0) {
    const std::uint64_t lane = pool_.lane_offset(lane_);
    pool_.store(lane + offsetof(format::LaneHeader, durable_entries), count);
    pool_.store(lane + offsetof(format::LaneHeader, durable_check),
                format::durable_entries_checksum(count, sequence == 0 ? sequence_ : sequence, lane_));
  }
  // An entry of an earlier transaction: it does not verify for this one.
  void stale_undo(std::uint64_t offset) {
    const std::uint64_t keep = sequence_;
    sequence_ -= 1;
    undo(offset, "stale");
    sequence_ = keep;
  }

 private:
  void write(format::EntryKind kind, std::uint64_t offset, std::uint32_t size, const std::string& data) {
    format::EntryHeader header{offset, size, static_cast<std::uint32_t>(kind), 0};
    std::memcpy(pool_.bytes.data() + at_ + sizeof header, data.data(), data.size());
    header.checksum = format::entry_checksum(header, pool_.bytes.data() + at_ + sizeof header, sequence_, lane_);
    pool_.store(at_, header);
    at_ += sizeof header + format::round_up(data.size(), 8);
  }

  MemoryPool& pool_;
  std::uint32_t lane_;
  std::uint64_t sequence_;
  std::uint64_t at_;
};

format::JournalReader reader_for(const MemoryPool& pool, std::uint32_t lane) {
  return format::JournalReader(pool.span(), pool.lane_offset(lane), pool.superblock.lane_size, lane, pool.heap_begin(),
                               pool.heap_end());
}

struct ReadLog {
  std::vector<std::pair<std::uint64_t, std::string>> entries;
  std::string damage;
};

ReadLog read_all(format::JournalReader reader) {
  ReadLog log;
  while (const auto entry = reader.next()) {
    log.entries.emplace_back(entry->offset, std::string(reinterpret_cast<const char*>(entry->data), entry->size));
  }
  CHECK_FALSE(reader.next().has_value());  // stays at its end
  log.damage = reader.damage();
  return log;
}

}  // namespace

TEST_CASE("a new pool's lanes hold no log") {
  MemoryPool pool = make_pool(1 << 20);
  format::JournalReader reader = reader_for(pool, 0);
  CHECK(reader.committed_sequence() == 0);
  const ReadLog log = read_all(reader);
  CHECK(log.entries.empty());
  CHECK(log.damage.empty());
}

TEST_CASE("the reader yields the transaction's undo entries, through overflow segments, up to a stale one") {
  MemoryPool pool = make_pool(1 << 20);
  const std::uint64_t heap = pool.heap_begin();
  const std::uint64_t segment = heap + 4096;
  LogWriter log(pool, 3, 17);
  log.undo(heap + 16, "first");
  log.undo(heap + 64, "second, longer than eight bytes");
  log.continue_at(segment, 1024);
  log.undo(heap + 128, "third");
  log.stale_undo(heap + 256);
  log.undo(heap + 512, "after the stale one");  // a crash left it: not this transaction's

  format::JournalReader reader = reader_for(pool, 3);
  CHECK(reader.committed_sequence() == 16);
  const ReadLog read = read_all(reader);
  CHECK(read.damage.empty());
  REQUIRE(read.entries.size() == 3);
  CHECK(read.entries[0] == std::pair<std::uint64_t, std::string>{heap + 16, "first"});
  CHECK(read.entries[1].second == "second, longer than eight bytes");
  CHECK(read.entries[2] == std::pair<std::uint64_t, std::string>{heap + 128, "third"});
  // The same bytes in another lane do not verify there: the lane index
  // seeds the checksums.
  std::memcpy(pool.bytes.data() + pool.lane_offset(2), pool.bytes.data() + pool.lane_offset(3),
              pool.superblock.lane_size);
  CHECK(reader_for(pool, 2).committed_sequence() == 16);
  CHECK(read_all(reader_for(pool, 2)).entries.empty());
}

TEST_CASE("an entry whose data would run past the lane's area ends the log") {
  MemoryPool pool = make_pool(1 << 20);
  LogWriter log(pool, 0, 1);
  log.undo(pool.heap_begin() + 16, "kept");
  // A forged header claiming more data than the lane holds.
  const std::uint64_t at = pool.lane_offset(0) + sizeof(format::LaneHeader) + sizeof(format::EntryHeader) + 8;
  format::EntryHeader header{pool.heap_begin(), static_cast<std::uint32_t>(pool.superblock.lane_size), 1, 0};
  pool.store(at, header);
  const ReadLog read = read_all(reader_for(pool, 0));
  CHECK(read.entries.size() == 1);
  CHECK(read.damage.empty());
}

TEST_CASE("verifying entries with impossible values are damage") {
  MemoryPool pool = make_pool(1 << 20);
  SUBCASE("outside the heap") {
    LogWriter log(pool, 0, 5);
    log.undo(pool.heap_begin() + 16, "fine");
    log.undo(64, "the superblock");
    const ReadLog read = read_all(reader_for(pool, 0));
    CHECK(read.entries.size() == 1);
    CHECK(read.damage == "entry points outside the heap (offset 64, size 14)");
  }
  SUBCASE("a misaligned segment") {
    LogWriter log(pool, 0, 5);
    log.continue_at(pool.heap_begin() + 4100, 256);
    CHECK(read_all(reader_for(pool, 0)).damage == "misaligned log segment");
  }
  SUBCASE("segments chained into a loop") {
    const std::uint64_t segment = pool.heap_begin() + 4096;
    LogWriter log(pool, 0, 5);
    log.continue_at(segment, 64);
    log.continue_at(segment, 64);  // written at the segment's start: it points to itself
    CHECK(read_all(reader_for(pool, 0)).damage == "log is longer than the pool can hold");
  }
}

TEST_CASE("the reader reads nothing outside the bytes it is given") {
  MemoryPool pool = make_pool(1 << 20);
  LogWriter log(pool, 0, 1);
  log.undo(pool.heap_begin() + 16, "in the heap");
  // Bytes ending inside the lane's first entry.
  const std::uint64_t cut = pool.lane_offset(0) + sizeof(format::LaneHeader) + 30;
  format::JournalReader reader(pool.span().first(cut), pool.lane_offset(0), pool.superblock.lane_size, 0,
                               pool.heap_begin(), pool.heap_end());
  const ReadLog read = read_all(reader);
  CHECK(read.entries.empty());
  CHECK(read.damage.empty());
  // Not even the lane header.
  format::JournalReader nothing(pool.span().first(16), pool.lane_offset(0), pool.superblock.lane_size, 0,
                                pool.heap_begin(), pool.heap_end());
  CHECK_FALSE(nothing.next().has_value());
}

TEST_CASE("a log that ends before the entries the lane vouches for as durable is damage, naming the entry") {
  const auto read_with = [](std::uint64_t vouched, std::uint64_t vouched_sequence) {
    MemoryPool pool = make_pool(1 << 20);
    const std::uint64_t heap = pool.heap_begin();
    LogWriter log(pool, 2, 9);
    log.undo(heap + 64, "first");
    log.undo(heap + 128, "second");
    log.stale_undo(heap + 192);  // entry 2 does not verify: torn, or damaged
    log.vouch(vouched, vouched_sequence);
    return read_all(reader_for(pool, 2));
  };
  // Two entries vouched for: entry 2 is the torn tail of a crash.
  ReadLog log = read_with(2, 0);
  CHECK(log.entries.size() == 2);
  CHECK(log.damage.empty());
  // Three: entry 2 had been made durable, so it was damaged since. The
  // reader yields what comes before (the runtime refuses the pool on the
  // damage before it applies any of it).
  log = read_with(3, 0);
  CHECK(log.entries.size() == 2);
  CHECK(log.damage.find("entry 2 (at offset ") != std::string::npos);
  CHECK(log.damage.find("first 3 entries") != std::string::npos);
  // A count left over from an earlier transaction of the lane vouches for nothing.
  log = read_with(3, 8);
  CHECK(log.entries.size() == 2);
  CHECK(log.damage.empty());
}
