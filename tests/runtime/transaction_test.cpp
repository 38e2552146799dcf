// Transactions: atomicity, rollback on exceptions, nesting, durability
// costs (fences), full pools, large transactions.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "pschema/errors.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Transaction;
using test_support::ScratchDir;
using test_support::small_pool;
using test_support::test_schema;

namespace {

struct Root {
  std::uint64_t values[32];
};

std::uint64_t value_at(const Pool& pool, int i) {
  return pool.read([&](const pschema::ReadView& v) { return v.at<Root>(v.root_offset())->values[i]; });
}

}  // namespace

TEST_CASE("an exception in the body rolls back every change and allocation, then propagates") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("t.pool"), small_pool, test_schema());
  pool.transaction([](Transaction& tx) {
    Root* root = tx.at<Root>(tx.root_offset());
    for (int i = 0; i < 32; ++i) tx.write(root->values[i], std::uint64_t(i));
  });
  const auto objects_before = pool.info().allocated_objects;
  const auto bytes_before = pool.info().allocated_bytes;

  CHECK_THROWS_WITH_AS(pool.transaction([](Transaction& tx) {
    Root* root = tx.at<Root>(tx.root_offset());
    for (int i = 0; i < 32; ++i) tx.write(root->values[i], std::uint64_t(1000 + i));
    tx.write(root->values[3], std::uint64_t(7));  // written twice
    std::uint64_t obj = tx.allocate(5000, 9);
    tx.write(root->values[0], obj);
    throw std::runtime_error("changed my mind");
  }),
                       "changed my mind", std::runtime_error);

  for (int i = 0; i < 32; ++i) CHECK(value_at(pool, i) == std::uint64_t(i));
  CHECK(pool.info().allocated_objects == objects_before);
  CHECK(pool.info().allocated_bytes == bytes_before);
  CHECK(pool.counters().transactions_aborted == 1);
  // The pool stays usable.
  pool.transaction([](Transaction& tx) { tx.write(tx.at<Root>(tx.root_offset())->values[5], std::uint64_t(55)); });
  CHECK(value_at(pool, 5) == 55);
}

TEST_CASE("nested transactions flatten into the outermost") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("n.pool"), small_pool, test_schema());
  SUBCASE("inner changes commit with the outer") {
    pool.transaction([&](Transaction& outer) {
      outer.write(outer.at<Root>(outer.root_offset())->values[0], std::uint64_t(1));
      pool.transaction([&](Transaction& inner) {
        CHECK(&inner == &outer);
        inner.write(inner.at<Root>(inner.root_offset())->values[1], std::uint64_t(2));
      });
      // A read inside the transaction sees its own writes (and does not deadlock).
      CHECK(pool.read([](const pschema::ReadView& v) { return v.at<Root>(v.root_offset())->values[1]; }) == 2);
    });
    CHECK(value_at(pool, 0) == 1);
    CHECK(value_at(pool, 1) == 2);
    CHECK(pool.counters().transactions_committed == 1);
  }
  SUBCASE("an outer exception rolls back the inner changes too") {
    CHECK_THROWS(pool.transaction([&](Transaction& outer) {
      pool.transaction(
          [&](Transaction& inner) { inner.write(inner.at<Root>(inner.root_offset())->values[1], std::uint64_t(2)); });
      outer.write(outer.at<Root>(outer.root_offset())->values[0], std::uint64_t(1));
      throw std::logic_error("outer fails");
    }));
    CHECK(value_at(pool, 0) == 0);
    CHECK(value_at(pool, 1) == 0);
  }
  SUBCASE("an inner exception caught by the outer body still rolls back everything") {
    CHECK_THROWS_AS(pool.transaction([&](Transaction& outer) {
      outer.write(outer.at<Root>(outer.root_offset())->values[0], std::uint64_t(1));
      try {
        pool.transaction([&](Transaction& inner) {
          inner.write(inner.at<Root>(inner.root_offset())->values[1], std::uint64_t(2));
          throw std::logic_error("inner fails");
        });
      } catch (const std::logic_error&) {}
    }),
                    pschema::usage_error);
    CHECK(value_at(pool, 0) == 0);
    CHECK(value_at(pool, 1) == 0);
  }
}

