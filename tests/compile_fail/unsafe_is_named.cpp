// Raw pool memory is reachable only through the deliberately named
// pschema::unsafe API (pschema/unsafe.hpp): the pool's base address, the
// untyped Transaction under a Tx, the layout behind a View or Mut. Each
// gives writable memory whose writes are not logged.
#include <cstddef>

#include "bank.pschema.h"
#include "pschema/unsafe.hpp"

void raw_memory(bank::Ledger& ledger) {
#if PSCHEMA_CASE_FAIL == 1  // expect gcc: 'std::byte\* pschema::Pool::base\(\) const' is private within this context
                            // expect clang: 'base' is a private member of 'pschema::Pool'
  std::byte* base = ledger.pool().base();
#else
  std::byte* base = pschema::unsafe::base(ledger.pool());
#endif
  (void)base;

  ledger.transaction([](bank::Ledger::Tx& tx) {
#if PSCHEMA_CASE_FAIL == 2  // expect gcc: 'pschema::Transaction& pschema::TxBase<Pool, Root>::raw\(\) const|has no member named 'raw'
                            // expect clang: no member named 'raw' in 'pschema::TxBase<bank::Ledger, bank::Accounts>'
    auto* root = tx.raw().at<bank::Accounts::Layout>(tx.raw().root_offset());
#else
    auto* root = pschema::unsafe::raw(tx).at<bank::Accounts::Layout>(pschema::unsafe::raw(tx).root_offset());
#endif
    (void)root;

#if PSCHEMA_CASE_FAIL == 3  // expect gcc: layout_of.*is private within this context
                            // expect clang: 'layout_of' is a private member of 'pschema::access'
    bank::Accounts::Layout* layout = pschema::access::layout_of(tx.root());
#else
    bank::Accounts::Layout* layout = pschema::unsafe::layout_of(tx.root());
#endif
    (void)layout;
  });
}
