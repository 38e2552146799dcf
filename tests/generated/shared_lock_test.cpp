// Shared locks on mutex<T> (lock_shared(), and every lock() of a read):
// several readers hold one mutex at once, a writer waits for all of them,
// a lone reader upgrades, and two readers that both upgrade are a
// deadlock found on the wait-for graph. Built under ThreadSanitizer too
// (the concurrency label).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "concurrent_bank.pschema.h"
#include "test_support.hpp"

using cbank::Vault;

namespace {

constexpr std::int64_t initial_cents = 1000;

Vault make_vault(const std::string& path, const pschema::PoolOptions& options = {}) {
  Vault vault = Vault::create(path, 16 << 20, options);
  for (std::uint64_t a = 0; a < 16; ++a) vault.deposit(a, initial_cents);
  return vault;
}

// Waits until `flag` is set, at most `limit`; whether it was. Bounded, so
// that a lock that wrongly excludes (the other thread blocked in it)
// fails the test instead of hanging it.
bool wait_for(const std::atomic<bool>& flag, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!flag.load()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace

TEST_CASE("two readers hold the same mutex at the same time") {
  test_support::ScratchDir dir;
  Vault vault = make_vault(dir.file("readers.pool"));
  std::atomic<bool> holding[2] = {false, false};
  std::atomic<bool> saw_other[2] = {false, false};

  // Each holds account 2 and waits, holding it, until the other holds it too.
  SUBCASE("reads (MutexView::lock)") {
    auto reader = [&](int me) {
      vault.read([&](const Vault::Snapshot& s) {
        const auto cents = s.root().accounts()[2].lock().cents();
        holding[me].store(true);
        saw_other[me].store(wait_for(holding[1 - me]));
        return cents;
      });
    };
    std::thread a(reader, 0), b(reader, 1);
    a.join();
    b.join();
  }
  SUBCASE("transactions (MutexMut::lock_shared)") {
    auto reader = [&](int me) {
      vault.transaction([&](Vault::Tx& tx) {
        cbank::Balance::View balance = tx.root().accounts()[2].lock_shared();
        CHECK(balance.cents() == initial_cents);
        holding[me].store(true);
        saw_other[me].store(wait_for(holding[1 - me]));
      });
    };
    std::thread a(reader, 0), b(reader, 1);
    a.join();
    b.join();
  }
  CHECK(saw_other[0].load());
  CHECK(saw_other[1].load());
  CHECK(vault.pool().counters().lock_waits == 0);
}

TEST_CASE("a writer waits until every reader holding the mutex has ended") {
  test_support::ScratchDir dir;
  Vault vault = make_vault(dir.file("writer.pool"));
  std::atomic<bool> holding[2] = {false, false};
  std::atomic<bool> left[2] = {false, false};
  std::atomic<bool> writer_in{false};
  auto reader = [&](int me, std::chrono::milliseconds hold) {
    vault.read([&](const Vault::Snapshot& s) {
      const auto cents = s.root().accounts()[4].lock().cents();
      holding[me].store(true);
      wait_for(writer_in);
      std::this_thread::sleep_for(hold);  // the writer is blocked meanwhile
      left[me].store(true);               // just before the read ends and releases
      return cents;
    });
  };
  std::thread first(reader, 0, std::chrono::milliseconds(20)), second(reader, 1, std::chrono::milliseconds(80));
  REQUIRE(wait_for(holding[0]));
  REQUIRE(wait_for(holding[1]));
  const auto before = vault.pool().counters();
  vault.transaction([&](Vault::Tx& tx) {
    writer_in.store(true);
    cbank::Balance::Mut balance = tx.root().accounts()[4].lock();
    // Both readers had left before the writer got the mutex.
    CHECK(left[0].load());
    CHECK(left[1].load());
    balance.set_cents(balance.cents() + 1);
  });
  first.join();
  second.join();
  CHECK((vault.pool().counters() - before).lock_waits >= 1);
  CHECK(vault.total() == 16 * initial_cents + 1);
}

TEST_CASE("a transaction that holds a mutex shared alone upgrades it, and shared after exclusive returns at once") {
  test_support::ScratchDir dir;
  pschema::PoolOptions options;
  options.lock_timeout = std::chrono::milliseconds(500);  // a lock left held fails below instead of hanging
  Vault vault = make_vault(dir.file("upgrade.pool"), options);
  const auto before = vault.pool().counters();
  vault.transaction([](Vault::Tx& tx) {
    auto accounts = tx.root().accounts();
    cbank::Balance::View seen = accounts[1].lock_shared();
    cbank::Balance::Mut balance = accounts[1].lock();  // upgrade: no other reader
    balance.set_cents(seen.cents() + 5);
    CHECK(accounts[1].lock_shared().cents() == initial_cents + 5);  // held exclusively: at once
    accounts[3].lock().set_cents(initial_cents - 5);
    CHECK(accounts[3].lock_shared().cents() == initial_cents - 5);
  });
  CHECK((vault.pool().counters() - before).lock_waits == 0);
  // Both were released at commit: another thread takes them exclusively.
  std::thread other([&] {
    CHECK_NOTHROW(vault.transaction([](Vault::Tx& tx) {
      tx.root().accounts()[1].lock().set_cents(initial_cents);
      tx.root().accounts()[3].lock().set_cents(initial_cents);
    }));
  });
  other.join();
  CHECK(vault.total() == 16 * initial_cents);
}

TEST_CASE("two transactions that both upgrade a shared mutex are a deadlock, detected at once") {
  test_support::ScratchDir dir;
  pschema::PoolOptions options;
  options.lock_timeout = std::chrono::seconds(8);  // far longer than detection takes
  Vault vault = make_vault(dir.file("upgrades.pool"), options);

  // Each reads account 0 shared, waits (first attempt only) until the
  // other holds it too, then locks it exclusively to add 1.
  std::atomic<bool> holding[2] = {false, false};
  std::atomic<int> deadlocks_seen{0};
  auto run = [&](int me, unsigned retries) {
    int attempt = 0;
    try {
      vault.transaction(pschema::TransactionOptions{.deadlock_retries = retries}, [&](Vault::Tx& tx) {
        auto account = tx.root().accounts()[0];
        const std::int64_t cents = account.lock_shared().cents();
        if (attempt++ == 0) {
          holding[me].store(true);
          wait_for(holding[1 - me]);
        }
        account.lock().set_cents(cents + 1);
      });
    } catch (const pschema::deadlock&) {
      deadlocks_seen.fetch_add(1);
    }
  };
  const auto before = vault.pool().counters();
  const auto started = std::chrono::steady_clock::now();

  SUBCASE("without retries, one gets pschema::deadlock and the other commits") {
    std::thread a(run, 0, 0u), b(run, 1, 0u);
    a.join();
    b.join();
    const auto after = vault.pool().counters() - before;
    CHECK(deadlocks_seen.load() >= 1);
    CHECK(after.deadlocks >= 1);
    CHECK(after.transactions_committed + deadlocks_seen.load() == 2);
    // Each committed upgrade added 1 to what it read alone.
    CHECK(vault.read([](const Vault::Snapshot& s) { return s.root().accounts()[0].lock().cents(); }) ==
          initial_cents + static_cast<std::int64_t>(after.transactions_committed));
  }
  SUBCASE("with retries, both commit, one after the other") {
    std::thread a(run, 0, 5u), b(run, 1, 5u);
    a.join();
    b.join();
    CHECK(deadlocks_seen.load() == 0);
    CHECK((vault.pool().counters() - before).deadlocks >= 1);
    CHECK(vault.read([](const Vault::Snapshot& s) { return s.root().accounts()[0].lock().cents(); }) ==
          initial_cents + 2);
  }
  // Found on the wait-for graph, not by the timeout.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
}
