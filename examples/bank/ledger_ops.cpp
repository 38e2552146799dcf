// The operations declared in schemas/bank.pschema, implemented against the
// generated API. Each runs inside the transaction (or read) the generated
// Ledger method opens for it: an exception rolls everything back.
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bank.pschema.h"

namespace bank {

namespace {

// The account with `id`, or an exception (which aborts the transaction).
Account::Mut find(const Ledger::Tx& tx, std::uint64_t id) {
  for (Account::Mut account : tx.root().accounts()) {
    if (account.id() == id) return account;
  }
  throw std::invalid_argument("no account " + std::to_string(id));
}

// Balances are i64 cents, and signed overflow is undefined behaviour in
// C++: every sum is checked, and one that does not fit throws (which
// aborts the transaction) instead of wrapping. A pool is a file: its
// balances may be anything a damaged or hostile file holds, so reads add
// with the same care as writes.
std::int64_t add_cents(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    throw std::overflow_error(std::string(what) + " does not fit in an i64 of cents: " + std::to_string(a) + " + " +
                              std::to_string(b));
  }
  return sum;
}

std::int64_t negated(std::int64_t cents) {
  if (cents == std::numeric_limits<std::int64_t>::min())
    throw std::overflow_error("the smallest i64 amount cannot be moved");
  return -cents;
}

}  // namespace

std::uint64_t Ledger::Ops::open_account(Tx& tx, std::string_view owner, Kind kind) {
  Accounts::Mut root = tx.root();
  const std::uint64_t id = root.next_id() + 1;
  root.set_next_id(id);
  Account::Mut account = root.accounts().emplace_back();
  account.set_id(id);
  account.set_kind(kind);
  account.set_owner(owner);
  return id;
}

void Ledger::Ops::deposit(Tx& tx, std::uint64_t id, const Money::Value& amount) {
  Account::Mut account = find(tx, id);
  account.balance().set_cents(add_cents(account.balance().cents(), amount.cents, "the new balance"));
}

void Ledger::Ops::transfer(Tx& tx, std::uint64_t from, std::uint64_t to, std::int64_t cents) {
  Account::Mut source = find(tx, from);
  Account::Mut target = find(tx, to);
  source.balance().set_cents(add_cents(source.balance().cents(), negated(cents), "the source's new balance"));
  target.balance().set_cents(add_cents(target.balance().cents(), cents, "the target's new balance"));
  Transfer::Mut record = source.history().emplace_back();
  record.set_to(to);
  record.set_amount({cents});
}

std::optional<std::int64_t> Ledger::Ops::balance(const Snapshot& snapshot, std::uint64_t id) {
  for (Account::View account : snapshot.root().accounts()) {
    if (account.id() == id) return account.balance().cents();
  }
  return std::nullopt;
}

std::int64_t Ledger::Ops::total(const Snapshot& snapshot) {
  std::int64_t sum = 0;
  for (Account::View account : snapshot.root().accounts()) sum = add_cents(sum, account.balance().cents(), "the total");
  return sum;
}

}  // namespace bank
