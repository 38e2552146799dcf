// The only way to construct views of generated structs: their constructors
// are private and befriend `access`, so user code cannot make a View or a
// Mut out of a raw pointer, nor a Mut outside a transaction. What would give
// writable pool memory (the layout behind a Mut or View, the transaction
// behind a Mut or a Tx) is private here and reached only through the
// deliberately named `pschema::unsafe` functions below (pschema/unsafe.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "pschema/detail/tx_ref.hpp"
#include "pschema/errors.hpp"
#include "pschema/traits.hpp"

namespace pschema {

class Transaction;

namespace unsafe {
struct gate;
}

struct access {
  template <class T>
  static typename T::View view(const Mapping* base, const typename T::Layout* p) {
    return typename T::View(base, p);
  }
  template <class T>
  static typename T::Mut mut(detail::TxRef tx, typename T::Layout* p) {
    return typename T::Mut(tx, p);
  }
  template <class T>
  static void init(Transaction& tx, typename T::Layout* p) {
    T::init(tx, p);
  }
  template <class T>
  static void destroy(Transaction& tx, typename T::Layout* p) {
    T::destroy(tx, p);
  }

 private:
  friend struct unsafe::gate;
  // The transaction and layout behind a Mut (for containers taking one).
  // (Trailing return types: usable in requires-expressions on any type.)
  template <class M>
  static auto transaction_of(const M& m) -> decltype(*m.tx_) {
    return *m.tx_;
  }
  template <class M>
  static auto layout_of(const M& m) -> decltype(m.p_) {
    return m.p_;
  }
};

// Raw access, deliberately named: whoever writes `pschema::unsafe::` takes
// over the guarantees the typed API gives (every write logged, nothing
// kept past its scope). The runtime uses these too, where it must.
namespace unsafe {

struct gate {
  template <class M>
  static auto layout_of(const M& m) -> decltype(access::layout_of(m)) {
    return access::layout_of(m);
  }
  template <class M>
  static auto transaction_of(const M& m) -> decltype(access::transaction_of(m)) {
    return access::transaction_of(m);
  }
  // The Transaction of a Tx (pschema/session.hpp befriends the gate).
  template <class Tx>
  static auto raw(const Tx& tx) -> decltype(*tx.tx_) {
    return *tx.tx_;
  }
};

// The layout a View (const) or Mut (writable, unlogged) of a generated
// struct points at: pool memory.
template <class M>
auto layout_of(const M& m) -> decltype(gate::layout_of(m)) {
  return gate::layout_of(m);
}
// The transaction a Mut writes through.
template <class M>
auto transaction_of(const M& m) -> decltype(gate::transaction_of(m)) {
  return gate::transaction_of(m);
}
// The untyped Transaction under a typed Tx: at<T>(offset), base(), allocate, free.
template <class Tx>
auto raw(const Tx& tx) -> decltype(gate::raw(tx)) {
  return gate::raw(tx);
}

}  // namespace unsafe

template <schema_struct T>
typename T::View traits<T>::make_view(const Mapping* base, const layout* p) {
  return access::view<T>(base, p);
}
template <schema_struct T>
typename T::Mut traits<T>::make_mut(detail::TxRef tx, layout* p) {
  return access::mut<T>(tx, p);
}
template <schema_struct T>
void traits<T>::init(Transaction& tx, layout* p) {
  access::init<T>(tx, p);
}
template <schema_struct T>
void traits<T>::destroy(Transaction& tx, layout* p) {
  access::destroy<T>(tx, p);
}

// Allocates a zeroed T and gives its eager members (non-optional boxes) their objects.
template <schema_struct T>
std::uint64_t allocate_object(Transaction& tx) {
  std::uint64_t offset = tx.allocate(sizeof(typename T::Layout), T::type_id);
  access::init<T>(tx, tx.at<typename T::Layout>(offset));
  return offset;
}

// Frees the object at `offset` and everything it owns. The object first:
// in a damaged pool whose boxes make a cycle, reaching it again then fails
// (freed twice) instead of recursing without end.
template <schema_struct T>
void free_object(Transaction& tx, std::uint64_t offset) {
  typename T::Layout* object = tx.at<typename T::Layout>(offset);
  tx.free(offset);
  access::destroy<T>(tx, object);
}

}  // namespace pschema
