// Freeing in a full pool (issue 17, item 6). A transaction that only frees
// still logs a header entry per object, and past the lane's own log area
// it needs an overflow segment: a free heap block of 64 KiB + 16 bytes.
// The journal reserve must keep such a block, not just as many bytes
// scattered over smaller ones (docs/runtime.md 5.4), so that freeing in a
// pool that objects filled always succeeds, and the space is reusable.
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pschema/errors.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Transaction;

namespace {

// The size of the k-th object of a workload.
using Sizes = std::function<std::size_t(std::size_t k)>;

// Allocates objects of `sizes` until the pool is full: transactions of up
// to 256 objects, halved each time one fails with pool_full, down to a
// single object that does not fit. Returns the payload offsets.
std::vector<std::uint64_t> fill(Pool& pool, const Sizes& sizes, std::size_t first = 0) {
  std::vector<std::uint64_t> made;
  std::size_t batch = 256;
  std::size_t k = first;
  for (;;) {
    std::vector<std::uint64_t> these;
    try {
      pool.transaction([&](Transaction& tx) {
        these.clear();
        for (std::size_t i = 0; i < batch; ++i) these.push_back(tx.allocate(sizes(k + i), 9));
      });
    } catch (const pschema::pool_full&) {
      if (batch == 1) return made;
      batch /= 2;
      continue;
    }
    made.insert(made.end(), these.begin(), these.end());
    k += batch;
  }
}

void free_all(Pool& pool, const std::vector<std::uint64_t>& objects, std::size_t from, std::size_t count) {
  pool.transaction([&](Transaction& tx) {
    for (std::size_t i = from; i < from + count; ++i) tx.free(objects[i]);
  });
}

struct Workload {
  const char* name;
  std::size_t big;  // a first object of this many bytes (a vec's buffer), or 0
  Sizes sizes;
};

void check_frees_in_a_full_pool(std::size_t pool_size, pschema::Backend backend, const Workload& workload) {
  test_support::ScratchDir dir;
  const std::string path = dir.file("full.pool");
  pschema::PoolOptions options;
  options.backend = backend;
  Pool pool = Pool::create(path, pool_size, test_support::test_schema(), options);
  const pschema::PoolInfo empty = pool.info();

  std::vector<std::uint64_t> objects;
  if (workload.big != 0) {
    pool.transaction([&](Transaction& tx) { objects.push_back(tx.allocate(workload.big, 9)); });
  }
  const std::vector<std::uint64_t> small = fill(pool, workload.sizes);
  objects.insert(objects.end(), small.begin(), small.end());
  MESSAGE(std::string(workload.name), ": ", objects.size(), " objects fill a pool of ", pool_size, " bytes");
  // Enough objects that freeing ~1000 at once overflows the lane's log area
  // (16 KiB lanes in these pools: about 400 header entries).
  REQUIRE(objects.size() > 1200);

  // One object, then about 1000 in one transaction (an overflow segment),
  // then the rest, 1000 at a time: each commit must succeed.
  const auto logged_before = pool.counters().bytes_logged;
  CHECK_NOTHROW(free_all(pool, objects, 0, 1));
  std::size_t done = 1;
  const std::size_t many = std::min<std::size_t>(1000, objects.size() - done);
  CHECK_NOTHROW(free_all(pool, objects, done, many));
  done += many;
  CHECK(pool.counters().bytes_logged - logged_before > 16 * 1024);  // the log did overflow the lane
  while (done < objects.size()) {
    const std::size_t count = std::min<std::size_t>(1000, objects.size() - done);
    CHECK_NOTHROW(free_all(pool, objects, done, count));
    done += count;
  }
  CHECK(pool.info().allocated_objects == empty.allocated_objects);
  CHECK(pool.info().allocated_bytes == empty.allocated_bytes);

  // The space is reusable: a second fill gets as far as the first (the big
  // object first again, if any), and frees again.
  std::vector<std::uint64_t> again;
  if (workload.big != 0) {
    CHECK_NOTHROW(pool.transaction([&](Transaction& tx) { again.push_back(tx.allocate(workload.big, 9)); }));
  }
  const std::vector<std::uint64_t> refill = fill(pool, workload.sizes);
  again.insert(again.end(), refill.begin(), refill.end());
  CHECK(again.size() * 100 >= objects.size() * 95);
  CHECK_NOTHROW(free_all(pool, again, 0, std::min<std::size_t>(1500, again.size())));

  // And after a reopen (the free lists rebuilt by the heap walk).
  const std::size_t kept = again.size() > 1500 ? again.size() - 1500 : 0;
  pool.close();
  pool = Pool::open(path, test_support::test_schema(), options);
  CHECK(pool.info().allocated_objects == empty.allocated_objects + kept);
}

const Workload workloads[] = {
    {"small boxes", 0, [](std::size_t) { return std::size_t{24}; }},
    {"a big vec, then boxes", 300 * 1024, [](std::size_t) { return std::size_t{40}; }},
    {"strings of many lengths", 0, [](std::size_t k) { return 1 + (k * 37) % 300; }},
};

}  // namespace

TEST_CASE("a transaction that only frees succeeds in a full 1 MiB or 2 MiB pool") {
  for (const std::size_t size : {std::size_t{1} << 20, std::size_t{2} << 20}) {
    for (const auto backend : {pschema::Backend::msync, pschema::Backend::file}) {
      for (const Workload& workload : workloads) {
        CAPTURE(size);
        CAPTURE(static_cast<int>(backend));
        CAPTURE(std::string(workload.name));
        check_frees_in_a_full_pool(size, backend, workload);
      }
    }
  }
}
