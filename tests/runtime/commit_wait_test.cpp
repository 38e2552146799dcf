// Pool::wait_for_commit: a consumer waits for other threads' commits
// without spinning, misses none that come between its check and its wait,
// and is not woken by transactions that change nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "pschema/errors.hpp"
#include "pschema/pool.hpp"
#include "pschema/transaction.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using pschema::Pool;
using test_support::ScratchDir;

namespace {

struct Root {
  std::uint64_t work;
};

void add_work(Pool& pool) {
  pool.transaction([](pschema::Transaction& tx) {
    Root* root = tx.at<Root>(tx.root_offset());
    tx.write(root->work, root->work + 1);
  });
}

}  // namespace

TEST_CASE("wait_for_commit wakes a waiting consumer at another thread's commit, and times out without one") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("wait.pool"), test_support::small_pool, test_support::test_schema());
  const std::uint64_t before = pool.commit_count();

  // Nothing commits: the wait times out, and says so.
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(pool.wait_for_commit(before, 50ms));
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);

  // A transaction that changes nothing, and a read, do not count.
  pool.transaction([](pschema::Transaction&) {});
  pool.read([](const pschema::ReadView&) {});
  CHECK(pool.commit_count() == before);

  std::atomic<bool> woke{false};
  std::thread consumer([&] { woke = pool.wait_for_commit(before, 10s); });
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(woke.load());
  add_work(pool);
  consumer.join();
  CHECK(woke.load());
  CHECK(pool.commit_count() == before + 1);
  // A commit already counted: the wait returns at once.
  CHECK(pool.wait_for_commit(before, 0ms));
}

TEST_CASE("consumers that read the count before looking for work miss no commit") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("queue.pool"), test_support::small_pool, test_support::test_schema());
  constexpr std::uint64_t items = 200;
  std::atomic<std::uint64_t> taken{0};
  std::atomic<std::uint64_t> empty_looks{0};
  auto consume = [&] {
    while (taken.load() < items) {
      const std::uint64_t seen = pool.commit_count();
      const bool got = pool.transaction([&](pschema::Transaction& tx) {
        Root* root = tx.at<Root>(tx.root_offset());
        if (root->work == 0) return false;
        tx.write(root->work, root->work - 1);
        return true;
      });
      if (got) {
        ++taken;
      } else {
        ++empty_looks;
        pool.wait_for_commit(seen, 100ms);  // a lost wake-up would show as these timeouts, not as a hang
      }
    }
  };
  std::thread a(consume), b(consume);
  for (std::uint64_t i = 0; i < items; ++i) {
    add_work(pool);
    if (i % 16 == 0) std::this_thread::sleep_for(1ms);
  }
  a.join();
  b.join();
  CHECK(taken.load() == items);
  MESSAGE(empty_looks.load(), " looks found no work for ", items, " items");
  // Without the wait the consumers would spin: thousands of empty looks.
  CHECK(empty_looks.load() < 4 * items);
}

TEST_CASE("wait_for_commit inside a transaction of the pool is a usage error") {
  ScratchDir dir;
  Pool pool = Pool::create(dir.file("inside.pool"), test_support::small_pool, test_support::test_schema());
  pool.transaction([&](pschema::Transaction&) {
    CHECK_THROWS_AS(pool.wait_for_commit(pool.commit_count(), 1ms), pschema::usage_error);
  });
}
