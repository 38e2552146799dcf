// Creating, opening, closing and reopening pools.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "pschema/errors.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Transaction;
using test_support::ScratchDir;
using test_support::small_pool;
using test_support::test_schema;

namespace {

void write_root_text(Pool& pool, const char* text) {
  pool.transaction([&](Transaction& tx) {
    char* root = tx.at<char>(tx.root_offset());
    tx.write_bytes(root, text, std::strlen(text) + 1);
  });
}

std::string read_root_text(const Pool& pool) {
  return pool.read([](const pschema::ReadView& view) { return std::string(view.at<char>(view.root_offset())); });
}

}  // namespace

TEST_CASE("a created pool keeps committed data across close and reopen") {
  ScratchDir dir;
  const auto schema = test_schema();
  {
    Pool pool = Pool::create(dir.file("a.pool"), small_pool, schema);
    CHECK(read_root_text(pool).empty());  // the root starts zeroed
    write_root_text(pool, "hello");
  }
  Pool pool = Pool::open(dir.file("a.pool"), schema);
  CHECK(read_root_text(pool) == "hello");
  CHECK(pool.info().schema_name == "test.Pool");
  CHECK(pool.info().schema_text == schema.text);
  CHECK(pool.info().size == small_pool);
  CHECK_FALSE(pool.info().recovered);
}

TEST_CASE("open_or_create creates once, then opens") {
  ScratchDir dir;
  const auto schema = test_schema();
  {
    Pool pool = Pool::open_or_create(dir.file("b.pool"), small_pool, schema);
    write_root_text(pool, "first");
  }
  Pool pool = Pool::open_or_create(dir.file("b.pool"), small_pool, schema);
  CHECK(read_root_text(pool) == "first");
}

TEST_CASE("create refuses an existing file and sizes below the minimum") {
  ScratchDir dir;
  const auto schema = test_schema();
  { Pool pool = Pool::create(dir.file("c.pool"), small_pool, schema); }
  CHECK_THROWS_AS(Pool::create(dir.file("c.pool"), small_pool, schema), pschema::io_error);
  CHECK_THROWS_AS(Pool::create(dir.file("tiny.pool"), 4096, schema), pschema::usage_error);
  CHECK_FALSE(std::filesystem::exists(dir.file("tiny.pool")));
}

TEST_CASE("the generation changes at every open") {
  ScratchDir dir;
  const auto schema = test_schema();
  std::uint64_t first = 0;
  {
    Pool pool = Pool::create(dir.file("g.pool"), small_pool, schema);
    first = pool.generation();
  }
  std::uint64_t second = Pool::open(dir.file("g.pool"), schema).generation();
  std::uint64_t third = Pool::open(dir.file("g.pool"), schema).generation();
  CHECK(second > first);
  CHECK(third > second);
}

TEST_CASE("several pools, including two of the same schema, are open at once and stay separate") {
  ScratchDir dir;
  const auto schema = test_schema();
  const auto other = test_schema(128, "test.Other", 0x999);
  Pool a = Pool::create(dir.file("a.pool"), small_pool, schema);
  Pool b = Pool::create(dir.file("b.pool"), small_pool, schema);
  Pool c = Pool::create(dir.file("c.pool"), small_pool, other);
  write_root_text(a, "in a");
  write_root_text(b, "in b");
  write_root_text(c, "in c");
  CHECK(read_root_text(a) == "in a");
  CHECK(read_root_text(b) == "in b");
  CHECK(read_root_text(c) == "in c");
  CHECK(a.instance_id() != b.instance_id());
  // A transaction on one pool inside a transaction on another is independent.
  a.transaction([&](Transaction&) { write_root_text(b, "nested b"); });
  CHECK(read_root_text(b) == "nested b");
}

TEST_CASE("a pool works when mapped at a different address on each open") {
  ScratchDir dir;
  const auto schema = test_schema();
  std::uint64_t node_offset = 0;
  std::byte* first_base = nullptr;
  {
    Pool pool = Pool::create(dir.file("m.pool"), small_pool, schema);
    first_base = pschema::unsafe::base(pool);
    // A two-node chain linked by offsets.
    pool.transaction([&](Transaction& tx) {
      node_offset = tx.allocate(16, 7);
      std::uint64_t second = tx.allocate(16, 7);
      tx.at<std::uint64_t>(node_offset)[0] = second;
      tx.at<std::uint64_t>(second)[1] = 4242;
      tx.write(*tx.at<std::uint64_t>(tx.root_offset()), node_offset);
    });
  }
  // Occupy the old address so the next mapping must land elsewhere.
  void* blocker = mmap(first_base, small_pool, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  REQUIRE(blocker != MAP_FAILED);
  {
    Pool pool = Pool::open(dir.file("m.pool"), schema);
    CHECK(pschema::unsafe::base(pool) != first_base);
    pool.read([&](const pschema::ReadView& view) {
      std::uint64_t head = *view.at<std::uint64_t>(view.root_offset());
      CHECK(head == node_offset);
      std::uint64_t next = view.at<std::uint64_t>(head)[0];
      CHECK(view.at<std::uint64_t>(next)[1] == 4242);
    });
  }
  munmap(blocker, small_pool);
}

TEST_CASE("opening a pool that is already open fails with pool_in_use") {
  ScratchDir dir;
  const auto schema = test_schema();
  Pool pool = Pool::create(dir.file("busy.pool"), small_pool, schema);
  CHECK_THROWS_AS(Pool::open(dir.file("busy.pool"), schema), pschema::pool_in_use);
  pool.close();
  CHECK_NOTHROW(Pool::open(dir.file("busy.pool"), schema));
}

TEST_CASE("a moved-from pool is closed and says so") {
  ScratchDir dir;
  Pool a = Pool::create(dir.file("mv.pool"), small_pool, test_schema());
  Pool b = std::move(a);
  CHECK_FALSE(a.is_open());  // NOLINT(bugprone-use-after-move): that is the point
  CHECK(b.is_open());
  CHECK_THROWS_AS(a.read([](const pschema::ReadView&) { return 0; }), pschema::usage_error);
}

TEST_CASE("close inside a transaction of the same pool is refused") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("cl.pool"), small_pool, test_schema());
  pool.transaction([&](Transaction&) { CHECK_THROWS_AS(pool.close(), pschema::usage_error); });
  CHECK(pool.is_open());
}

