// The operations of concurrent_bank.pschema. A transfer locks `from`, then
// `to`: with transfers in both directions between two accounts, the lock
// order differs and deadlocks are possible — on purpose, for the tests.
#include <stdexcept>

#include "concurrent_bank.pschema.h"

using cbank::Vault;

namespace {
constexpr std::uint64_t account_count = 16;

void check_account(std::uint64_t account) {
  if (account >= account_count) throw std::out_of_range("no account " + std::to_string(account));
}
}  // namespace

bool Vault::Ops::transfer(Tx& tx, std::uint64_t from, std::uint64_t to, std::int64_t cents) {
  check_account(from);
  check_account(to);
  if (from == to) return false;
  auto accounts = tx.root().accounts();
  cbank::Balance::Mut source = accounts[from].lock();
  if (source.cents() < cents) return false;
  cbank::Balance::Mut target = accounts[to].lock();
  source.set_cents(source.cents() - cents);
  source.set_transfers(source.transfers() + 1);
  target.set_cents(target.cents() + cents);
  target.set_transfers(target.transfers() + 1);
  return true;
}

void Vault::Ops::deposit(Tx& tx, std::uint64_t account, std::int64_t cents) {
  check_account(account);
  cbank::Balance::Mut balance = tx.root().accounts()[account].lock();
  balance.set_cents(balance.cents() + cents);
}

std::int64_t Vault::Ops::total(const Snapshot& snapshot) {
  std::int64_t sum = 0;
  for (auto account : snapshot.root().accounts()) sum += account.lock().cents();
  return sum;
}

std::uint64_t Vault::Ops::transfers(const Snapshot& snapshot) {
  std::uint64_t sum = 0;
  for (auto account : snapshot.root().accounts()) sum += account.lock().transfers();
  return sum;
}
