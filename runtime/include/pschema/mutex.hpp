// `mutex<T>`: the data of a concurrent pool that transactions change. The
// T inside is reachable only through lock(), which holds the mutex until
// the transaction (or read) ends — strict two-phase locking — so no other
// transaction ever sees what this one has not committed.
//
// The lock word lives in the pool next to T but means something only for
// the pool's current generation (bumped at every open): a crash while a
// mutex was held leaves a word from an older generation, which reads as
// unlocked. Lock words are never logged or flushed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pschema/access.hpp"
#include "pschema/detail/concurrency_checks.hpp"
#include "pschema/detail/no_rebind.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

template <class L>
struct MutexRep {
  std::uint64_t word;  // (generation << 16) | (holding lane + 1); see runtime/src/lock_table.hpp
  L value;
};

template <schema_struct T>
class MutexMut : detail::NoRebind {
 public:
  using layout = MutexRep<typename T::Layout>;
  MutexMut(detail::TxRef tx, layout* rep) : tx_(tx), rep_(rep) {}

  // Waits until no other transaction holds the mutex, holds it until this
  // transaction commits or rolls back, and returns the data it protects.
  // Locking it again in the same transaction returns at once.
  typename T::Mut lock() const {
    tx_->lock(&rep_->word);
    return access::mut<T>(tx_, &rep_->value);
  }

 private:
  detail::TxRef tx_;
  layout* rep_;
};

template <schema_struct T>
class MutexView : detail::NoRebind {
 public:
  using layout = MutexRep<typename T::Layout>;
  MutexView(const Mapping* base, const layout* rep) : base_(base), rep_(rep) {}

  // Inside a read of a concurrent pool: waits for the transaction holding
  // the mutex to end, then holds it until the read ends (reads see
  // committed data only). In a pool that is not concurrent, readers and
  // the writer already exclude each other and this only returns the data.
  typename T::View lock() const {
    detail::lock_for_current(&rep_->word);
    return access::view<T>(base_, &rep_->value);
  }

 private:
  const Mapping* base_;
  const layout* rep_;
};

template <schema_struct T>
struct traits<mutex<T>> {
  using layout = MutexRep<typename T::Layout>;
  using view = MutexView<T>;
  using mut = MutexMut<T>;
  static view make_view(const Mapping* base, const layout* p) { return view(base, p); }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction& tx, layout* p) { access::init<T>(tx, &p->value); }
  static void destroy(Transaction& tx, layout* p) { access::destroy<T>(tx, &p->value); }
};

}  // namespace pschema