TEST_CASE("transaction returns the body's result") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("r.pool"), small_pool, test_schema());
  int result = pool.transaction([](Transaction&) { return 42; });
  CHECK(result == 42);
}

TEST_CASE("fence count: k logged ranges cost k + 2 fences, writes inside new objects cost none") {
  ScratchDir dir;
  pschema::PoolOptions options;
  options.backend = pschema::Backend::pmem;
  Pool pool = Pool::create(dir.file("f.pool"), small_pool, test_schema(), options);

  auto fences_of = [&](auto&& body) {
    auto before = pool.counters().fences;
    pool.transaction(body);
    return pool.counters().fences - before;
  };
  CHECK(fences_of([](Transaction&) {}) == 0);
  CHECK(fences_of([](Transaction& tx) { tx.write(tx.at<Root>(tx.root_offset())->values[0], std::uint64_t(1)); }) == 3);
  CHECK(fences_of([](Transaction& tx) {
          Root* root = tx.at<Root>(tx.root_offset());
          for (int i = 0; i < 5; ++i) tx.write(root->values[i], std::uint64_t(i + 1));
          tx.write(root->values[2], std::uint64_t(9));  // already logged: no new fence
        }) == 7);
  // Warm the allocator: the first allocation of a size carves free blocks
  // (two maintenance fences), later ones come from the lane's cache.
  pool.transaction([](Transaction& tx) { tx.allocate(48, 5); });
  // An allocation whose entry is covered by a later log fence: 1 + 2.
  CHECK(fences_of([](Transaction& tx) {
          std::uint64_t obj = tx.allocate(48, 5);
          for (int i = 0; i < 6; ++i) tx.write(tx.at<std::uint64_t>(obj)[i], std::uint64_t(i));
          tx.write(tx.at<Root>(tx.root_offset())->values[0], obj);
        }) == 3);
  // An allocation alone needs one fence before its header is written.
  CHECK(fences_of([](Transaction& tx) { tx.allocate(48, 5); }) == 3);
}

TEST_CASE("log_whole: several ranges behind one fence, writes inside them free, rollback restores all") {
  ScratchDir dir;
  pschema::PoolOptions options;
  options.backend = pschema::Backend::pmem;
  Pool pool = Pool::create(dir.file("w.pool"), small_pool, test_schema(), options);
  pool.transaction([](Transaction& tx) {
    Root* root = tx.at<Root>(tx.root_offset());
    for (int i = 0; i < 32; ++i) tx.write(root->values[i], std::uint64_t(i));
  });

  auto counted = [&](auto&& body) {
    const auto before = pool.counters();
    pool.transaction(body);
    return pool.counters() - before;
  };
  // Two disjoint ranges logged whole: one fence for both, then writes
  // anywhere inside either, in any order, log nothing more.
  const auto costs = counted([](Transaction& tx) {
    Root* root = tx.at<Root>(tx.root_offset());
    tx.log_whole({{&root->values[0], 8 * sizeof(std::uint64_t)}, {&root->values[16], 8 * sizeof(std::uint64_t)}});
    for (int i = 7; i >= 0; --i) {
      tx.write(root->values[i], std::uint64_t(100 + i));
      tx.write(root->values[16 + i], std::uint64_t(200 + i));
    }
  });
  CHECK(costs.fences == 3);  // one for the log, two for the commit
  CHECK(costs.ranges_logged == 2);
  CHECK(value_at(pool, 3) == 103);
  CHECK(value_at(pool, 20) == 204);

  // A write just past a whole range is logged on its own.
  const auto outside = counted([](Transaction& tx) {
    Root* root = tx.at<Root>(tx.root_offset());
    tx.log_whole({{&root->values[0], 8 * sizeof(std::uint64_t)}});
    tx.write(root->values[8], std::uint64_t(1));
    tx.write(root->values[1], std::uint64_t(1));
  });
  CHECK(outside.ranges_logged == 2);
  CHECK(outside.fences == 4);

  // Logged field first, then the whole object: rollback still restores the
  // value from before the transaction (entries are undone newest first).
  CHECK_THROWS_AS(pool.transaction([](Transaction& tx) {
    Root* root = tx.at<Root>(tx.root_offset());
    tx.write(root->values[2], std::uint64_t(999));
    tx.log_whole({{root, sizeof(Root)}});
    for (int i = 0; i < 32; ++i) tx.write(root->values[i], std::uint64_t(5000));
    throw std::runtime_error("abort");
  }),
                  std::runtime_error);
  CHECK(value_at(pool, 0) == 100);
  CHECK(value_at(pool, 2) == 102);
  CHECK(value_at(pool, 8) == 1);
  CHECK(value_at(pool, 31) == 31);

  // Ranges outside the heap are refused like any write.
  CHECK_THROWS_AS(pool.transaction([](Transaction& tx) { tx.log_whole({{tx.base(), 8}}); }), pschema::usage_error);
}

