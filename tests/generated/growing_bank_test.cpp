// map<K, mutex<T>> in a concurrent pool (growing_bank.pschema): entries
// locked one by one under the map's own lock (shared to reach an entry,
// exclusive to insert or erase). Transfers between different accounts run
// at once, opening an account waits for them, the total is conserved
// while accounts are added, and a transaction that locked an entry and
// then inserts (moving entries) leaves no lock behind; a process killed
// while the map grows loses nothing it reported. Built under
// ThreadSanitizer too (the concurrency label).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crash_support.hpp"
#include "growing_bank.pschema.h"
#include "test_support.hpp"

using gbank::Ledger;

namespace {

constexpr std::int64_t opening_cents = 100;

// Waits until `flag` is set, at most `limit`; whether it was (bounded: a
// lock that wrongly excludes fails the test instead of hanging it).
bool wait_for(const std::atomic<bool>& flag, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!flag.load()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

Ledger make_ledger(const std::string& path, std::uint64_t accounts, const pschema::PoolOptions& options = {}) {
  Ledger ledger = Ledger::create(path, 32 << 20, options);
  for (std::uint64_t id = 0; id < accounts; ++id) REQUIRE(ledger.open_account(id, opening_cents));
  return ledger;
}

// The total and the number of accounts, read together (one read; it can
// be part of a deadlock with transfers, which lock in any order).
std::pair<std::int64_t, std::uint64_t> audit(const Ledger& ledger) {
  return ledger.read(pschema::TransactionOptions{.deadlock_retries = 1000}, [](const Ledger::Snapshot& s) {
    std::int64_t sum = 0;
    std::uint64_t count = 0;
    for (auto [id, account] : s.root().accounts()) {
      sum += account.lock().cents();
      ++count;
    }
    return std::pair{sum, count};
  });
}

}  // namespace

TEST_CASE("map of mutexes: transfers from several threads while another thread opens accounts keep the total") {
  test_support::ScratchDir dir;
  constexpr std::uint64_t first_accounts = 8, more_accounts = 120;
  Ledger ledger = make_ledger(dir.file("growing.pool"), first_accounts);
  const std::uint64_t seed = test_support::test_seed();
  CAPTURE(seed);

  constexpr int movers = 3, transfers_each = 300;
  std::atomic<std::uint64_t> opened{first_accounts}, committed{0}, bad_audits{0}, audits{0};
  std::atomic<int> movers_done{0};
  std::vector<std::thread> threads;
  for (int m = 0; m < movers; ++m) {
    threads.emplace_back([&, m] {
      std::mt19937_64 random(seed + static_cast<std::uint64_t>(m));
      for (int i = 0; i < transfers_each; ++i) {
        const std::uint64_t known = opened.load();
        const std::uint64_t from = random() % known, to = random() % known;
        if (ledger.transfer(from, to, static_cast<std::int64_t>(random() % 60))) committed.fetch_add(1);
      }
      movers_done.fetch_add(1);
    });
  }
  threads.emplace_back([&] {  // opens accounts while the transfers run
    for (std::uint64_t id = first_accounts; id < first_accounts + more_accounts; ++id) {
      CHECK(ledger.open_account(id, opening_cents));
      opened.store(id + 1);
      std::this_thread::yield();
    }
  });
  threads.emplace_back([&] {  // every read sees the total of the accounts it sees
    while (movers_done.load() < movers) {
      const auto [sum, count] = audit(ledger);
      if (sum != opening_cents * static_cast<std::int64_t>(count)) bad_audits.fetch_add(1);
      audits.fetch_add(1);
    }
  });
  for (std::thread& t : threads) t.join();

  CHECK(bad_audits.load() == 0);
  CHECK(audits.load() > 0);
  CHECK(committed.load() > 0);
  CHECK(ledger.account_count() == first_accounts + more_accounts);
  CHECK(ledger.total() == opening_cents * static_cast<std::int64_t>(first_accounts + more_accounts));
  CHECK_FALSE(ledger.open_account(0, 1));  // there already
}

TEST_CASE("map of mutexes: two transactions lock different entries at the same time, and an insert waits for both") {
  test_support::ScratchDir dir;
  Ledger ledger = make_ledger(dir.file("entries.pool"), 4);
  std::atomic<bool> holding[2] = {false, false}, saw_other[2] = {false, false}, inserter_in{false}, left{false};
  auto holder = [&](int me) {
    ledger.transaction([&](Ledger::Tx& tx) {
      auto balance = tx.root().accounts().at(static_cast<std::uint64_t>(me)).lock();
      balance.set_cents(balance.cents() + 1);
      holding[me].store(true);
      saw_other[me].store(wait_for(holding[1 - me]));
      wait_for(inserter_in);
      std::this_thread::sleep_for(std::chrono::milliseconds(40));  // the inserter is blocked meanwhile
      if (me == 1) left.store(true);
    });
  };
  std::thread a(holder, 0), b(holder, 1);
  REQUIRE(wait_for(holding[0]));
  REQUIRE(wait_for(holding[1]));
  const auto before = ledger.pool().counters();
  ledger.transaction([&](Ledger::Tx& tx) {
    inserter_in.store(true);
    tx.root().accounts().try_emplace(99).first.lock().set_cents(opening_cents);
    CHECK(left.load());  // the holders had ended
  });
  a.join();
  b.join();
  CHECK(saw_other[0].load());
  CHECK(saw_other[1].load());
  CHECK((ledger.pool().counters() - before).lock_waits >= 1);
  CHECK(ledger.total() == 5 * opening_cents + 2);
}

TEST_CASE("map of mutexes: a transaction that locked entries and then inserts or erases leaves no lock behind") {
  test_support::ScratchDir dir;
  pschema::PoolOptions options;
  options.lock_timeout = std::chrono::milliseconds(500);  // a lock left held fails below instead of hanging
  Ledger ledger = make_ledger(dir.file("upgrade.pool"), 40, options);

  // Every entry locked (exclusive and shared), then an erase at the front
  // and inserts that split leaves: entries and their lock words move.
  ledger.transaction([](Ledger::Tx& tx) {
    auto accounts = tx.root().accounts();
    for (std::uint64_t id = 0; id < 40; ++id) {
      if (id % 2 == 0) {
        accounts.at(id).lock().set_cents(opening_cents + (id == 20 ? 7 : 0));
      } else {
        (void)accounts.at(id).lock_shared().cents();
      }
    }
    CHECK(accounts.erase(0));
    for (std::uint64_t id = 1000; id < 1100; ++id) accounts.try_emplace(id).first.lock().set_cents(0);
    auto moved = accounts.at(20).lock();  // the map is this transaction's: no entry lock needed
    CHECK(moved.cents() == opening_cents + 7);
    moved.set_cents(opening_cents + 8);
  });
  SUBCASE("rolled back the same way: nothing kept, no lock left") {
    CHECK_THROWS_AS(ledger.transaction([](Ledger::Tx& tx) {
      auto accounts = tx.root().accounts();
      accounts.at(5).lock().set_cents(1);
      for (std::uint64_t id = 2000; id < 2100; ++id) accounts.try_emplace(id);
      throw std::runtime_error("roll back");
    }),
                    std::runtime_error);
    CHECK(ledger.account_count() == 40 - 1 + 100);
  }
  // Another thread locks every entry (and the map exclusively) at once.
  // On another lane: this thread keeps its own busy meanwhile (a word left
  // held by a lane reads as already held to that lane's next transaction).
  ledger.transaction([&](Ledger::Tx&) {
    std::thread other([&] {
      CHECK_NOTHROW(ledger.transaction([](Ledger::Tx& tx) {
        for (auto [id, account] : tx.root().accounts()) (void)account.lock().cents();
      }));
      CHECK_NOTHROW(ledger.transaction([](Ledger::Tx& tx) { tx.root().accounts().try_emplace(5000); }));
    });
    other.join();
  });
  CHECK(ledger.read([](const Ledger::Snapshot& s) { return s.root().accounts().at(20).lock().cents(); }) ==
        opening_cents + 8);
  CHECK(ledger.total() == opening_cents * 39 + 8);
  CHECK(ledger.account_count() == 40 - 1 + 100 + 1);
}

TEST_CASE("map of mutexes: two transactions that both insert after looking up are a deadlock, and retry") {
  test_support::ScratchDir dir;
  Ledger ledger = make_ledger(dir.file("inserts.pool"), 2);
  std::atomic<bool> looked[2] = {false, false};
  std::atomic<int> deadlocks_seen{0};
  auto run = [&](int me) {
    int attempt = 0;
    try {
      ledger.transaction(pschema::TransactionOptions{.deadlock_retries = 5}, [&](Ledger::Tx& tx) {
        auto accounts = tx.root().accounts();
        const std::uint64_t id = 10 + static_cast<std::uint64_t>(me);
        if (accounts.contains(id)) return;  // the map shared
        if (attempt++ == 0) {
          looked[me].store(true);
          wait_for(looked[1 - me]);
        }
        accounts.try_emplace(id).first.lock().set_cents(opening_cents);  // upgrade: exclusive
      });
    } catch (const pschema::deadlock&) {
      deadlocks_seen.fetch_add(1);
    }
  };
  const auto started = std::chrono::steady_clock::now();
  std::thread a(run, 0), b(run, 1);
  a.join();
  b.join();
  CHECK(deadlocks_seen.load() == 0);
  CHECK(ledger.pool().counters().deadlocks >= 1);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));  // not the 10 s timeout
  CHECK(ledger.account_count() == 4);
  CHECK(ledger.total() == 4 * opening_cents);
}

