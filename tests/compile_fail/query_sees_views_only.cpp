// Invariant 3: a `query` operation is read-only. Its implementation gets a
// `const Snapshot&`, whose root is a View; nothing in it converts to a Mut
// or to a transaction.
#include <optional>

#include "bank.pschema.h"

std::optional<std::int64_t> bank::Ledger::Ops::balance(const Snapshot& snapshot, std::uint64_t id) {
#if PSCHEMA_CASE_FAIL == 1  // expect gcc: conversion from 'bank::Accounts::View' to non-scalar type 'bank::Accounts::Mut' requested
                            // expect clang: no viable conversion from '[^']*Accounts::View' to 'bank::Accounts::Mut'
  bank::Accounts::Mut root = snapshot.root();
#else
  bank::Accounts::View root = snapshot.root();
#endif
  for (bank::Account::View account : root.accounts()) {
    if (account.id() == id) return account.balance().cents();
  }
  return std::nullopt;
}

std::int64_t bank::Ledger::Ops::total(const Snapshot& snapshot) {
  std::int64_t sum = 0;
  if (snapshot.root().accounts().empty()) return sum;

#if PSCHEMA_CASE_FAIL == 2  // expect gcc: conversion from 'pschema::VecView<bank::Account>::value_type' {aka 'bank::Account::View'} to non-scalar type 'bank::Account::Mut' requested
                            // expect clang: no viable conversion from '[^']*' \(aka 'bank::Account::View'\) to 'bank::Account::Mut'
  bank::Account::Mut first = snapshot.root().accounts()[0];
#else
  bank::Account::View first = snapshot.root().accounts()[0];
#endif
  sum += first.balance().cents();

#if PSCHEMA_CASE_FAIL == 3  // expect gcc: conversion from 'pschema::VecView<bank::Account>' to non-scalar type 'pschema::VecMut<bank::Account>' requested
                            // expect clang: no viable conversion from 'pschema::VecView<[^']*Account>' to 'pschema::VecMut<bank::Account>'
  pschema::VecMut<bank::Account> accounts = snapshot.root().accounts();
#else
  pschema::VecView<bank::Account> accounts = snapshot.root().accounts();
#endif
  sum += static_cast<std::int64_t>(accounts.size());

  // A query cannot run a tx operation: its snapshot is not a transaction.
#if PSCHEMA_CASE_FAIL == 4  // expect gcc: cannot convert '[^']*' {aka 'const pschema::SnapshotBase<bank::Ledger, bank::Accounts>'} to '[^']*' {aka 'pschema::TxBase<bank::Ledger, bank::Accounts>&'}
                            // expect clang: non-const lvalue reference to type '[^']*' \(aka '[^']*TxBase<bank::Ledger, bank::Accounts>'\) cannot bind to a value of unrelated type '[^']*' \(aka 'const [^']*SnapshotBase<bank::Ledger, bank::Accounts>'\)
  Ops::deposit(snapshot, first.id(), {100});
#else
  sum += balance(snapshot, first.id()).value_or(0);
#endif

  // Nor is the untyped read view underneath.
#if PSCHEMA_CASE_FAIL == 5  // expect gcc: invalid initialization of reference of type 'pschema::Transaction&' from expression of type 'const pschema::ReadView'
                            // expect clang: non-const lvalue reference to type 'pschema::Transaction' cannot bind to a value of unrelated type 'const [^']*ReadView'
  pschema::Transaction& raw = snapshot.raw();
  (void)raw;
#else
  const pschema::ReadView& raw = snapshot.raw();
  (void)raw;
#endif
  return sum;
}
