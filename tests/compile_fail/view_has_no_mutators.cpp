// Invariant 3: mutators exist only on Mut views. A View (from a read, or
// from converting a Mut) has no setter, and neither have the views of its
// fields: structs, containers, strings.
#include <string_view>

#include "bank.pschema.h"

void read_only(const bank::Ledger& ledger) {
  ledger.read([](const bank::Ledger::Snapshot& snapshot) {
    bank::Accounts::View root = snapshot.root();
    bank::Account::View account = root.accounts()[0];

#if PSCHEMA_CASE_FAIL == 1  // expect: 'class bank::Accounts::View' has no member named 'set_next_id'
    root.set_next_id(1);
#else
    (void)root.next_id();
#endif

#if PSCHEMA_CASE_FAIL == 2  // expect: 'class bank::Money::View' has no member named 'set_cents'
    account.balance().set_cents(0);
#else
    (void)account.balance().cents();
#endif

#if PSCHEMA_CASE_FAIL == 3  // expect: 'class pschema::VecView<bank::Account>' has no member named 'emplace_back'
    root.accounts().emplace_back();
#else
    (void)root.accounts().back();
#endif

#if PSCHEMA_CASE_FAIL == 4  // expect: 'class std::basic_string_view<char>'} has no member named 'assign'
    account.owner().assign("bob");
#else
    (void)account.owner().size();
#endif
  });
}

void through_a_view_in_a_transaction(bank::Ledger& ledger) {
  ledger.transaction([](bank::Ledger::Tx& tx) {
    bank::Account::Mut account = tx.root().accounts().emplace_back();
    bank::Account::View view = account;  // a Mut converts to a View...
#if PSCHEMA_CASE_FAIL == 5  // expect: 'class bank::Account::View' has no member named 'set_id'
    view.set_id(7);  // ...which cannot write, even inside a transaction
#else
    account.set_id(view.id() + 7);
#endif
  });
}