TEST_CASE("map of mutexes: killed while accounts are opened and transfers run: total kept, every open there") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("killed.pool");
  make_ledger(path, 4).close();
  const std::uint64_t seed = crash_support::seed_from_env();
  const auto cycles = crash_support::env_number("PSCHEMA_CRASH_CYCLES", 100) / 10 + 5;
  CAPTURE(seed);
  std::mt19937_64 random(seed);
  std::uint64_t reported_opens = 0;
  for (std::uint64_t cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    const std::uint64_t before = Ledger::open(path).account_count();
    // The child reports one byte per account it opened (after the
    // transaction returned); two threads transfer meanwhile.
    const std::string reported = crash_support::run_and_kill(
        [&](int report_fd) {
          Ledger ledger = Ledger::open(path);
          std::atomic<std::uint64_t> known{before};
          std::vector<std::thread> workers;
          for (int t = 0; t < 2; ++t) {
            workers.emplace_back([&, t] {
              std::mt19937_64 r(crash_support::mix(seed + cycle * 16 + static_cast<std::uint64_t>(t)));
              for (;;) {
                const std::uint64_t from = r() % known.load(), to = r() % known.load();
                ledger.transaction(pschema::TransactionOptions{.deadlock_retries = 1000},
                                   [&](Ledger::Tx& tx) { return Ledger::Ops::transfer(tx, from, to, 3); });
              }
            });
          }
          for (std::uint64_t id = before;; ++id) {
            ledger.transaction(pschema::TransactionOptions{.deadlock_retries = 1000},
                               [&](Ledger::Tx& tx) { return Ledger::Ops::open_account(tx, id, opening_cents); });
            known.store(id + 1);
            crash_support::write_all(report_fd, "o", 1);
          }
        },
        std::chrono::microseconds(2000 + random() % 20000),
        // Every other kill once the child opened an account (a slow start,
        // under ThreadSanitizer say, must not keep every kill from meeting one).
        cycle % 2 == 0 ? crash_support::KillClock::at_fork : crash_support::KillClock::at_first_report);

    pschema::PoolOptions options;
    options.lock_timeout = std::chrono::milliseconds(2000);  // a stuck lock fails the test instead of hanging it
    Ledger ledger = Ledger::open(path, options);
    const std::uint64_t count = ledger.account_count();
    CHECK(count >= before + reported.size());      // every reported open is there
    CHECK(count <= before + reported.size() + 1);  // at most the one in flight more
    CHECK(ledger.total() == opening_cents * static_cast<std::int64_t>(count));
    // Locks held when the child died are free in the new generation: the
    // map exclusively, and every entry.
    ledger.transaction([](Ledger::Tx& tx) {
      auto accounts = tx.root().accounts();
      for (auto [id, account] : accounts) (void)account.lock().cents();
      accounts.try_emplace(1'000'000 + accounts.size()).first.lock().set_cents(opening_cents);
    });
    CHECK(ledger.account_count() == count + 1);
    CHECK(ledger.total() == opening_cents * static_cast<std::int64_t>(count + 1));
    reported_opens += reported.size();
  }
  CHECK(reported_opens > 0);  // the children got to work before they were killed
}
