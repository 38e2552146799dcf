// Copy-assignment of Views and Muts is deleted: `a = b` on two views would
// only rebind `a` and change nothing in the pool (`items[0] = items[1]`
// compiled and did nothing). Copying the data is named: assign(value),
// set_x(...), StringMut::assign(text); so is moving a cursor:
// pschema::rebind(view, other).
#include <string>

#include "bank.pschema.h"

void no_rebinding(bank::Ledger& ledger) {
  ledger.transaction([](bank::Ledger::Tx& tx) {
    auto history = tx.root().accounts().emplace_back().history();
    history.emplace_back().set_to(1);
    history.emplace_back().set_to(2);

#if PSCHEMA_CASE_FAIL == 1  // expect gcc: use of deleted function 'bank::Transfer::Mut& bank::Transfer::Mut::operator=\(const bank::Transfer::Mut&\)'
                            // expect clang: overload resolution selected deleted operator '='
    history[0] = history[1];
#else
    history[0].assign(bank::Transfer::View(history[1]).to_value());
#endif

    auto accounts = tx.root().accounts();
    bank::Account::Mut first = accounts[0];
#if PSCHEMA_CASE_FAIL == 2  // expect gcc: use of deleted function 'bank::Account::Mut& bank::Account::Mut::operator=\(const bank::Account::Mut&\)'
                            // expect clang: overload resolution selected deleted operator '='
    first = accounts.emplace_back();
#else
    pschema::rebind(first, accounts.emplace_back());  // the named rebinding
    first.set_id(2);
#endif

#if PSCHEMA_CASE_FAIL == 3  // expect gcc: use of deleted function 'pschema::StringMut& pschema::StringMut::operator=\(const pschema::StringMut&\)'
                            // expect clang: overload resolution selected deleted operator '='
    accounts[0].owner() = accounts[1].owner();
#else
    accounts[0].owner().assign(accounts[1].owner());
#endif

    pschema::VecMut<bank::Transfer> other = accounts[1].history();
#if PSCHEMA_CASE_FAIL == 4  // expect gcc: use of deleted function 'pschema::VecMut<bank::Transfer>& pschema::VecMut<bank::Transfer>::operator=\(const pschema::VecMut<bank::Transfer>&\)'
                            // expect clang: object of type 'pschema::VecMut<bank::Transfer>' cannot be assigned because its copy assignment operator is implicitly deleted
    other = history;
#else
    other.emplace_back().assign(bank::Transfer::View(history[0]).to_value());
#endif
  });

  (void)ledger.read([](const bank::Ledger::Snapshot& s) {
    bank::Account::View a = s.root().accounts()[0];
#if PSCHEMA_CASE_FAIL == 5  // expect gcc: use of deleted function 'bank::Account::View& bank::Account::View::operator=\(const bank::Account::View&\)'
                            // expect clang: overload resolution selected deleted operator '='
    a = s.root().accounts()[1];
#else
    bank::Account::View b = s.root().accounts()[1];
    (void)b;
#endif
    pschema::VecView<bank::Account> all = s.root().accounts();
#if PSCHEMA_CASE_FAIL == 6  // expect gcc: use of deleted function 'pschema::VecView<bank::Account>& pschema::VecView<bank::Account>::operator=\(
                            // expect clang: object of type 'pschema::VecView<bank::Account>' cannot be assigned because its copy assignment operator is implicitly deleted
    all = s.root().accounts();
#else
    pschema::VecView<bank::Account> again = all;
    (void)again;
#endif
    return a.id();
  });
}
