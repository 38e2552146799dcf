// Invariant 1: a pool holds only data that can safely persist. A field
// takes its own persistent kind of value (copied in) or an object of its
// pool; never a C++ pointer, a std container, or a non-schema type.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bank.pschema.h"
#include "fruit.pschema.h"

void strings(bank::Ledger& ledger, const std::string& owner) {
  ledger.transaction([&](bank::Ledger::Tx& tx) {
    bank::Account::Mut account = tx.root().accounts().emplace_back();
#if PSCHEMA_CASE_FAIL == 1  // expect gcc: cannot convert 'const std::string\*' {aka '[^']*'} to 'std::string_view'
                            // expect clang: no viable conversion from 'const std::string \*' \(aka '[^']*'\) to 'std::string_view'
    account.set_owner(&owner);
#else
    account.set_owner(owner);  // copies the characters into the pool
#endif
  });
}

void containers_and_boxes(fruit::Orchards& orchards) {
  orchards.transaction([](fruit::Orchards::Tx& tx) {
    fruit::Orchard::Mut orchard = tx.root();
    std::vector<std::int64_t> weights{120, 95};

#if PSCHEMA_CASE_FAIL == 2  // expect gcc: no match for 'operator=' \(operand types are 'pschema::VecMut<long (long )?int>' and 'std::vector<long (long )?int>'\)
                            // expect clang: no viable overloaded '='.*implicit copy assignment operator\) not viable: no known conversion from 'std::vector<std::int64_t>' \(aka '[^']*'\) to 'const VecMut<long( long)?>'
    orchard.weights() = weights;
#else
    for (std::int64_t w : weights) orchard.weights().push_back(w);
#endif

#if PSCHEMA_CASE_FAIL == 3  // expect gcc: invalid conversion from 'long (long )?int\*' to 'pschema::VecMut<long (long )?int>::view_type'
                            // expect clang: reference to type 'const view_type' \(aka 'const long( long)?'\) could not bind to an rvalue of type 'long( long)? \*'
    orchard.weights().push_back(weights.data());
#else
    orchard.weights().push_back(weights.front());
#endif

#if PSCHEMA_CASE_FAIL == 4  // expect gcc: cannot convert '[^']*unique_ptr[^']*' to 'pschema::Owned<fruit::Apple>&&'
                            // expect clang: no viable conversion from '[^']*unique_ptr[^']*'( \(aka '[^']*'\))? to '[^']*Owned<[^']*Apple>'
    orchard.first().set(std::make_unique<std::string>("cox"));
#else
    orchard.first().emplace().set_name("cox");
#endif

#if PSCHEMA_CASE_FAIL == 5  // expect gcc: cannot convert 'fruit::Apple::Layout\*' to 'pschema::Owned<fruit::Apple>&&'
                            // expect clang: reference to type '[^']*Owned<[^']*Apple>' could not bind to an lvalue of type 'fruit::Apple::Layout \*'
    fruit::Apple::Layout* raw = nullptr;
    orchard.first().set(raw);
#else
    pschema::Owned<fruit::Apple> apple = tx.make<fruit::Apple>();
    orchard.first().set(std::move(apple));
#endif

    // Only schema structs can be made in a pool.
#if PSCHEMA_CASE_FAIL == 6  // expect gcc: no matching function for call to 'pschema::TxBase<fruit::Orchards, fruit::Orchard>::make<std::string>\(\)'.*required for the satisfaction of 'schema_struct<T>' \[with T = std::__cxx11::basic_string
                            // expect clang: no matching member function for call to 'make'.*\[with T = std::string\]: constraints not satisfied for class template 'Owned'
    auto name = tx.make<std::string>();
#else
    auto name = tx.make<fruit::Apple>();
#endif
    (void)name;
  });
}
