// Crash tests of operations declared in a schema: a child runs the bank's
// generated operations (transfer, open_account, deposit) until it is killed
// with SIGKILL; after each reopen the money adds up and every operation
// the child saw return is there.
#include <signal.h>

#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <thread>

#include "bank.pschema.h"
#include "crash_support.hpp"
#include "test_support.hpp"

namespace {

constexpr std::int64_t deposit_per_account = 1000;

struct State {
  std::int64_t total = 0;
  std::uint64_t accounts = 0;
  std::uint64_t transfers = 0;  // history entries: one per committed transfer
};

// (A body returns only pschema::returnable values: it fills a state it captures.)
State state_of(const bank::Ledger& ledger) {
  State state;
  ledger.read([&state](const bank::Ledger::Snapshot& s) {
    for (bank::Account::View account : s.root().accounts()) {
      state.total += account.balance().cents();
      state.transfers += account.history().size();
      ++state.accounts;
    }
  });
  return state;
}

// The child: random operations forever; after each one returns, it reports
// the number of transfers and accounts it knows are committed.
[[noreturn]] void run_child(const std::string& path, std::uint64_t seed, int report_fd) {
  try {
    bank::Ledger ledger = bank::Ledger::open(path);
    State known = state_of(ledger);
    std::mt19937_64 random(seed);
    for (;;) {
      if (random() % 16 == 0) {
        // Two operations composed into one transaction: both or neither.
        ledger.transaction([](bank::Ledger::Tx& tx) {
          const std::uint64_t id = bank::Ledger::Ops::open_account(tx, "late", bank::Kind::savings);
          bank::Ledger::Ops::deposit(tx, id, {deposit_per_account});
        });
        ++known.accounts;
      } else {
        const std::uint64_t from = 1 + random() % known.accounts, to = 1 + random() % known.accounts;
        ledger.transfer(from, to, static_cast<std::int64_t>(random() % 50));
        ++known.transfers;
      }
      const std::uint64_t report[2] = {known.transfers, known.accounts};
      if (!crash_support::write_all(report_fd, report, sizeof report)) ::_exit(4);
    }
  } catch (...) {
    ::_exit(3);
  }
}

}  // namespace

TEST_CASE("killing a process in the middle of declared operations loses nothing committed") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("bank.pool");
  {
    bank::Ledger ledger = bank::Ledger::create(path, 32 << 20);
    for (int i = 0; i < 16; ++i)
      ledger.deposit(ledger.open_account("owner", bank::Kind::checking), {deposit_per_account});
  }
  const std::uint64_t seed = crash_support::seed_from_env();
  const auto cycles = crash_support::env_number("PSCHEMA_CRASH_CYCLES", 100);
  CAPTURE(seed);
  std::mt19937_64 random(seed);
  std::uint64_t reports = 0;
  for (std::uint64_t cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    const std::string reported = crash_support::run_and_kill(
        [&](int report_fd) { run_child(path, crash_support::mix(seed + cycle), report_fd); },
        std::chrono::microseconds(200 + random() % 6000));
    std::uint64_t last[2] = {0, 0};
    if (crash_support::last_record(reported, last)) ++reports;

    bank::Ledger ledger = bank::Ledger::open(path);
    const State state = state_of(ledger);
    CHECK(state.total == static_cast<std::int64_t>(state.accounts) * deposit_per_account);
    if (last[1] != 0) {
      // Committed work is there; at most the one operation in flight more.
      CHECK(state.transfers >= last[0]);
      CHECK(state.transfers <= last[0] + 1);
      CHECK(state.accounts >= last[1]);
      CHECK(state.accounts <= last[1] + 1);
    }
  }
  CHECK(reports > cycles / 4);  // the kills did land in the middle of work
}
