// Invariant 2: no pointer from one pool into another. Two pools with
// different roots have disjoint types: an object, a view, a transaction or
// a handle of one pool kind does not convert to the other's.
#include <string_view>
#include <utility>

#include "fruit.pschema.h"

void across_transactions(fruit::Orchards& orchards, fruit::Gardens& gardens) {
  orchards.transaction([&](fruit::Orchards::Tx& otx) {
    pschema::Owned<fruit::Apple> apple = otx.make<fruit::Apple>();
    apple->set_name("cox");
    gardens.transaction([&](fruit::Gardens::Tx& gtx) {
      pschema::Owned<fruit::Pear> pear = gtx.make<fruit::Pear>();
      pear->set_name("conference");

      // A new object of pool kind Orchards stored in a Gardens box.
#if PSCHEMA_CASE_FAIL == 1  // expect gcc: cannot convert '[^']*' {aka 'pschema::Owned<fruit::Apple>'} to 'pschema::Owned<fruit::Pear>&&'
                            // expect clang: no viable conversion from '[^']*Owned<fruit::Apple>' to '[^']*Owned<fruit::Pear>'
      gtx.root().first().set(std::move(apple));
#else
      gtx.root().first().set(std::move(pear));
#endif

      // An object taken out of an Orchards box, moved into a Gardens box.
#if PSCHEMA_CASE_FAIL == 2  // expect gcc: cannot convert 'pschema::Owned<fruit::Apple>' to 'pschema::Owned<fruit::Pear>&&'
                            // expect clang: no viable conversion from '[^']*Owned<fruit::Apple>' to '[^']*Owned<fruit::Pear>'
      gtx.root().first().set(otx.root().first().value().next().take());
#else
      gtx.root().first().set(gtx.root().first().value().next().take());
#endif

      // A transaction of one pool kind running the other's operation.
#if PSCHEMA_CASE_FAIL == 3  // expect gcc: cannot convert '[^']*' {aka 'pschema::TxBase<fruit::Orchards, fruit::Orchard>'} to '[^']*' {aka 'pschema::TxBase<fruit::Gardens, fruit::Garden>&'}
                            // expect clang: non-const lvalue reference to type '[^']*TxBase<fruit::Gardens, fruit::Garden>' cannot bind to a value of unrelated type '[^']*TxBase<fruit::Orchards, fruit::Orchard>'
      fruit::Gardens::Ops::sow(otx, "williams");
#else
      fruit::Gardens::Ops::sow(gtx, "williams");
#endif

      // A typed transaction of one pool kind made over another's raw one.
#if PSCHEMA_CASE_FAIL == 6  // expect gcc: 'pschema::TxBase<Pool, Root>::TxBase[^']*Pool = fruit::Orchards; Root = fruit::Orchard[^']*' is private
                            // expect clang: calling a private constructor of class 'pschema::TxBase<fruit::Orchards, fruit::Orchard>'
      fruit::Orchards::Tx forged(pschema::unsafe::raw(gtx));
#else
      pschema::Transaction& raw = pschema::unsafe::raw(gtx);
      (void)raw;
#endif
    });
    otx.root().first().set(std::move(apple));
  });
}

void across_reads(const fruit::Orchards& orchards, const fruit::Gardens& gardens) {
  pschema::Handle<fruit::Apple> apple_handle = orchards.read([](const fruit::Orchards::Snapshot& s) {
#if PSCHEMA_CASE_FAIL == 4  // expect gcc: conversion from 'fruit::Apple::View' to non-scalar type 'fruit::Pear::View' requested
                            // expect clang: no viable conversion from 'fruit::Apple::View' to 'fruit::Pear::View'
    fruit::Pear::View first = *s.root().first();
#else
    fruit::Apple::View first = *s.root().first();
#endif
    return s.handle<fruit::Apple>(first);
  });
  gardens.read([&](const fruit::Gardens::Snapshot& s) {
    if (apple_handle.empty()) return;
    pschema::Handle<fruit::Pear> pear_handle = s.handle<fruit::Pear>(*s.root().first());
    // A handle to an Apple cannot be resolved as a Pear.
#if PSCHEMA_CASE_FAIL == 5  // expect gcc: cannot convert 'pschema::Handle<fruit::Apple>' to 'const pschema::Handle<fruit::Pear>&'
                            // expect clang: no matching member function for call to 'resolve'.*no known conversion from '[^']*Handle<fruit::Apple>' to 'const [^']*Handle<fruit::Pear>'
    (void)s.resolve<fruit::Pear>(apple_handle);
#else
    (void)s.resolve<fruit::Pear>(pear_handle);
#endif
  });
}