TEST_CASE("log_whole: hundreds of whole ranges in one transaction, logged in any order, all stay whole") {
  // Past a few dozen, the whole ranges move from a sorted vector to a tree
  // (a transaction of many container operations): writes inside any of
  // them must still log nothing, writes between them must log, and
  // rollback must restore everything.
  ScratchDir dir;
  pschema::PoolOptions options;
  options.backend = pschema::Backend::pmem;
  // Lanes of 128 KiB: the log fits, no overflow segment (whose carving fences would blur the count).
  Pool pool = Pool::create(dir.file("many.pool"), 32 << 20, test_schema(), options);
  constexpr std::size_t words = 4096;
  const std::uint64_t object = pool.transaction([](Transaction& tx) {
    const std::uint64_t offset = tx.allocate(words * 8, 7);
    for (std::size_t i = 0; i < words; ++i) tx.write(tx.at<std::uint64_t>(offset)[i], std::uint64_t(i));
    tx.write(tx.at<Root>(tx.root_offset())->values[0], offset);
    return offset;
  });
  // Ranges of two words at every fourth pair of words, in a shuffled order.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i + 1 < words; i += 8) starts.push_back(i);
  std::mt19937_64 random(test_support::test_seed());
  std::shuffle(starts.begin(), starts.end(), random);
  REQUIRE(starts.size() == 512);

  auto counted = [&](auto&& body) {
    const auto before = pool.counters();
    pool.transaction(body);
    return pool.counters() - before;
  };
  const auto inside = counted([&](Transaction& tx) {
    auto* data = tx.at<std::uint64_t>(object);
    for (std::size_t start : starts) tx.log_whole({{&data[start], 16}});
    for (std::size_t start : starts) {
      tx.write(data[start + 1], std::uint64_t(1'000'000 + start));  // inside, not at its start
      tx.write(data[start], std::uint64_t(2'000'000 + start));
    }
  });
  CHECK(inside.ranges_logged == 512);
  CHECK(inside.fences == 512 + 2);  // one per log_whole call, two for the commit

  const auto between = counted([&](Transaction& tx) {
    auto* data = tx.at<std::uint64_t>(object);
    for (std::size_t start : starts) tx.log_whole({{&data[start], 16}});
    tx.write(data[2], std::uint64_t(5));  // between two ranges: logged on its own
    tx.write(data[words - 1], std::uint64_t(5));
  });
  CHECK(between.ranges_logged == 512 + 2);

  CHECK_THROWS_AS(pool.transaction([&](Transaction& tx) {
    auto* data = tx.at<std::uint64_t>(object);
    for (std::size_t start : starts) tx.log_whole({{&data[start], 16}});
    for (std::size_t start : starts) tx.write(data[start + 1], std::uint64_t(7));
    throw std::runtime_error("abort");
  }),
                  std::runtime_error);
  pool.read([&](const pschema::ReadView& v) {
    const auto* data = v.at<std::uint64_t>(object);
    for (std::size_t start : starts) {
      CHECK(data[start] == 2'000'000 + start);
      CHECK(data[start + 1] == 1'000'000 + start);
    }
    CHECK(data[2] == 5);
    CHECK(data[3] == 3);
  });
}

