// Journal cases found by reading the code, each once a real failure:
// stale entries outliving a crash, and a hostile log rewriting itself.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <memory>

#include "crash_support.hpp"
#include "die_at_fence.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Site;
using pschema::Transaction;
namespace format = pschema::format;
using test_support::DieAtFence;

namespace {

// Runs `body` in a child process; returns its exit status, or -signal.
template <class Body>
int in_child(Body body) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      body();
    } catch (const pschema::error&) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

format::Superblock read_superblock(const std::string& path) {
  format::Superblock sb{};
  int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(::pread(fd, &sb, sizeof sb, 0) == static_cast<ssize_t>(sizeof sb));
  ::close(fd);
  return sb;
}

}  // namespace

TEST_CASE("entries a crash left behind a torn one never count for the next transaction") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("seq.pool");
  const auto schema = test_support::test_schema();
  { Pool pool = Pool::create(path, test_support::small_pool, schema); }

  // T1 appends four allocation entries (unfenced) and dies at the fence
  // before their headers would be written.
  CHECK(in_child([&] {
          pschema::PoolOptions options;
          options.persistence = std::make_shared<DieAtFence>(Site::log_before_headers, 1);
          Pool pool = Pool::open(path, schema, options);
          pool.transaction([](Transaction& tx) {
            for (int i = 0; i < 4; ++i) tx.allocate(32, 7);
          });
        }) == 42);
  // The crash lost the first cache line of the log: T1's later entries
  // still verify for T1's sequence number.
  const auto sb = read_superblock(path);
  int fd = ::open(path.c_str(), O_RDWR);
  const char zeros[64] = {};
  REQUIRE(::pwrite(fd, zeros, sizeof zeros, static_cast<off_t>(sb.lanes_offset + 64)) == 64);
  ::close(fd);
  // T2 on the same lane dies just before its commit mark...
  CHECK(in_child([&] {
          pschema::PoolOptions options;
          options.persistence = std::make_shared<DieAtFence>(Site::commit_data, 1);
          Pool pool = Pool::open(path, schema, options);
          pool.transaction([](Transaction& tx) {
            tx.allocate(48, 7);
            tx.allocate(48, 7);
            char bytes[16] = {1};
            tx.write_bytes(tx.at<char>(tx.root_offset()), bytes, sizeof bytes);
          });
        }) == 42);
  // ...and recovery must roll back T2 alone, not T1's leftovers with it.
  Pool pool = Pool::open(path, schema);
  CHECK(pool.info().allocated_objects == 1);
  CHECK(pool.read([](const pschema::ReadView& v) { return *v.at<char>(v.root_offset()); }) == 0);
}

TEST_CASE("a hostile log whose entries overwrite each other cannot make recovery write outside the pool") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("hostile.pool");
  const auto schema = test_support::test_schema();
  { Pool pool = Pool::create(path, test_support::small_pool, schema); }
  const auto sb = read_superblock(path);
  // Forged entries for the transaction in flight of lane 0 (sequence 1 after
  // the open that created... the lane's committed sequence is still 0).
  const auto committed = [&] {
    format::LaneHeader lane{};
    int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(::pread(fd, &lane, sizeof lane, static_cast<off_t>(sb.lanes_offset)) == sizeof lane);
    ::close(fd);
    return lane.committed_sequence;
  }();
  auto sign = [&](format::EntryHeader& h, const void* data) {
    const std::uint64_t seed = (committed + 1) * 0x9E3779B97F4A7C15ULL + 0;
    std::uint64_t sum = pschema::format::checksum64(&h, offsetof(format::EntryHeader, checksum), seed);
    h.checksum = h.kind == 1 ? pschema::format::checksum64(data, h.size, sum) : sum;
  };
  const std::uint64_t segment = sb.heap_offset + 8192;  // inside the free block
  format::EntryHeader to_segment{segment, 4096, 2, 0};
  sign(to_segment, nullptr);
  // In the segment: entry B restores 8 bytes of the root; entry C, newer and
  // so applied first, rewrites B's header to claim a huge size.
  unsigned char bytes[80] = {};
  format::EntryHeader b{sb.root_offset, 8, 1, 0};
  const std::uint64_t b_data = 0;
  sign(b, &b_data);
  format::EntryHeader forged{sb.root_offset, 0x7FFFFFF0u, 1, 0};
  format::EntryHeader c{segment, 24, 1, 0};
  sign(c, &forged);
  std::memcpy(bytes, &b, 24);
  std::memcpy(bytes + 24, &b_data, 8);
  std::memcpy(bytes + 32, &c, 24);
  std::memcpy(bytes + 56, &forged, 24);
  int fd = ::open(path.c_str(), O_RDWR);
  REQUIRE(::pwrite(fd, &to_segment, sizeof to_segment, static_cast<off_t>(sb.lanes_offset + 64)) == sizeof to_segment);
  REQUIRE(::pwrite(fd, bytes, sizeof bytes, static_cast<off_t>(segment)) == sizeof bytes);
  ::close(fd);
  // Opening may succeed or refuse the file; it must not die on a signal.
  const int status = in_child([&] { Pool pool = Pool::open(path, schema); });
  CHECK(status >= 0);
}
