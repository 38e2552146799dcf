// The redo log reader on logs built in memory: which headers it accepts,
// the records it yields, where it stops, and what it calls damage rather
// than a crash's torn tail.
#include <doctest/doctest.h>

#include <cstring>

#include "memory_log.hpp"
#include "memory_pool.hpp"
#include "pschema/format/log_reader.hpp"

using namespace format_test;

namespace {

struct Read {
  std::vector<std::uint64_t> offsets;       // where each yielded record starts
  std::vector<std::string> applied;         // "offset=bytes" per range, in order
  std::uint64_t end = 0;
  bool torn = false;
  std::optional<format::LogDamage> damage;
};

Read read_all(const MemoryPool& pool, const MemoryLog& log) {
  format::MemoryLogSource source(log.span());
  format::LogReader reader(source, log.salt, pool.heap_begin(), pool.heap_end());
  Read r;
  while (const format::LogRecord* record = reader.next()) {
    r.offsets.push_back(record->log_offset);
    for (const auto& range : record->ranges) {
      r.applied.push_back(std::to_string(range.offset) + "=" +
                          std::string(reinterpret_cast<const char*>(range.data), range.size));
    }
  }
  CHECK(reader.records() == r.offsets.size());
  r.end = reader.end();
  r.torn = reader.torn_tail();
  r.damage = reader.damage();
  return r;
}

format::LogHeaderState header_state(const MemoryPool& pool, const MemoryLog& log, std::uint64_t generation) {
  format::MemoryLogSource source(log.span());
  return format::check_log_header(source, pool.superblock.uuid, generation).state;
}

MemoryPool test_pool() {
  MemoryPool pool = make_pool(1 << 20);
  for (std::uint8_t i = 0; i < 16; ++i) pool.superblock.uuid[i] = static_cast<std::uint8_t>(i + 1);
  pool.seal();
  return pool;
}

}  // namespace

TEST_CASE("log reader: the header of this pool's current session, an older one, a newer one, another pool") {
  const MemoryPool pool = test_pool();
  const MemoryLog log(pool.superblock.uuid, 5);
  CHECK(header_state(pool, log, 5) == format::LogHeaderState::current);
  CHECK(header_state(pool, log, 6) == format::LogHeaderState::older_session);
  CHECK(header_state(pool, log, 4) == format::LogHeaderState::newer_session);

  std::uint8_t other[16] = {9};
  CHECK(header_state(pool, MemoryLog(other, 5), 5) == format::LogHeaderState::other_pool);

  MemoryLog version = log;
  auto h = version.header();
  h.version = 2;
  version.store_header(h);
  CHECK(header_state(pool, version, 5) == format::LogHeaderState::unknown_version);
}

TEST_CASE("log reader: a header that is short or does not verify is no log") {
  const MemoryPool pool = test_pool();
  MemoryLog log(pool.superblock.uuid, 5);
  log.bytes[20] ^= std::byte{1};  // inside the uuid: the checksum fails
  CHECK(header_state(pool, log, 5) == format::LogHeaderState::none);
  log.bytes.resize(40);
  CHECK(header_state(pool, log, 5) == format::LogHeaderState::none);
  log.bytes.clear();
  CHECK(header_state(pool, log, 5) == format::LogHeaderState::none);
}

TEST_CASE("log reader: records in order, maintenance ranges before the transaction's") {
  const MemoryPool pool = test_pool();
  const std::uint64_t heap = pool.heap_begin();
  MemoryLog log(pool.superblock.uuid, 1);
  const std::uint64_t first = log.append({{heap + 16, "abc"}, {heap + 64, "0123456789"}});
  log.sync();
  const std::uint64_t second = log.append({{heap + 16, "xyz"}}, {{heap + 512, "carved"}});
  const Read r = read_all(pool, log);
  CHECK(r.offsets == std::vector<std::uint64_t>{first, second});
  CHECK(r.applied ==
        std::vector<std::string>{std::to_string(heap + 16) + "=abc", std::to_string(heap + 64) + "=0123456789",
                                 std::to_string(heap + 512) + "=carved", std::to_string(heap + 16) + "=xyz"});
  CHECK(r.end == log.end);
  CHECK_FALSE(r.torn);
  CHECK_FALSE(r.damage);
}

TEST_CASE("log reader: a torn tail ends the records, and is no damage") {
  const MemoryPool pool = test_pool();
  const std::uint64_t heap = pool.heap_begin();
  MemoryLog log(pool.superblock.uuid, 1);
  log.append({{heap + 16, "kept"}});
  const std::uint64_t torn = log.append({{heap + 32, "torn by a crash"}});
  log.bytes[torn + 64 + 16 + 3] ^= std::byte{0x40};  // the body checksum fails
  const Read r = read_all(pool, log);
  CHECK(r.offsets.size() == 1);
  CHECK(r.end == torn);
  CHECK(r.torn);
  CHECK_FALSE(r.damage);
}

TEST_CASE("log reader: records of an older generation (another salt) are not read, and are no torn tail") {
  const MemoryPool pool = test_pool();
  const std::uint64_t heap = pool.heap_begin();
  MemoryLog old_log(pool.superblock.uuid, 1, 111);
  old_log.append({{heap + 16, "old"}});
  old_log.append({{heap + 16, "older"}});
  // A reset: new salt and header, the old records left behind it.
  MemoryLog log(pool.superblock.uuid, 1, 222);
  std::memcpy(old_log.bytes.data(), log.bytes.data(), sizeof(pschema::logformat::LogHeader));
  old_log.salt = 222;
  const Read r = read_all(pool, old_log);
  CHECK(r.offsets.empty());
  CHECK(r.end == pschema::logformat::records_begin);
  CHECK_FALSE(r.torn);
  CHECK_FALSE(r.damage);
}

