// The only way to construct views of generated structs: their constructors
// are private and befriend `access`, so user code cannot make a View or a
// Mut out of a raw pointer, nor a Mut outside a transaction.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pschema/errors.hpp"
#include "pschema/traits.hpp"

namespace pschema {

class Transaction;

struct access {
  template <class T>
  static typename T::View view(const Mapping* base, const typename T::Layout* p) {
    return typename T::View(base, p);
  }
  template <class T>
  static typename T::Mut mut(Transaction& tx, typename T::Layout* p) {
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

template <schema_struct T>
typename T::View traits<T>::make_view(const Mapping* base, const layout* p) {
  return access::view<T>(base, p);
}
template <schema_struct T>
typename T::Mut traits<T>::make_mut(Transaction& tx, layout* p) {
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
