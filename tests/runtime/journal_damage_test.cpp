// Damage to the undo journal of an interrupted transaction (issue 17,
// item 1). An entry that a fence had made durable and that no longer
// verifies was damaged after the crash: open must refuse the pool with
// corrupt_pool naming the lane and the entry, not roll back the entries
// before it and leave the ranges of the later ones as the transaction left
// them. A bad entry of the last batch, which no fence covered, is the torn
// tail of an ordinary crash: the entries before it are rolled back as ever.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "die_at_fence.hpp"
#include "io_support.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Site;
using pschema::Transaction;
namespace format = pschema::format;
using io_support::read_file;
using io_support::write_file;
using test_support::DieAtFence;

using test_support::with_backend;

namespace {

template <class T>
T load(const std::vector<char>& bytes, std::uint64_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

// An entry of lane 0's log: where it is and how many of its bytes the
// checksum covers (header and data, not the padding).
struct Entry {
  std::uint64_t offset;
  std::uint64_t covered;
};

constexpr std::uint64_t root_bytes = 256;
constexpr int batches = 5;  // log fences the interrupted transaction reaches; it dies at the last

// A pool whose transaction on lane 0 died at its last log fence: batch 1
// holds two allocation header entries and a data entry, batches 2 to 5 one
// data entry each; batches 1 to 4 were fenced and wrote the root.
struct Interrupted {
  std::vector<char> image;
  std::vector<char> root_before;  // the root as the last commit left it
  std::uint64_t lane_offset = 0;
  std::vector<Entry> entries;  // of the transaction in flight, in log order
  std::uint64_t durable = 0;   // entries the lane header vouches for
};

Interrupted interrupted_pool(const std::string& path) {
  const auto schema = test_support::test_schema();
  {
    Pool pool = Pool::create(path, 1 << 20, schema, with_backend(pschema::Backend::msync));
    pool.transaction([](Transaction& tx) {
      unsigned char pattern[root_bytes];
      for (std::size_t i = 0; i < root_bytes; ++i) pattern[i] = static_cast<unsigned char>(i * 7 + 1);
      tx.write_bytes(tx.at<unsigned char>(tx.root_offset()), pattern, sizeof pattern);
    });
  }
  Interrupted out;
  const auto sb = [&] {
    const std::vector<char> bytes = read_file(path);
    return load<format::Superblock>(bytes, 0);
  }();
  out.lane_offset = sb.lanes_offset;

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      pschema::PoolOptions options;
      options.persistence = std::make_shared<DieAtFence>(Site::log_entry, batches);
      Pool pool = Pool::open(path, schema, options);
      pool.transaction([](Transaction& tx) {
        tx.allocate(100, 7);
        tx.allocate(40, 7);
        auto* root = tx.at<unsigned char>(tx.root_offset());
        const unsigned char ones[64] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        // Ranges of 8, 16, 24, ... bytes: data a multiple of 8, no padding.
        for (int batch = 0; batch < batches; ++batch) {
          tx.write_bytes(root + 48 * batch, ones, 8 * static_cast<std::size_t>(batch + 1));
        }
      });
    } catch (...) {}
    ::_exit(1);  // the transaction was to die at its last log fence
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 42);

  out.image = read_file(path);
  const auto lane = load<format::LaneHeader>(out.image, out.lane_offset);
  const std::uint64_t sequence = lane.committed_sequence + 1;
  REQUIRE(lane.durable_check == format::durable_entries_checksum(lane.durable_entries, sequence, 0));
  out.durable = lane.durable_entries;
  for (std::uint64_t at = out.lane_offset + sizeof(format::LaneHeader);;) {
    const auto header = load<format::EntryHeader>(out.image, at);
    const auto* data = reinterpret_cast<const std::byte*>(out.image.data() + at + sizeof header);
    if (header.kind != static_cast<std::uint32_t>(format::EntryKind::undo) || header.size > 4096 ||
        header.checksum != format::entry_checksum(header, data, sequence, 0)) {
      break;
    }
    out.entries.push_back({at, sizeof header + header.size});
    at += sizeof header + format::round_up(header.size, 8);
  }
  // The root before the interrupted transaction: the pattern committed above.
  out.root_before.assign(root_bytes, 0);
  for (std::size_t i = 0; i < root_bytes; ++i) out.root_before[i] = static_cast<char>(i * 7 + 1);
  return out;
}

