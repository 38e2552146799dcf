// Invariant 3: a Mut can only be obtained from a transaction. A pool hands
// out no Mut (nor a root, nor new objects) outside one, a read body gets
// Views only, and a transaction cannot be made up.
#include "bank.pschema.h"

void outside_a_transaction(bank::Ledger& ledger) {
#if PSCHEMA_CASE_FAIL == 1  // expect gcc: 'class bank::Ledger' has no member named 'root'
                            // expect clang: no member named 'root' in 'bank::Ledger'
  bank::Accounts::Mut root = ledger.root();
  root.set_next_id(1);
#else
  ledger.transaction([](bank::Ledger::Tx& tx) {
    bank::Accounts::Mut root = tx.root();
    root.set_next_id(1);
  });
#endif

#if PSCHEMA_CASE_FAIL == 2  // expect gcc: 'class bank::Ledger' has no member named 'make'
                            // expect clang: no member named 'make' in 'bank::Ledger'
  bank::Account::Mut account = ledger.make<bank::Account>().get();
  account.set_id(1);
#else
  ledger.transaction([](bank::Ledger::Tx& tx) {
    bank::Account::Mut account = tx.root().accounts().emplace_back();
    account.set_id(1);
  });
#endif

#if PSCHEMA_CASE_FAIL == 3  // expect gcc: no matching function for call to 'pschema::Transaction::Transaction\(\)'
                            // expect clang: no matching constructor for initialization of 'pschema::Transaction'
  pschema::Transaction raw;
  bank::Ledger::Tx tx(raw);
  tx.root().set_next_id(2);
#else
  ledger.transaction([](bank::Ledger::Tx& tx) { tx.root().set_next_id(2); });
#endif
}

void in_a_read(const bank::Ledger& ledger) {
  ledger.read([](const bank::Ledger::Snapshot& snapshot) {
#if PSCHEMA_CASE_FAIL == 4  // expect gcc: conversion from 'bank::Accounts::View' to non-scalar type 'bank::Accounts::Mut' requested
                            // expect clang: no viable conversion from '[^']*Accounts::View' to 'bank::Accounts::Mut'
    bank::Accounts::Mut root = snapshot.root();
#else
    bank::Accounts::View root = snapshot.root();
#endif
    (void)root.next_id();

#if PSCHEMA_CASE_FAIL == 5  // expect gcc: SnapshotBase<bank::Ledger, bank::Accounts>'} has no member named 'make'
                            // expect clang: no member named 'make' in 'pschema::SnapshotBase<bank::Ledger, bank::Accounts>'
    (void)snapshot.make<bank::Account>();
#else
    (void)snapshot.root().accounts().size();
#endif
  });
}