TEST_CASE("each persistence backend can be chosen") {
  ScratchDir dir;
  const auto schema = test_schema();
  for (auto [backend, name] : {std::pair{pschema::Backend::pmem, "pmem"}, std::pair{pschema::Backend::msync, "msync"},
                               std::pair{pschema::Backend::file, "file"}}) {
    pschema::PoolOptions options;
    options.backend = backend;
    const std::string path = dir.file(std::string(name) + ".pool");
    {
      Pool pool = Pool::create(path, small_pool, schema, options);
      CHECK(pool.info().backend == name);
      write_root_text(pool, "durable");
    }
    Pool pool = Pool::open(path, schema, options);
    CHECK(read_root_text(pool) == "durable");
  }
}

TEST_CASE("open maps the very file it validated and locked, while other files are renamed over its path") {
  // Two pools whose roots hold their own UUIDs; a thread keeps renaming
  // hard links of one and the other over `path`. Mapping the path again
  // after the checks would now and then run on the other file (its data
  // under this file's header and lock): 7 of 1000 opens did.
  ScratchDir dir;
  const std::string path = dir.file("swapped.pool");
  const std::string sources[2] = {dir.file("a.pool"), dir.file("b.pool")};
  for (const std::string& source : sources) {
    Pool pool = Pool::create(source, small_pool, test_schema());
    write_root_text(pool, pool.info().uuid.c_str());
  }
  REQUIRE(::link(sources[0].c_str(), path.c_str()) == 0);
  std::atomic<bool> stop{false};
  std::atomic<long> renames{0};
  std::thread renamer([&] {
    const std::string staging = dir.file("staging");
    for (unsigned i = 0; !stop.load(); ++i) {
      // (rename between two links of one file does nothing: unlink after.)
      if (::link(sources[i % 2].c_str(), staging.c_str()) == 0 && ::rename(staging.c_str(), path.c_str()) == 0) {
        renames.fetch_add(1);
      }
      ::unlink(staging.c_str());
    }
  });
  pschema::PoolOptions options;
  options.backend = pschema::Backend::msync;  // the mapping is what is tested; no log file to race with
  int mismatches = 0;
  for (int i = 0; i < 1000; ++i) {
    Pool pool = Pool::open(path, test_schema(), options);
    if (read_root_text(pool) != pool.info().uuid) ++mismatches;
  }
  stop.store(true);
  renamer.join();
  CHECK(renames.load() > 0);
  CHECK(mismatches == 0);
}

TEST_CASE("a new pool and its log are the owner's alone by default, and create_mode chooses") {
  ScratchDir dir;
  const mode_t old_umask = ::umask(022);
  auto mode_of = [](const std::string& file) {
    struct stat st{};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    return st.st_mode & 0777;
  };
  {
    Pool pool = Pool::create(dir.file("private.pool"), small_pool, test_schema());
    CHECK(mode_of(dir.file("private.pool")) == 0600);
    if (pool.info().backend == "file") CHECK(mode_of(dir.file("private.pool.wal")) == 0600);
  }
  pschema::PoolOptions shared;
  shared.create_mode = 0640;
  shared.backend = pschema::Backend::file;
  {
    Pool pool = Pool::create(dir.file("group.pool"), small_pool, test_schema(), shared);
    CHECK(mode_of(dir.file("group.pool")) == 0640);
    CHECK(mode_of(dir.file("group.pool.wal")) == 0640);
  }
  ::umask(old_umask);
}

TEST_CASE("opening a pool file with holes reserves its blocks first") {
  ScratchDir dir;
  const std::string path = dir.file("sparse.pool");
  {
    Pool pool = Pool::create(path, small_pool, test_schema());
    write_root_text(pool, "kept");
  }
  // Punch out the unused tail of the heap, as a sparse copy would leave it.
  {
    const int fd = ::open(path.c_str(), O_RDWR);
    REQUIRE(fd >= 0);
    const off_t hole = small_pool / 2;
    REQUIRE(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, hole, small_pool - hole) == 0);
    ::close(fd);
  }
  auto backed_bytes = [&] {
    struct stat st{};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<std::uint64_t>(st.st_blocks) * 512;
  };
  REQUIRE(backed_bytes() < small_pool);
  Pool pool = Pool::open(path, test_schema());
  CHECK(backed_bytes() >= small_pool);
  CHECK(read_root_text(pool) == "kept");
}