TEST_CASE("log reader: a bad header checksum or a wrong sequence number ends the records") {
  const MemoryPool pool = test_pool();
  const std::uint64_t heap = pool.heap_begin();
  MemoryLog log(pool.superblock.uuid, 1);
  log.append({{heap + 16, "one"}});
  const std::uint64_t second = log.append({{heap + 16, "two"}});
  SUBCASE("header checksum") { log.bytes[second + 8] ^= std::byte{1}; }
  SUBCASE("sequence") {
    log.rewrite_header(second, [](auto& h) { h.sequence = 5; });
  }
  const Read r = read_all(pool, log);
  CHECK(r.offsets.size() == 1);
  CHECK(r.end == second);
  CHECK_FALSE(r.damage);
}

TEST_CASE("log reader: a verifying record whose range lies outside the heap is damage") {
  const MemoryPool pool = test_pool();
  const std::uint64_t heap = pool.heap_begin();
  MemoryLog log(pool.superblock.uuid, 1);
  log.append({{heap + 16, "fine"}});
  const std::uint64_t bad = log.append({{heap + 16, "moved"}});
  std::uint64_t offset = 0;
  SUBCASE("before the heap") { offset = heap - 8; }
  SUBCASE("past its end") { offset = pool.heap_end() - 2; }
  log.rewrite_body(bad, 0, &offset, sizeof offset);
  const Read r = read_all(pool, log);
  CHECK(r.offsets.size() == 1);
  REQUIRE(r.damage);
  CHECK(r.damage->kind == format::LogDamage::Kind::range_outside_heap);
  CHECK(r.damage->log_offset == bad);
  CHECK(r.damage->message == "log record at offset " + std::to_string(bad) +
                                 ": range points outside the heap (offset " + std::to_string(offset) + ", size 5)");
}

TEST_CASE("log reader: a verifying record whose ranges do not fill its sections is damage") {
  const MemoryPool pool = test_pool();
  const std::uint64_t heap = pool.heap_begin();
  MemoryLog log(pool.superblock.uuid, 1);
  const std::uint64_t bad = log.append({{heap + 16, "abc"}, {heap + 32, "def"}});
  SUBCASE("fewer ranges than it holds") {
    log.rewrite_header(bad, [](auto& h) { h.ranges = 1; });
  }
  SUBCASE("a range longer than its section") {
    const std::uint64_t size = 4096;
    log.rewrite_body(bad, 8, &size, sizeof size);
  }
  const Read r = read_all(pool, log);
  CHECK(r.offsets.empty());
  REQUIRE(r.damage);
  CHECK(r.damage->kind == format::LogDamage::Kind::bad_sections);
}

TEST_CASE("log reader: a record that does not verify before one written after a sync covering it is damage") {
  const MemoryPool pool = test_pool();
  const std::uint64_t heap = pool.heap_begin();
  MemoryLog log(pool.superblock.uuid, 1);
  log.append({{heap + 16, "one"}});
  const std::uint64_t damaged = log.append({{heap + 16, "two"}});
  SUBCASE("a sync covered it: damage") {
    log.sync();
    log.append({{heap + 16, "three"}});
    log.bytes[damaged + 64 + 16] ^= std::byte{1};
    const Read r = read_all(pool, log);
    CHECK(r.offsets.size() == 1);
    CHECK_FALSE(r.torn);  // damage, not a crash's doing
    REQUIRE(r.damage);
    CHECK(r.damage->kind == format::LogDamage::Kind::durable_record_lost);
    CHECK(r.damage->log_offset == damaged);
    CHECK(r.damage->message == "the record at offset " + std::to_string(damaged) +
                                   " does not verify, but a later record shows it had been made durable");
  }
  SUBCASE("written between the same two syncs: a crash may keep any of them, the prefix is the answer") {
    log.append({{heap + 16, "three"}});
    log.bytes[damaged + 64 + 16] ^= std::byte{1};
    const Read r = read_all(pool, log);
    CHECK(r.offsets.size() == 1);
    CHECK(r.torn);
    CHECK_FALSE(r.damage);
  }
}

TEST_CASE("log reader: a record of a header alone (no ranges) is read") {
  const MemoryPool pool = test_pool();
  MemoryLog log(pool.superblock.uuid, 1);
  const std::uint64_t empty = log.append({});
  const Read r = read_all(pool, log);
  CHECK(r.offsets == std::vector<std::uint64_t>{empty});
  CHECK(r.applied.empty());
  CHECK(r.end == empty + sizeof(pschema::logformat::RecordHeader));
  CHECK_FALSE(r.damage);
}

TEST_CASE("log reader: sizes that point past the log are not followed") {
  const MemoryPool pool = test_pool();
  const std::uint64_t heap = pool.heap_begin();
  MemoryLog log(pool.superblock.uuid, 1);
  const std::uint64_t at = log.append({{heap + 16, "abc"}});
  SUBCASE("record size") {
    log.rewrite_header(at, [](auto& h) { h.size = std::uint64_t{1} << 62; });
  }
  SUBCASE("maintenance offset") {
    log.rewrite_header(at, [](auto& h) { h.maintenance_offset = h.size + 8; });
  }
  SUBCASE("a log cut inside the record") { log.bytes.resize(at + 70); }
  const Read r = read_all(pool, log);
  CHECK(r.offsets.empty());
  CHECK(r.end == at);
  CHECK_FALSE(r.damage);
}
