// Concurrent pools (invariants 4 and 5): transactions of several threads
// at once under mutex<T>s, strict two-phase locking, deadlock detection
// and retry, reads that see committed data only, and lock words that a
// crash cannot leave locked. Also built under ThreadSanitizer (the tsan
// preset; `make test` runs it).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "concurrent_bank.pschema.h"
#include "crash_support.hpp"
#include "test_support.hpp"

using cbank::Vault;

namespace {

constexpr std::int64_t initial_cents = 1000;
constexpr std::uint64_t accounts = 16;
constexpr std::int64_t expected_total = initial_cents * static_cast<std::int64_t>(accounts);

Vault make_vault(const std::string& path, const pschema::PoolOptions& options = {}) {
  Vault vault = Vault::create(path, 16 << 20, options);
  for (std::uint64_t a = 0; a < accounts; ++a) vault.deposit(a, initial_cents);
  return vault;
}

// Spins until `flag` is set (the tests' threads meet at fixed points).
void wait_for(const std::atomic<bool>& flag) {
  while (!flag.load()) std::this_thread::yield();
}

}  // namespace

TEST_CASE("transfers from several threads keep the total, and every read sees it whole") {
  test_support::ScratchDir dir;
  Vault vault = make_vault(dir.file("vault.pool"));
  const std::uint64_t seed = test_support::test_seed();
  CAPTURE(seed);

  constexpr int writers = 3, readers = 2, transfers_each = 300;
  std::atomic<int> writers_done{0}, readers_in{0};
  std::atomic<std::uint64_t> committed{0}, bad_reads{0}, reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      // Writers can be done in a few milliseconds (the file engine on
      // tmpfs): start once the readers run, so that reads overlap them.
      while (readers_in.load() < readers) std::this_thread::yield();
      std::mt19937_64 random(seed + static_cast<std::uint64_t>(w));
      for (int i = 0; i < transfers_each; ++i) {
        const std::uint64_t from = random() % accounts, to = random() % accounts;
        const auto cents = static_cast<std::int64_t>(random() % 300);
        const bool moved = vault.transaction(pschema::TransactionOptions{.deadlock_retries = 1000},
                                             [&](Vault::Tx& tx) { return Vault::Ops::transfer(tx, from, to, cents); });
        if (moved) committed.fetch_add(1);
      }
      writers_done.fetch_add(1);
    });
  }
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&] {
      readers_in.fetch_add(1);
      while (writers_done.load() < writers) {
        if (vault.total() != expected_total) bad_reads.fetch_add(1);
        reads.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  CHECK(bad_reads.load() == 0);
  CHECK(reads.load() > 0);
  CHECK(vault.total() == expected_total);
  // Each committed transfer counted once on both of its accounts.
  CHECK(vault.transfers() == 2 * committed.load());
  CHECK(committed.load() > 0);
}

TEST_CASE("a cycle of transactions waiting for each other is detected, broken, and retried") {
  test_support::ScratchDir dir;
  Vault vault = make_vault(dir.file("deadlock.pool"));

  // Each thread locks its first account, waits until the other has locked
  // its own, then locks the other's: a cycle, on the first attempt only.
  std::atomic<bool> holds[2] = {false, false};
  std::atomic<int> deadlocks_seen{0};
  auto run = [&](int me, unsigned retries) {
    const std::uint64_t first = static_cast<std::uint64_t>(me), second = 1 - first;
    int attempt = 0;
    try {
      vault.transaction(pschema::TransactionOptions{.deadlock_retries = retries}, [&](Vault::Tx& tx) {
        auto accounts_of = tx.root().accounts();
        cbank::Balance::Mut mine = accounts_of[first].lock();
        if (attempt++ == 0) {
          holds[me].store(true);
          wait_for(holds[1 - me]);
        }
        cbank::Balance::Mut theirs = accounts_of[second].lock();
        mine.set_cents(mine.cents() - 10);
        theirs.set_cents(theirs.cents() + 10);
      });
    } catch (const pschema::deadlock&) {
      deadlocks_seen.fetch_add(1);
    }
  };

  SUBCASE("without retries, at least one transaction gets pschema::deadlock and the rest commits") {
    const auto before = vault.pool().counters();
    std::thread a(run, 0, 0u), b(run, 1, 0u);
    a.join();
    b.join();
    const auto after = vault.pool().counters() - before;
    CHECK(deadlocks_seen.load() >= 1);
    CHECK(after.deadlocks >= 1);
    CHECK(after.transactions_committed + deadlocks_seen.load() == 2);
    CHECK(vault.total() == expected_total);
  }
  SUBCASE("with retries, both transfers commit") {
    std::thread a(run, 0, 5u), b(run, 1, 5u);
    a.join();
    b.join();
    CHECK(deadlocks_seen.load() == 0);
    CHECK(vault.pool().counters().deadlocks >= 1);
    CHECK(vault.read([](const Vault::Snapshot& s) { return s.root().accounts()[0].lock().cents(); }) ==
          initial_cents);  // -10 then +10
    CHECK(vault.total() == expected_total);
  }
}

TEST_CASE("waiting for a transaction that does not end times out with pschema::deadlock") {
  test_support::ScratchDir dir;
  pschema::PoolOptions options;
  options.lock_timeout = std::chrono::milliseconds(100);
  Vault vault = make_vault(dir.file("timeout.pool"), options);

  std::atomic<bool> holding{false}, waiter_done{false};
  std::thread holder([&] {
    vault.transaction([&](Vault::Tx& tx) {
      tx.root().accounts()[3].lock().set_cents(1);
      holding.store(true);
      wait_for(waiter_done);
    });
  });
  wait_for(holding);
  const auto started = std::chrono::steady_clock::now();
  // Not the generated vault.deposit(): it would retry, a hundred timeouts.
  CHECK_THROWS_AS(vault.transaction([](Vault::Tx& tx) { Vault::Ops::deposit(tx, 3, 5); }), pschema::deadlock);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(100));
  waiter_done.store(true);
  holder.join();
  vault.deposit(3, 5);  // the lock was released at commit
  CHECK(vault.read([](const Vault::Snapshot& s) { return s.root().accounts()[3].lock().cents(); }) == 6);
}

