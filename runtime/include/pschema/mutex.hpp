// `mutex<T>`: the data of a concurrent pool that transactions change. The
// T inside is reachable only through lock() (exclusive, for writing) or
// lock_shared() (shared, read-only: several transactions and reads at
// once), which hold the mutex until the transaction (or read) ends —
// strict two-phase locking — so no other transaction ever sees what this
// one has not committed.
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
  std::uint64_t word;  // (generation << 16) | who holds it; see runtime/src/lock_table.hpp
  L value;
};

template <schema_struct T>
class MutexMut : detail::NoRebind {
 public:
  using layout = MutexRep<typename T::Layout>;
  // `container`: the map<K, mutex<T>> this mutex is an entry of, or null.
  MutexMut(detail::TxRef tx, layout* rep, const void* container = nullptr)
      : tx_(tx), rep_(rep), container_(container) {}

  // Waits until no other transaction holds the mutex, holds it until this
  // transaction commits or rolls back, and returns the data it protects.
  // Locking it again in the same transaction returns at once.
  typename T::Mut lock() const {
    tx_->lock(&rep_->word, container_);
    return access::mut<T>(tx_, &rep_->value);
  }

  // Waits until no other transaction holds the mutex exclusively, holds it
  // shared (other readers may hold it too) until this transaction ends,
  // and returns the data read-only. lock() afterwards upgrades: it waits
  // for the other readers (two transactions that both upgrade the same
  // mutex are a deadlock: one of them gets pschema::deadlock).
  typename T::View lock_shared() const {
    tx_->lock_shared(&rep_->word, container_);
    return access::view<T>(tx_->mapping(), &rep_->value);
  }

 private:
  detail::TxRef tx_;
  layout* rep_;
  const void* container_;
};

template <schema_struct T>
class MutexView : detail::NoRebind {
 public:
  using layout = MutexRep<typename T::Layout>;
  MutexView(const Mapping* base, const layout* rep, const void* container = nullptr)
      : base_(base), rep_(rep), container_(container) {}

  // Inside a read of a concurrent pool: waits for a transaction holding
  // the mutex exclusively to end, then holds it shared until the read ends
  // (reads see committed data only; other reads and lock_shared() may hold
  // it at the same time). In a pool that is not concurrent, readers and
  // the writer already exclude each other and this only returns the data.
  typename T::View lock() const { return lock_shared(); }
  // The same (a View only ever reads): the name MutexMut uses for it.
  typename T::View lock_shared() const {
    detail::lock_shared_for_current(&rep_->word, container_);
    return access::view<T>(base_, &rep_->value);
  }

 private:
  const Mapping* base_;
  const layout* rep_;
  const void* container_;
};

template <schema_struct T>
struct traits<mutex<T>> {
  using layout = MutexRep<typename T::Layout>;
  using view = MutexView<T>;
  using mut = MutexMut<T>;
  static view make_view(const Mapping* base, const layout* p) { return view(base, p); }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  // An entry of a map<K, mutex<T>> at `container`, whose lock guards the
  // entries moving (map.hpp takes it; the entry's lock() takes it shared).
  static constexpr bool locks_with_container = true;
  static view make_view_in(const Mapping* base, const layout* p, const void* container) {
    return view(base, p, container);
  }
  static mut make_mut_in(detail::TxRef tx, layout* p, const void* container) { return mut(tx, p, container); }
  static void init(Transaction& tx, layout* p) { access::init<T>(tx, &p->value); }
  static void destroy(Transaction& tx, layout* p) { access::destroy<T>(tx, &p->value); }
};

}  // namespace pschema
