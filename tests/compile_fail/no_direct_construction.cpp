// Invariants 1 and 3: layouts live only in a pool, and views are made only
// by the generated code from a snapshot or a transaction. User code can
// construct none of them (nor a handle, nor a typed pool that skipped the
// schema check of create/open) out of thin air or a raw pointer.
#include <utility>

#include "bank.pschema.h"

void layouts(bank::Ledger& ledger) {
  ledger.transaction([](bank::Ledger::Tx& tx) {
#if PSCHEMA_CASE_FAIL == 1  // expect: use of deleted function 'bank::Account::Layout::Layout\(\)'
    bank::Account::Layout layout;
    (void)layout;
#else
    bank::Account::Mut account = tx.root().accounts().emplace_back();
    (void)account;
#endif

    // Not an aggregate either: a Layout has no value initialisation.
#if PSCHEMA_CASE_FAIL == 2  // expect: no matching function for call to 'bank::Money::Layout::Layout\(<brace-enclosed initializer list>\)'
    bank::Money::Layout money{42};
    (void)money;
#else
    bank::Money::Value money{42};
    tx.root().accounts().back().set_balance(money);
#endif
  });
}

void views(bank::Ledger& ledger) {
  ledger.read([](const bank::Ledger::Snapshot& snapshot) {
#if PSCHEMA_CASE_FAIL == 3  // expect: 'bank::Account::View::View\(const std::byte\*, const bank::Account::Layout\*\)' is private within this context
    bank::Account::View view(nullptr, nullptr);
#else
    bank::Account::View view = snapshot.root().accounts()[0];
#endif
    (void)view.id();
  });

  ledger.transaction([](bank::Ledger::Tx& tx) {
#if PSCHEMA_CASE_FAIL == 4  // expect: 'bank::Account::Mut::Mut\(pschema::Transaction&, bank::Account::Layout\*\)' is private within this context
    bank::Account::Mut mut(tx.raw(), nullptr);
#else
    bank::Account::Mut mut = tx.root().accounts()[0];
#endif
    mut.set_id(1);

#if PSCHEMA_CASE_FAIL == 5  // expect: 'pschema::Handle<T>::Handle\(uint64_t, uint64_t\) \[with T = bank::Account; uint64_t = long unsigned int\]' is private within this context
    pschema::Handle<bank::Account> handle(1, 64);
#else
    pschema::Handle<bank::Account> handle = tx.handle<bank::Account>(mut);
#endif
    (void)handle;
  });
}

bank::Ledger typed_pool(pschema::Pool raw) {
#if PSCHEMA_CASE_FAIL == 6  // expect: is protected within this context
  return bank::Ledger(std::move(raw));
#else
  raw.close();
  return bank::Ledger::open("bank.pool");
#endif
}
