// `array<T, N>`: N elements in place. Writing an element logs only that
// element. Every index is checked against N (index_out_of_range).
#pragma once

#include <cstddef>

#include "pschema/detail/bounds.hpp"
#include "pschema/detail/no_rebind.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"
#include "pschema/vec.hpp"

namespace pschema {

template <class L, std::size_t N>
struct ArrayRep {
  L items[N];
};

template <class T, std::size_t N>
class ArrayView : detail::NoRebind {
 public:
  using layout = ArrayRep<typename traits<T>::layout, N>;
  using value_type = typename traits<T>::view;
  using iterator = IndexIterator<ArrayView, value_type>;

  ArrayView(const Mapping* base, const layout* rep) : base_(base), rep_(rep) {}
  static constexpr std::size_t size() { return N; }
  // Every element access is checked (index_out_of_range): one compare.
  value_type operator[](std::size_t i) const {
    detail::check_index("array", i, N);
    return traits<T>::make_view(base_, &rep_->items[i]);
  }
  value_type at(std::size_t i) const { return (*this)[i]; }
  value_type front() const { return (*this)[0]; }
  value_type back() const { return (*this)[N - 1]; }
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, N); }

 private:
  const Mapping* base_;
  const layout* rep_;
};

template <class T, std::size_t N>
class ArrayMut : detail::NoRebind {
 public:
  using layout = ArrayRep<typename traits<T>::layout, N>;
  using view_type = typename traits<T>::view;
  using reference = element_reference_t<T>;
  using iterator = IndexIterator<ArrayMut, reference>;

  ArrayMut(detail::TxRef tx, layout* rep) : tx_(tx), rep_(rep) {}
  operator ArrayView<T, N>() const { return ArrayView<T, N>(tx_->mapping(), rep_); }
  static constexpr std::size_t size() { return N; }
  reference operator[](std::size_t i) const {
    check(i);
    if constexpr (has_mut<T>) {
      return traits<T>::make_mut(tx_, &rep_->items[i]);
    } else {
      return rep_->items[i];
    }
  }
  reference at(std::size_t i) const { return (*this)[i]; }
  reference front() const { return (*this)[0]; }
  reference back() const { return (*this)[N - 1]; }
  void set(std::size_t i, const view_type& value) requires(!has_mut<T>) {
    check(i);
    tx_->write(rep_->items[i], value);
  }
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, N); }

 private:
  static void check(std::size_t i) { detail::check_index("array", i, N); }
  detail::TxRef tx_;
  layout* rep_;
};

template <class T, std::size_t N>
struct traits<array<T, N>> {
  using layout = ArrayRep<typename traits<T>::layout, N>;
  using view = ArrayView<T, N>;
  using mut = ArrayMut<T, N>;
  static view make_view(const Mapping* base, const layout* p) { return view(base, p); }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction& tx, layout* p) {
    for (auto& item : p->items) traits<T>::init(tx, &item);
  }
  static void destroy(Transaction& tx, layout* p) {
    for (auto& item : p->items) traits<T>::destroy(tx, &item);
  }
};

}  // namespace pschema