TEST_CASE("a transaction that allocates many objects writes into them without logging, frees and sizes them") {
  // Past a few allocations a transaction looks its own objects up in a
  // tree instead of walking them: the answers must stay the same.
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("objects.pool"), 32 << 20, test_schema());
  const auto objects_before = pool.info().allocated_objects;
  const auto costs = [&] {
    const auto before = pool.counters();
    pool.transaction([](Transaction& tx) {
      std::vector<std::uint64_t> made;
      for (std::size_t i = 0; i < 200; ++i) made.push_back(tx.allocate(64 + 16 * (i % 5), 9));
      for (std::size_t i = 0; i < made.size(); ++i) {
        CHECK(tx.allocation_size(made[i]) >= 64 + 16 * (i % 5));
        CHECK(tx.allocation_type(made[i]) == 9);
        auto* words = tx.at<std::uint64_t>(made[i]);
        for (std::size_t w = 0; w < 8; ++w) tx.write(words[w], std::uint64_t(i * 8 + w));  // inside a new object
      }
      for (std::size_t i = 0; i < made.size(); i += 2) tx.free(made[i]);  // found among this transaction's own
      tx.write(tx.at<Root>(tx.root_offset())->values[0], made[1]);
    });
    return pool.counters() - before;
  }();
  CHECK(costs.ranges_logged == 1);  // the root's word only
  CHECK(pool.info().allocated_objects == objects_before + 100);
  const std::uint64_t kept = value_at(pool, 0);
  pool.read([&](const pschema::ReadView& v) {
    for (std::size_t w = 0; w < 8; ++w) CHECK(v.at<std::uint64_t>(kept)[w] == 8 + w);
  });
}

TEST_CASE("a full pool aborts the allocating transaction with pool_full and stays usable") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("full.pool"), 2 << 20, test_schema());
  pool.transaction([](Transaction& tx) { tx.write(tx.at<Root>(tx.root_offset())->values[0], std::uint64_t(77)); });
  const auto objects = pool.info().allocated_objects;

  // One huge allocation.
  CHECK_THROWS_AS(pool.transaction([](Transaction& tx) { tx.allocate(3 << 20, 1); }), pschema::pool_full);
  // Many small ones in one transaction, until the pool runs out.
  try {
    pool.transaction([](Transaction& tx) {
      tx.write(tx.at<Root>(tx.root_offset())->values[0], std::uint64_t(78));
      for (;;) tx.allocate(1000, 1);
    });
    FAIL("the pool never filled up");
  } catch (const pschema::pool_full& e) {
    CHECK(std::string(e.what()).find("no room") != std::string::npos);
  }
  CHECK(value_at(pool, 0) == 77);
  CHECK(pool.info().allocated_objects == objects);

  // Fill it with committed objects, one per transaction, then free them all.
  std::vector<std::uint64_t> kept;
  try {
    for (;;) kept.push_back(pool.transaction([](Transaction& tx) { return tx.allocate(1000, 1); }));
  } catch (const pschema::pool_full&) {}
  CHECK(kept.size() > 500);
  pool.transaction([&](Transaction& tx) {
    for (auto offset : kept) tx.free(offset);
  });
  CHECK(pool.info().allocated_objects == objects);
  // The space is reusable, also for a different size.
  CHECK_NOTHROW(pool.transaction([](Transaction& tx) { tx.allocate(500 * 1024, 1); }));
}

