// The bank example (examples/bank) as users copy it: sums of balances that
// do not fit in an i64 throw and change nothing, instead of overflowing
// (undefined behaviour, and a wrong total).
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "bank.pschema.h"
#include "test_support.hpp"

namespace {
constexpr std::int64_t max_cents = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min_cents = std::numeric_limits<std::int64_t>::min();
}  // namespace

TEST_CASE("bank example: deposits, transfers and the total refuse to overflow and change nothing") {
  test_support::ScratchDir dir;
  bank::Ledger ledger = bank::Ledger::create(dir.file("bank.pool"), 4 << 20);
  const std::uint64_t a = ledger.open_account("ada", bank::Kind::checking);
  const std::uint64_t b = ledger.open_account("bob", bank::Kind::savings);

  ledger.deposit(a, {max_cents});
  CHECK(ledger.total() == max_cents);
  CHECK_THROWS_AS(ledger.deposit(a, {1}), std::overflow_error);
  CHECK(ledger.balance(a) == max_cents);

  // Each balance fits, their sum does not.
  ledger.deposit(b, {1});
  CHECK_THROWS_AS(ledger.total(), std::overflow_error);

  // A transfer whose target would overflow is rolled back whole: the
  // source keeps its money and no history entry is left.
  CHECK_THROWS_AS(ledger.transfer(b, a, 1), std::overflow_error);
  CHECK(ledger.balance(a) == max_cents);
  CHECK(ledger.balance(b) == 1);
  CHECK(ledger.read([](const bank::Ledger::Snapshot& s) { return s.root().accounts()[1].history().size(); }) == 0);

  // Negating the smallest amount overflows, and so does a source pushed
  // below the smallest balance (transfers may overdraw in this example).
  CHECK_THROWS_AS(ledger.transfer(a, b, min_cents), std::overflow_error);
  const std::uint64_t c = ledger.open_account("cy", bank::Kind::checking);
  const std::uint64_t d = ledger.open_account("di", bank::Kind::checking);
  ledger.transfer(c, d, max_cents);
  CHECK(ledger.balance(c) == -max_cents);
  CHECK_THROWS_AS(ledger.transfer(c, d, 2), std::overflow_error);
  CHECK(ledger.balance(c) == -max_cents);
  CHECK(ledger.balance(d) == max_cents);
}

TEST_CASE("bank example: a read-only open runs the declared queries and refuses the declared transactions") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("bank.pool");
  {
    bank::Ledger ledger = bank::Ledger::create(path, 4 << 20);
    ledger.deposit(ledger.open_account("ada", bank::Kind::checking), {250});
  }
  pschema::PoolOptions options;
  options.read_only = true;
  bank::Ledger reader = bank::Ledger::open(path, options);
  CHECK(reader.pool().read_only());
  CHECK(reader.total() == 250);
  CHECK_THROWS_AS(reader.open_account("bob", bank::Kind::savings), pschema::read_only_pool);
  CHECK_THROWS_AS(reader.deposit(1, {5}), pschema::read_only_pool);
  CHECK(reader.total() == 250);
}