// What open says about the image with the byte at `at` changed by `mask`.
std::string open_damaged(const std::string& path, const Interrupted& pool, std::uint64_t at, unsigned char mask,
                         pschema::Backend backend) {
  std::vector<char> image = pool.image;
  image[at] = static_cast<char>(image[at] ^ mask);
  write_file(path, image);
  try {
    Pool opened = Pool::open(path, test_support::test_schema(), with_backend(backend));
    return "opened";
  } catch (const pschema::corrupt_pool& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("a damaged entry the lane vouches for as durable: corrupt_pool naming the lane and the entry") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("damaged.pool");
  const Interrupted pool = interrupted_pool(path);
  // Batch 1 (three entries) and batches 2 to 4: six entries fenced; batch 5
  // was written and never fenced.
  REQUIRE(pool.entries.size() == 7);
  REQUIRE(pool.durable == 6);

  const unsigned seed = test_support::test_seed();
  CAPTURE(seed);
  std::mt19937 random(seed);
  int refused = 0;
  for (std::uint64_t index = 0; index < pool.durable; ++index) {
    const Entry& entry = pool.entries[index];
    // Every byte of the first two entries (header entries) and of the
    // last durable one; a sample of the others.
    const bool every_byte = index < 2 || index + 1 == pool.durable;
    for (std::uint64_t byte = 0; byte < entry.covered; byte += every_byte ? 1 : 5) {
      const auto mask = static_cast<unsigned char>(1 + random() % 255);
      const auto backend = (byte % 2 == 0) ? pschema::Backend::msync : pschema::Backend::file;
      const std::string what = open_damaged(path, pool, entry.offset + byte, mask, backend);
      CAPTURE(index);
      CAPTURE(byte);
      CAPTURE(what);
      REQUIRE(what.find("journal of lane 0: entry " + std::to_string(index) + " (at offset " +
                        std::to_string(entry.offset) + ") is damaged") != std::string::npos);
      ++refused;
    }
  }
  MESSAGE(refused, " damaged images of fenced entries refused");

  // The undamaged image recovers: the check does not refuse a good log.
  write_file(path, pool.image);
  Pool opened = Pool::open(path, test_support::test_schema(), with_backend(pschema::Backend::msync));
  CHECK(opened.info().recovered);
}

TEST_CASE("a damaged entry of the last, unfenced batch is a torn tail: the pool recovers its state before") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("torn.pool");
  const Interrupted pool = interrupted_pool(path);
  REQUIRE(pool.entries.size() == 7);
  REQUIRE(pool.durable == 6);

  const unsigned seed = test_support::test_seed();
  CAPTURE(seed);
  std::mt19937 random(seed);
  const Entry& last = pool.entries.back();
  for (std::uint64_t byte = 0; byte < last.covered; ++byte) {
    const auto mask = static_cast<unsigned char>(1 + random() % 255);
    std::vector<char> image = pool.image;
    image[last.offset + byte] = static_cast<char>(image[last.offset + byte] ^ mask);
    write_file(path, image);
    CAPTURE(byte);
    Pool opened = Pool::open(path, test_support::test_schema(), with_backend(pschema::Backend::msync));
    CHECK(opened.info().recovered);
    CHECK(opened.info().allocated_objects == 1);  // the root alone: both allocations rolled back
    const std::string root = opened.read(
        [](const pschema::ReadView& view) { return std::string(view.at<char>(view.root_offset()), root_bytes); });
    CHECK(root == std::string(pool.root_before.begin(), pool.root_before.end()));
  }
}
