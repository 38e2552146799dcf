// Invariant 3: a Mut converts to a View (reading while writing is fine),
// never the other way: a View, or the view of any field, gives no way back
// to mutation.
#include <string_view>

#include "bank.pschema.h"

void one_way(bank::Ledger& ledger) {
  ledger.transaction([](bank::Ledger::Tx& tx) {
    bank::Account::Mut mut = tx.root().accounts().emplace_back();
    bank::Account::View view = mut;  // Mut -> View

#if PSCHEMA_CASE_FAIL == 1  // expect gcc: conversion from 'bank::Account::View' to non-scalar type 'bank::Account::Mut' requested
                            // expect clang: no viable conversion from 'bank::Account::View' to 'bank::Account::Mut'
    bank::Account::Mut again = view;
#else
    bank::Account::Mut again = mut;
#endif
    again.set_id(view.id() + 1);

#if PSCHEMA_CASE_FAIL == 2  // expect gcc: no matching function for call to 'bank::Account::Mut::Mut\(bank::Account::View&\)'
                            // expect clang: no matching conversion for static_cast from 'bank::Account::View' to 'bank::Account::Mut'
    auto cast = static_cast<bank::Account::Mut>(view);
#else
    auto cast = static_cast<bank::Account::View>(mut);
#endif
    (void)cast;

#if PSCHEMA_CASE_FAIL == 3  // expect gcc: no match for 'operator=' \(operand types are 'bank::Account::Mut' and 'bank::Account::View'\)
                            // expect clang: no viable overloaded '='.*not viable: no known conversion from 'bank::Account::View' to 'const Mut'
    again = view;
#else
    again.set_id(view.id());
#endif

#if PSCHEMA_CASE_FAIL == 4  // expect gcc: conversion from 'pschema::VecView<bank::Transfer>' to non-scalar type 'pschema::VecMut<bank::Transfer>' requested
                            // expect clang: no viable conversion from 'pschema::VecView<[^']*Transfer>' to 'pschema::VecMut<bank::Transfer>'
    pschema::VecMut<bank::Transfer> history = view.history();
#else
    pschema::VecMut<bank::Transfer> history = mut.history();
#endif
    history.emplace_back().set_to(2);

#if PSCHEMA_CASE_FAIL == 5  // expect gcc: conversion from 'std::string_view' {aka 'std::basic_string_view<char>'} to non-scalar type 'pschema::StringMut' requested
                            // expect clang: no viable conversion from 'std::string_view' \(aka '[^']*'\) to 'pschema::StringMut'
    pschema::StringMut owner = view.owner();
#else
    pschema::StringMut owner = mut.owner();
#endif
    owner.assign("carol");

#if PSCHEMA_CASE_FAIL == 6  // expect gcc: conversion from 'bank::Money::View' to non-scalar type 'bank::Money::Mut' requested
                            // expect clang: no viable conversion from '[^']*Money::View' to 'bank::Money::Mut'
    bank::Money::Mut balance = view.balance();
#else
    bank::Money::Mut balance = mut.balance();
#endif
    balance.set_cents(100);
  });
}
