// Invariant 3: mutators exist only on Mut views. A View (from a read, or
// from converting a Mut) has no setter, and neither have the views of its
// fields: structs, containers, strings.
#include <string_view>

#include "bank.pschema.h"

void read_only(const bank::Ledger& ledger) {
  ledger.read([](const bank::Ledger::Snapshot& snapshot) {
    bank::Accounts::View root = snapshot.root();
    bank::Account::View account = root.accounts()[0];

#if PSCHEMA_CASE_FAIL == 1  // expect gcc: 'class bank::Accounts::View' has no member named 'set_next_id'
                            // expect clang: no member named 'set_next_id' in 'bank::Accounts::View'
    root.set_next_id(1);
#else
    (void)root.next_id();
#endif

#if PSCHEMA_CASE_FAIL == 2  // expect gcc: 'class bank::Money::View' has no member named 'set_cents'
                            // expect clang: no member named 'set_cents' in 'bank::Money::View'
    account.balance().set_cents(0);
#else
    (void)account.balance().cents();
#endif

#if PSCHEMA_CASE_FAIL == 3  // expect gcc: 'class pschema::VecView<bank::Account>' has no member named 'emplace_back'
                            // expect clang: no member named 'emplace_back' in 'pschema::VecView<bank::Account>'
    root.accounts().emplace_back();
#else
    (void)root.accounts().back();
#endif

#if PSCHEMA_CASE_FAIL == 4  // expect gcc: 'class std::basic_string_view<char>'} has no member named 'assign'
                            // expect clang: no member named 'assign' in 'std::basic_string_view<char>'
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
#if PSCHEMA_CASE_FAIL == 5  // expect gcc: 'class bank::Account::View' has no member named 'set_id'
                            // expect clang: no member named 'set_id' in 'bank::Account::View'
    view.set_id(7);  // ...which cannot write, even inside a transaction
#else
    account.set_id(view.id() + 7);
#endif
  });
}