TEST_CASE("a read waits for the transaction holding a mutex and sees only what it committed") {
  test_support::ScratchDir dir;
  Vault vault = make_vault(dir.file("isolation.pool"));

  std::atomic<bool> written{false}, reader_started{false};
  std::thread writer([&] {
    CHECK_THROWS_AS(vault.transaction([&](Vault::Tx& tx) {
      tx.root().accounts()[5].lock().set_cents(999'999);
      written.store(true);
      wait_for(reader_started);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the reader is blocked meanwhile
      throw std::runtime_error("roll back");
    }),
                    std::runtime_error);
  });
  wait_for(written);
  reader_started.store(true);
  // Blocks until the writer rolled back, then sees the committed value.
  CHECK(vault.read([](const Vault::Snapshot& s) { return s.root().accounts()[5].lock().cents(); }) == initial_cents);
  writer.join();
  CHECK(vault.total() == expected_total);
}

TEST_CASE("handles are refused in a concurrent pool: they would bypass the mutex") {
  test_support::ScratchDir dir;
  Vault vault = make_vault(dir.file("handles.pool"));
  CHECK_THROWS_AS(vault.transaction([](Vault::Tx& tx) {
    auto handle = tx.handle<cbank::Bank>(tx.root());
    (void)tx.resolve(handle);
  }),
                  pschema::usage_error);
}

TEST_CASE("killed in the middle of concurrent transfers: total kept, nothing committed lost, no lock left held") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("killed.pool");
  make_vault(path).close();
  const std::uint64_t seed = crash_support::seed_from_env();
  const auto cycles = crash_support::env_number("PSCHEMA_CRASH_CYCLES", 100) / 10 + 5;
  CAPTURE(seed);
  std::mt19937_64 random(seed);
  std::uint64_t done_before = 0;  // transfers committed by earlier cycles
  for (std::uint64_t cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    constexpr int threads = 2;
    // The child reports one byte per committed transfer (writes of one
    // byte to a pipe are atomic), after its transaction returned.
    const std::string reported = crash_support::run_and_kill(
        [&](int report_fd) {
          Vault vault = Vault::open(path);
          std::vector<std::thread> workers;
          for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
              std::mt19937_64 r(crash_support::mix(seed + cycle * 16 + static_cast<std::uint64_t>(t)));
              for (;;) {
                const std::uint64_t from = r() % accounts, to = r() % accounts;
                const bool moved =
                    vault.transaction(pschema::TransactionOptions{.deadlock_retries = 1000},
                                      [&](Vault::Tx& tx) { return Vault::Ops::transfer(tx, from, to, 7); });
                if (moved) crash_support::write_all(report_fd, "x", 1);
              }
            });
          }
          for (std::thread& w : workers) w.join();
          ::_exit(4);
        },
        std::chrono::microseconds(2000 + random() % 20000));

    pschema::PoolOptions options;
    options.lock_timeout = std::chrono::milliseconds(2000);  // a stuck lock fails the test instead of hanging it
    Vault vault = Vault::open(path, options);
    CHECK(vault.total() == expected_total);
    const std::uint64_t done = vault.transfers() / 2 - done_before;
    done_before += done;
    CHECK(done >= reported.size());            // every reported commit is there
    CHECK(done <= reported.size() + threads);  // at most the transfers in flight more
    // Locks held when the child died are free in the new generation.
    for (std::uint64_t a = 0; a < accounts; ++a) vault.deposit(a, 0);
  }
}

TEST_CASE("closing a concurrent pool waits for the transactions running on it") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("close.pool");
  Vault vault = make_vault(path);
  std::atomic<bool> inside{false}, body_done{false};
  std::thread writer([&] {
    vault.transaction([&](Vault::Tx& tx) {
      tx.root().accounts()[0].lock().set_cents(initial_cents + 1);
      inside.store(true);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      body_done.store(true);
    });
  });
  wait_for(inside);
  vault.close();  // must not return while the transaction runs
  CHECK(body_done.load());
  writer.join();
  Vault reopened = Vault::open(path);
  CHECK(reopened.total() == expected_total + 1);  // and it committed
}
