// Invariants 4 and 5: the data of a mutex<T> is reached only through
// lock() or lock_shared(), which hold it until the transaction (or read)
// ends, what lock_shared() returns is read-only, and what either returns
// cannot be carried out of the transaction.
#include "fruit.pschema.h"

void in_a_transaction(fruit::Markets& markets) {
  markets.transaction([](fruit::Markets::Tx& tx) {
#if PSCHEMA_CASE_FAIL == 1  // expect gcc: 'class pschema::MutexMut<fruit::Stock>'} has no member named 'set_apples'
                            // expect clang: no member named 'set_apples' in 'pschema::MutexMut<fruit::Stock>'
    tx.root().stock().set_apples(1);
#else
    tx.root().stock().lock().set_apples(1);
#endif
  });

#if PSCHEMA_CASE_FAIL == 2  // expect: a transaction body may return only values that cannot refer into the pool
  fruit::Stock::Mut escaped = markets.transaction([](fruit::Markets::Tx& tx) { return tx.root().stock().lock(); });
  escaped.set_apples(2);
#else
  markets.transaction([](fruit::Markets::Tx& tx) { tx.root().stock().lock().set_apples(2); });
#endif

#if PSCHEMA_CASE_FAIL == 3  // expect gcc: no matching function for call to 'log_whole\(fruit::Market::Mut\)'.*'!requires\{M::holds_mutex
                            // expect clang: no matching function for call to 'log_whole'.*'fruit::Market::Mut' does not satisfy 'struct_mut'.*'!requires \{ Mut::holds_mutex
  markets.transaction([](fruit::Markets::Tx& tx) { pschema::log_whole(tx.root()); });
#else
  markets.transaction([](fruit::Markets::Tx& tx) { pschema::log_whole(tx.root().stock().lock()); });
#endif

#if PSCHEMA_CASE_FAIL == 6  // expect gcc: 'class fruit::Stock::View' has no member named 'set_apples'
                            // expect clang: no member named 'set_apples' in 'fruit::Stock::View'
  markets.transaction([](fruit::Markets::Tx& tx) { tx.root().stock().lock_shared().set_apples(3); });
#else
  markets.transaction([](fruit::Markets::Tx& tx) { (void)tx.root().stock().lock_shared().apples(); });
#endif

#if PSCHEMA_CASE_FAIL == 7  // expect: a transaction body may return only values that cannot refer into the pool
  fruit::Stock::View seen = markets.transaction([](fruit::Markets::Tx& tx) { return tx.root().stock().lock_shared(); });
  (void)seen.apples();
#else
  (void)markets.transaction([](fruit::Markets::Tx& tx) { return tx.root().stock().lock_shared().apples(); });
#endif
}

void in_a_read(const fruit::Markets& markets) {
#if PSCHEMA_CASE_FAIL == 4  // expect gcc: 'class pschema::MutexView<fruit::Stock>'} has no member named 'apples'
                            // expect clang: no member named 'apples' in 'pschema::MutexView<fruit::Stock>'
  (void)markets.read([](const fruit::Markets::Snapshot& s) { return s.root().stock().apples(); });
#else
  (void)markets.read([](const fruit::Markets::Snapshot& s) { return s.root().stock().lock().apples(); });
#endif

#if PSCHEMA_CASE_FAIL == 5  // expect: a read body may return only values that cannot refer into the pool
  fruit::Stock::View escaped = markets.read([](const fruit::Markets::Snapshot& s) { return s.root().stock().lock(); });
  (void)escaped.apples();
#else
  (void)markets.read([](const fruit::Markets::Snapshot& s) { return s.root().stock().lock().apples(); });
#endif
}
