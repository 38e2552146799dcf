// The layout plan and the header checks: every plan passes the checks, and
// each kind of damage is refused with its own fault.
#include <doctest/doctest.h>

#include <algorithm>

#include "memory_pool.hpp"
#include "pschema/format/header_check.hpp"

using namespace format_test;

namespace {

std::optional<format::HeaderError> check(const MemoryPool& pool, std::uint64_t file_size) {
  const std::uint64_t head = std::min<std::uint64_t>(file_size, sizeof(format::Superblock));
  return format::check_superblock(pool.span().first(head), file_size);
}

format::HeaderFault fault_of(const MemoryPool& pool) {
  const auto problem = check(pool, pool.bytes.size());
  REQUIRE(problem.has_value());
  return problem->fault;
}

}  // namespace

TEST_CASE("every layout plan makes a header the checks accept") {
  for (std::uint64_t size : {std::uint64_t{1} << 20, std::uint64_t{3} << 20, std::uint64_t{64} << 20}) {
    for (std::uint32_t lanes : {0u, 1u, 8u, 64u}) {
      if (size == (std::uint64_t{1} << 20) && lanes == 64) continue;  // no room for a heap: refused below
      CAPTURE(size);
      CAPTURE(lanes);
      MemoryPool pool = make_pool(size, lanes);
      CHECK_FALSE(check(pool, size).has_value());
      const format::Superblock& sb = pool.superblock;
      CHECK(sb.lane_count == (lanes == 0 ? format::default_lanes : lanes));
      CHECK(sb.lane_size >= format::min_lane_size);
      CHECK(sb.lane_size <= format::max_lane_size);
      CHECK(sb.heap_offset + sb.heap_size <= size);
      CHECK(sb.heap_size >= format::min_heap_size);
    }
  }
}

TEST_CASE("the layout plan refuses what cannot be a pool") {
  auto refusal = [](const format::LayoutRequest& request) {
    const auto planned = format::plan_layout(request);
    const auto* refused = std::get_if<format::LayoutRefusal>(&planned);
    return refused == nullptr ? std::string() : refused->message;
  };
  CHECK(refusal({1000, 4, 10, 0, 8}) == "a pool needs at least 1048576 bytes, asked for 1000");
  CHECK(refusal({1 << 20, 0, 10, 0, 8}) == "schema name must be 1 to 63 bytes long");
  CHECK(refusal({1 << 20, 64, 10, 0, 8}) == "schema name must be 1 to 63 bytes long");
  CHECK(refusal({1 << 20, 4, 10, 65, 8}) == "at most 64 lanes");
  CHECK(refusal({1 << 20, 4, 10, 64, 8}) ==
        "a pool of 1048576 bytes has no room for a heap after its 64 journal lanes and 10 bytes of schema text; "
        "make it larger");
  CHECK(refusal({1 << 20, 4, 10, 8, 8}).empty());
}

TEST_CASE("the superblock checks name the fault, in open's order") {
  MemoryPool pool = make_pool(1 << 20);
  SUBCASE("too short for a magic number") {
    const auto problem = check(pool, 5);
    REQUIRE(problem);
    CHECK(problem->fault == format::HeaderFault::not_a_pool);
    CHECK(problem->message == "the file is 5 bytes long, too short to be a pool");
  }
  SUBCASE("a zero magic: an interrupted create") {
    pool.store(0, std::uint64_t{0});
    const auto problem = check(pool, pool.bytes.size());
    REQUIRE(problem);
    CHECK(problem->fault == format::HeaderFault::not_a_pool);
    CHECK(problem->message.find("interrupted create") != std::string::npos);
  }
  SUBCASE("shorter than a superblock") {
    const auto problem = check(pool, 100);
    REQUIRE(problem);
    CHECK(problem->fault == format::HeaderFault::truncated);
  }
  SUBCASE("fewer bytes given than the file holds") {
    CHECK(format::check_superblock(pool.span().first(16), pool.bytes.size())->fault == format::HeaderFault::truncated);
  }
  SUBCASE("a newer version, even with a checksum that does not verify") {
    pool.superblock.format_version = format::version + 1;
    pool.store(0, pool.superblock);
    CHECK(fault_of(pool) == format::HeaderFault::version_too_new);
  }
  SUBCASE("a field changed without its checksum") {
    pool.superblock.lane_count = 9;
    pool.store(0, pool.superblock);
    CHECK(fault_of(pool) == format::HeaderFault::damaged);
  }
  SUBCASE("an older version with a checksum that verifies") {
    pool.superblock.format_version = 0;
    pool.seal();
    CHECK(fault_of(pool) == format::HeaderFault::corrupt);
  }
  SUBCASE("a pool larger than the file") {
    const auto problem = check(pool, pool.bytes.size() - 1);
    REQUIRE(problem);
    CHECK(problem->fault == format::HeaderFault::truncated);
  }
  SUBCASE("impossible fields whose checksum verifies") {
    std::vector<std::pair<std::string, void (*)(format::Superblock&)>> edits = {
        {"superblock size 100, expected 216", [](format::Superblock& sb) { sb.superblock_size = 100; }},
        {"lane count 0", [](format::Superblock& sb) { sb.lane_count = 0; }},
        {"lane size 4097", [](format::Superblock& sb) { sb.lane_size = 4097; }},
        {"root object at ", [](format::Superblock& sb) { sb.root_offset = sb.pool_size; }},
        {"heap of ", [](format::Superblock& sb) { sb.heap_size = ~std::uint64_t{0} - 15; }},
        {"schema name is not terminated", [](format::Superblock& sb) { std::memset(sb.schema_name, 'x', 64); }},
    };
    for (const auto& [words, edit] : edits) {
      CAPTURE(words);
      MemoryPool damaged = make_pool(1 << 20);
      edit(damaged.superblock);
      damaged.seal();
      const auto problem = check(damaged, damaged.bytes.size());
      REQUIRE(problem);
      CHECK(problem->fault == format::HeaderFault::corrupt);
      CHECK(problem->message.find("header offsets out of range: " + words) == 0);
    }
  }
}

TEST_CASE("the schema text must match its checksum") {
  MemoryPool pool = make_pool(1 << 20, 0, "package p;");
  auto text = pool.span().subspan(format::schema_text_offset, pool.superblock.schema_text_size);
  CHECK_FALSE(format::check_schema_text(pool.superblock, text));
  pool.bytes[format::schema_text_offset] = std::byte{'P'};
  const auto problem = format::check_schema_text(pool.superblock, text);
  REQUIRE(problem);
  CHECK(problem->fault == format::HeaderFault::damaged);
}

TEST_CASE("the current PoolState copy is the valid one with the higher sequence") {
  format::PoolState copies[2]{};
  auto seal = [&](unsigned copy, std::uint64_t sequence) {
    copies[copy].sequence = sequence;
    copies[copy].checksum = format::state_checksum(copies[copy], copy);
  };
  seal(0, 4);
  seal(1, 5);
  CHECK(format::check_state_copies(copies).current == 1);
  copies[1].generation = 99;  // torn: no longer verifies
  format::StateCopies found = format::check_state_copies(copies);
  CHECK(found.current == 0);
  CHECK(found.valid[0]);
  CHECK_FALSE(found.valid[1]);
  // A copy written into the other copy's slot does not verify there.
  copies[1] = copies[0];
  CHECK_FALSE(format::check_state_copies(copies).valid[1]);
  copies[0].clean = 1;
  CHECK(format::check_state_copies(copies).current == -1);
}
