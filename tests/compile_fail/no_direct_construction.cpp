// Invariants 1 and 3: layouts live only in a pool, and views are made only
// by the generated code from a snapshot or a transaction. User code can
// construct none of them (nor a handle, nor a typed pool that skipped the
// schema check of create/open) out of thin air or a raw pointer.
#include <utility>

#include "bank.pschema.h"

void layouts(bank::Ledger& ledger) {
  ledger.transaction([](bank::Ledger::Tx& tx) {
#if PSCHEMA_CASE_FAIL == 1  // expect gcc: use of deleted function 'bank::Account::Layout::Layout\(\)'
                            // expect clang: call to deleted constructor of 'bank::Account::Layout'
    bank::Account::Layout layout;
    (void)layout;
#else
    bank::Account::Mut account = tx.root().accounts().emplace_back();
    (void)account;
#endif

    // Not an aggregate either: a Layout has no value initialisation.
#if PSCHEMA_CASE_FAIL == 2  // expect gcc: no matching function for call to 'bank::Money::Layout::Layout\(<brace-enclosed initializer list>\)'
                            // expect clang: no matching constructor for initialization of 'bank::Money::Layout'
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
#if PSCHEMA_CASE_FAIL == 3  // expect gcc: 'bank::Account::View::View\(const pschema::Mapping\*, const bank::Account::Layout\*\)' is private within this context
                            // expect clang: calling a private constructor of class 'bank::Account::View'
    bank::Account::View view(nullptr, nullptr);
#else
    bank::Account::View view = snapshot.root().accounts()[0];
#endif
    (void)view.id();
  });

  ledger.transaction([](bank::Ledger::Tx& tx) {
#if PSCHEMA_CASE_FAIL == 4  // expect gcc: 'bank::Account::Mut::Mut\(pschema::detail::TxRef, bank::Account::Layout\*\)' is private within this context
                            // expect clang: calling a private constructor of class 'bank::Account::Mut'
    bank::Account::Mut mut(pschema::unsafe::raw(tx), nullptr);
#else
    bank::Account::Mut mut = tx.root().accounts()[0];
#endif
    mut.set_id(1);

#if PSCHEMA_CASE_FAIL == 5  // expect gcc: 'pschema::Handle<T>::Handle\(uint64_t, uint64_t, uint64_t\) \[with T = bank::Account; uint64_t = long unsigned int\]' is private within this context
                            // expect clang: calling a private constructor of class 'pschema::Handle<bank::Account>'
    pschema::Handle<bank::Account> handle(1, 64, 0);
#else
    pschema::Handle<bank::Account> handle = tx.handle<bank::Account>(mut);
#endif
    (void)handle;
  });
}

bank::Ledger typed_pool(pschema::Pool raw) {
#if PSCHEMA_CASE_FAIL == 6  // expect gcc: 'pschema::TypedPool<Derived, Root>::TypedPool\(pschema::Pool\) \[with Derived = bank::Ledger[^']*' is protected within this context
                            // expect clang: calling a protected constructor of class 'pschema::TypedPool<bank::Ledger, bank::Accounts>'
  return bank::Ledger(std::move(raw));
#else
  raw.close();
  return bank::Ledger::open("bank.pool");
#endif
}