TEST_CASE("a transaction larger than its journal lane continues in heap segments") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("big.pool"), 64 << 20, test_schema());
  constexpr std::size_t size = 4 << 20;  // far more than a lane holds
  const std::uint64_t buffer = pool.transaction([](Transaction& tx) {
    std::uint64_t b = tx.allocate(size, 2);
    std::memset(tx.at<char>(b), 'a', size);
    tx.write(tx.at<Root>(tx.root_offset())->values[0], b);
    return b;
  });
  const auto objects = pool.info().allocated_objects;
  // Overwrite all of it, then abort: the whole buffer must come back.
  CHECK_THROWS(pool.transaction([&](Transaction& tx) {
    char* data = tx.at<char>(buffer);
    for (std::size_t at = 0; at < size; at += 1000) {
      tx.add(data + at, std::min<std::size_t>(1000, size - at));
      std::memset(data + at, 'b', std::min<std::size_t>(1000, size - at));
    }
    throw std::runtime_error("abort");
  }));
  pool.read([&](const pschema::ReadView& v) {
    const char* data = v.at<char>(buffer);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < size; ++i) wrong += data[i] != 'a';
    CHECK(wrong == 0);
  });
  CHECK(pool.info().allocated_objects == objects);
  // And committed: every byte changes.
  pool.transaction([&](Transaction& tx) {
    char* data = tx.at<char>(buffer);
    tx.add(data, size);
    std::memset(data, 'c', size);
  });
  CHECK(pool.read([&](const pschema::ReadView& v) { return v.at<char>(buffer)[size - 1]; }) == 'c');
}

TEST_CASE("freeing the same object twice in a transaction is refused, and so is freeing a non-object") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("df.pool"), small_pool, test_schema());
  std::uint64_t obj = pool.transaction([](Transaction& tx) { return tx.allocate(64, 3); });
  CHECK_THROWS_AS(pool.transaction([&](Transaction& tx) {
    tx.free(obj);
    tx.free(obj);
  }),
                  pschema::usage_error);
  CHECK_THROWS_AS(pool.transaction([&](Transaction& tx) { tx.free(obj + 16); }), pschema::usage_error);
  CHECK_THROWS_AS(pool.transaction([&](Transaction& tx) { tx.free(12345678901ULL); }), pschema::usage_error);
  // Still allocated after those aborts.
  pool.transaction([&](Transaction& tx) {
    CHECK(tx.allocation_type(obj) == 3);
    CHECK(tx.allocation_size(obj) >= 64);
    tx.free(obj);
  });
  CHECK_THROWS_AS(pool.transaction([&](Transaction& tx) { tx.free(obj); }), pschema::usage_error);
}

TEST_CASE("writes outside the heap are refused") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("out.pool"), small_pool, test_schema());
  CHECK_THROWS_AS(pool.transaction([](Transaction& tx) { tx.add(tx.base() + 16, 8); }), pschema::usage_error);
}

TEST_CASE("counters report commits, aborts, allocations, frees and logging") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("c.pool"), small_pool, test_schema());
  const auto before = pool.counters();
  std::uint64_t obj = pool.transaction([](Transaction& tx) {
    tx.write(tx.at<Root>(tx.root_offset())->values[0], std::uint64_t(1));
    return tx.allocate(32, 1);
  });
  pool.transaction([&](Transaction& tx) { tx.free(obj); });
  CHECK_THROWS(pool.transaction([](Transaction&) { throw 1; }));
  const auto after = pool.counters();
  CHECK(after.transactions_committed - before.transactions_committed == 2);
  CHECK(after.transactions_aborted - before.transactions_aborted == 1);
  CHECK(after.allocations - before.allocations == 1);
  CHECK(after.frees - before.frees == 1);
  CHECK(after.ranges_logged - before.ranges_logged == 1);
  CHECK(after.bytes_logged - before.bytes_logged == 3 * 24 + 8 + 2 * 16);  // one data entry, two header entries
  // The undo backends flush lines or pages; the file engine writes its log
  // and syncs it once per commit.
  if (pool.info().backend == "file") {
    CHECK(after.syncs - before.syncs == 2);
  } else {
    CHECK(after.lines_flushed > before.lines_flushed);
  }
}
