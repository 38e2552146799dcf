// The operations of growing_bank.pschema: the map of accounts is locked
// shared to find an account (find), exclusively to open one (try_emplace);
// each account's lock() locks that account alone.
#include "growing_bank.pschema.h"

using gbank::Ledger;

bool Ledger::Ops::open_account(Tx& tx, std::uint64_t id, std::int64_t cents) {
  auto [account, made] = tx.root().accounts().try_emplace(id);
  if (!made) return false;
  account.lock().set_cents(cents);
  return true;
}

bool Ledger::Ops::transfer(Tx& tx, std::uint64_t from, std::uint64_t to, std::int64_t cents) {
  if (from == to) return false;
  auto accounts = tx.root().accounts();
  auto source_entry = accounts.find(from);
  auto target_entry = accounts.find(to);
  if (!source_entry || !target_entry) return false;
  gbank::Balance::Mut source = source_entry->lock();
  if (source.cents() < cents) return false;
  gbank::Balance::Mut target = target_entry->lock();
  source.set_cents(source.cents() - cents);
  source.set_transfers(source.transfers() + 1);
  target.set_cents(target.cents() + cents);
  target.set_transfers(target.transfers() + 1);
  return true;
}

std::int64_t Ledger::Ops::total(const Snapshot& snapshot) {
  std::int64_t sum = 0;
  for (auto [id, account] : snapshot.root().accounts()) sum += account.lock().cents();
  return sum;
}

std::uint64_t Ledger::Ops::account_count(const Snapshot& snapshot) { return snapshot.root().accounts().size(); }
