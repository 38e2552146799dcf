// Every way a pool file can be wrong gets its own typed error with a clear
// message; none crashes or reads outside the mapping (the asan build checks
// the latter).
#include <doctest/doctest.h>

#include <cstddef>
#include <fstream>
#include <functional>
#include <vector>

#include "pschema/errors.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using test_support::ScratchDir;
using test_support::small_pool;
using test_support::test_schema;
namespace format = pschema::format;

namespace {

std::vector<char> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::vector<char> bytes(static_cast<std::size_t>(in.tellg()));
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

void write_all(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string make_pool(const ScratchDir& dir, const std::string& name) {
  const std::string path = dir.file(name);
  Pool pool = Pool::create(path, small_pool, test_schema());
  pool.transaction([](pschema::Transaction& tx) { tx.allocate(100, 3); });
  return path;
}

// Changes superblock fields and recomputes its checksum, as a bug in a
// writer (or a hostile file) would produce.
void edit_superblock(const std::string& path, const std::function<void(format::Superblock&)>& edit) {
  auto bytes = read_all(path);
  format::Superblock sb;
  std::memcpy(&sb, bytes.data(), sizeof sb);
  edit(sb);
  sb.checksum = pschema::format::checksum64(&sb, offsetof(format::Superblock, checksum), format::magic);
  std::memcpy(bytes.data(), &sb, sizeof sb);
  write_all(path, bytes);
}

format::Superblock superblock_of(const std::string& path) {
  auto bytes = read_all(path);
  format::Superblock sb;
  std::memcpy(&sb, bytes.data(), sizeof sb);
  return sb;
}

template <class Error>
std::string open_error(const std::string& path) {
  try {
    Pool::open(path, test_schema());
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("wrong exception type: " << e.what());
  }
  FAIL("the pool opened");
  return {};
}

}  // namespace

TEST_CASE("a file that is not a pool: not_a_pool") {
  ScratchDir dir;
  const std::string path = dir.file("text.pool");
  write_all(path, std::vector<char>(5000, 'x'));
  std::string message = open_error<pschema::not_a_pool>(path);
  CHECK(message.find(path) != std::string::npos);
  CHECK(message.find("expected magic") != std::string::npos);

  write_all(path, std::vector<char>(3, 'x'));
  CHECK(open_error<pschema::not_a_pool>(path).find("too short") != std::string::npos);

  write_all(path, {});
  CHECK(open_error<pschema::not_a_pool>(path).find("0 bytes") != std::string::npos);
}

TEST_CASE("an interrupted create (zero magic) says how to recover") {
  ScratchDir dir;
  const std::string path = make_pool(dir, "z.pool");
  auto bytes = read_all(path);
  std::memset(bytes.data(), 0, 8);
  write_all(path, bytes);
  CHECK(open_error<pschema::not_a_pool>(path).find("interrupted create") != std::string::npos);
}

TEST_CASE("a truncated file: truncated_pool") {
  ScratchDir dir;
  const std::string path = make_pool(dir, "t.pool");
  auto bytes = read_all(path);
  bytes.resize(bytes.size() / 2);
  write_all(path, bytes);
  std::string message = open_error<pschema::truncated_pool>(path);
  CHECK(message.find(std::to_string(small_pool)) != std::string::npos);
  CHECK(message.find(std::to_string(small_pool / 2)) != std::string::npos);

  bytes.resize(100);  // shorter than the header itself
  write_all(path, bytes);
  CHECK(open_error<pschema::truncated_pool>(path).find("shorter than a pool header") != std::string::npos);
}

TEST_CASE("a damaged header: checksum_mismatch") {
  ScratchDir dir;
  const std::string path = make_pool(dir, "h.pool");
  auto bytes = read_all(path);
  bytes[offsetof(format::Superblock, heap_size)] ^= 0x10;
  write_all(path, bytes);
  CHECK(open_error<pschema::checksum_mismatch>(path).find("header checksum") != std::string::npos);
}

TEST_CASE("a newer format version: version_too_new") {
  ScratchDir dir;
  const std::string path = make_pool(dir, "v.pool");
  edit_superblock(path, [](format::Superblock& sb) { sb.format_version = format::version + 1; });
  std::string message = open_error<pschema::version_too_new>(path);
  CHECK(message.find("version " + std::to_string(format::version + 1)) != std::string::npos);
}

TEST_CASE("another schema: schema_mismatch names both") {
  ScratchDir dir;
  const std::string path = make_pool(dir, "s.pool");
  try {
    Pool::open(path, test_schema(256, "bank.Ledger", 0x77));
    FAIL("opened");
  } catch (const pschema::schema_mismatch& e) {
    std::string message = e.what();
    CHECK(message.find("'test.Pool'") != std::string::npos);
    CHECK(message.find("'bank.Ledger'") != std::string::npos);
  }
  // Same name, other layout.
  CHECK_THROWS_AS(Pool::open(path, test_schema(256, "test.Pool", 0x1235)), pschema::schema_mismatch);
}

TEST_CASE("offsets out of range: corrupt_pool, for every structural field") {
  ScratchDir dir;
  const std::string original = make_pool(dir, "o.pool");
  const format::Superblock good = superblock_of(original);
  const std::vector<std::pair<const char*, std::function<void(format::Superblock&)>>> cases = {
      {"heap past the end", [](format::Superblock& sb) { sb.heap_size += 1 << 20; }},
      {"heap offset huge", [](format::Superblock& sb) { sb.heap_offset = ~0ULL - 8; }},
      {"heap over the lanes", [&](format::Superblock& sb) { sb.heap_offset = sb.lanes_offset + 16; }},
      {"lane count zero", [](format::Superblock& sb) { sb.lane_count = 0; }},
      {"lane count huge", [](format::Superblock& sb) { sb.lane_count = 1u << 30; }},
      {"lane size huge", [](format::Superblock& sb) { sb.lane_size = 1ULL << 62; }},
      {"schema text huge", [](format::Superblock& sb) { sb.schema_text_size = 1ULL << 40; }},
      {"root outside the heap", [](format::Superblock& sb) { sb.root_offset = sb.pool_size + 64; }},
      {"root misaligned", [](format::Superblock& sb) { sb.root_offset += 8; }},
      {"pool size tiny", [](format::Superblock& sb) { sb.pool_size = 4096; }},
      {"unterminated name", [](format::Superblock& sb) { std::memset(sb.schema_name, 'a', sizeof sb.schema_name); }},
  };
  for (const auto& [what, edit] : cases) {
    CAPTURE(what);
    const std::string path = dir.file("edited.pool");
    write_all(path, read_all(original));
    edit_superblock(path, edit);
    CHECK_THROWS_AS(Pool::open(path, test_schema()), pschema::corrupt_pool);
  }
  (void)good;
}

TEST_CASE("damaged schema text and pool state copies: checksum_mismatch") {
  ScratchDir dir;
  const std::string path = make_pool(dir, "st.pool");
  const auto sb = superblock_of(path);
  auto bytes = read_all(path);
  auto text_byte = bytes;
  text_byte[sb.schema_text_offset + 3] ^= 1;
  write_all(path, text_byte);
  CHECK(open_error<pschema::checksum_mismatch>(path).find("schema text") != std::string::npos);

  auto one_state = bytes;
  one_state[format::state_offset + 8] ^= 1;  // copy 0 damaged: copy 1 still good
  write_all(path, one_state);
  CHECK_NOTHROW(Pool::open(path, test_schema()));

  auto both = read_all(path);
  both[format::state_offset + 8] ^= 1;
  both[format::state_offset + 64 + 8] ^= 1;
  write_all(path, both);
  CHECK(open_error<pschema::checksum_mismatch>(path).find("both copies") != std::string::npos);
}

TEST_CASE("a damaged heap block header: corrupt_pool naming the offset") {
  ScratchDir dir;
  const std::string path = make_pool(dir, "heap.pool");
  const auto sb = superblock_of(path);
  auto bytes = read_all(path);
  // The second block (after the root) is the object allocated in make_pool.
  format::BlockHeader root;
  std::memcpy(&root, bytes.data() + sb.heap_offset, sizeof root);
  const std::uint64_t second = sb.heap_offset + (root.size_and_state & ~format::allocated_bit);

  auto bad_tag = bytes;
  bad_tag[second + offsetof(format::BlockHeader, tag)] ^= 0xFF;
  write_all(path, bad_tag);
  CHECK(open_error<pschema::corrupt_pool>(path).find("offset " + std::to_string(second)) != std::string::npos);

  auto huge = bytes;
  std::uint64_t size = 1ULL << 50 | format::allocated_bit;
  std::memcpy(huge.data() + second, &size, 8);
  write_all(path, huge);
  CHECK(open_error<pschema::corrupt_pool>(path).find("impossible size") != std::string::npos);
}

TEST_CASE("random corruption never crashes open") {
  ScratchDir dir;
  const std::string original = make_pool(dir, "r.pool");
  const auto bytes = read_all(original);
  const std::string path = dir.file("mutated.pool");
  std::uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  int opened = 0, refused = 0;
  for (int round = 0; round < 150; ++round) {
    auto copy = bytes;
    // Flip a few bytes in the metadata-heavy first part of the file.
    const std::size_t region = round % 2 == 0 ? 64 * 1024 : copy.size();
    for (int k = 0; k < 4; ++k) copy[next() % region] ^= static_cast<char>(1 + next() % 255);
    write_all(path, copy);
    try {
      Pool pool = Pool::open(path, test_schema());
      pool.transaction([](pschema::Transaction& tx) { tx.allocate(64, 2); });
      ++opened;
    } catch (const pschema::error&) {
      ++refused;
    }
  }
  CHECK(opened + refused == 150);
  CHECK(refused > 0);
}
