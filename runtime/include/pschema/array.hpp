// `array<T, N>`: N elements in place. Writing an element logs only that
// element.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"
#include "pschema/vec.hpp"

namespace pschema {

template <class L, std::size_t N>
struct ArrayRep {
  L items[N];
};

template <class T, std::size_t N>
class ArrayView {
 public:
  using layout = ArrayRep<typename traits<T>::layout, N>;
  using value_type = typename traits<T>::view;
  using iterator = IndexIterator<ArrayView, value_type>;

  ArrayView(const Mapping* base, const layout* rep) : base_(base), rep_(rep) {}
  static constexpr std::size_t size() { return N; }
  value_type operator[](std::size_t i) const { return traits<T>::make_view(base_, &rep_->items[i]); }
  value_type at(std::size_t i) const {
    if (i >= N)
      throw std::out_of_range("array index " + std::to_string(i) + " out of range (size " + std::to_string(N) + ")");
    return (*this)[i];
  }
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, N); }

 private:
  const Mapping* base_;
  const layout* rep_;
};

template <class T, std::size_t N>
class ArrayMut {
 public:
  using layout = ArrayRep<typename traits<T>::layout, N>;
  using view_type = typename traits<T>::view;
  using reference = element_reference_t<T>;
  using iterator = IndexIterator<ArrayMut, reference>;

  ArrayMut(Transaction& tx, layout* rep) : tx_(&tx), rep_(rep) {}
  operator ArrayView<T, N>() const { return ArrayView<T, N>(tx_->mapping(), rep_); }
  static constexpr std::size_t size() { return N; }
  reference operator[](std::size_t i) const {
    if constexpr (has_mut<T>) {
      return traits<T>::make_mut(*tx_, &rep_->items[i]);
    } else {
      return rep_->items[i];
    }
  }
  reference at(std::size_t i) const {
    check(i);
    return (*this)[i];
  }
  void set(std::size_t i, const view_type& value) requires(!has_mut<T>) {
    check(i);
    tx_->write(rep_->items[i], value);
  }
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, N); }

 private:
  void check(std::size_t i) const {
    if (i >= N)
      throw std::out_of_range("array index " + std::to_string(i) + " out of range (size " + std::to_string(N) + ")");
  }
  Transaction* tx_;
  layout* rep_;
};

template <class T, std::size_t N>
struct traits<array<T, N>> {
  using layout = ArrayRep<typename traits<T>::layout, N>;
  using view = ArrayView<T, N>;
  using mut = ArrayMut<T, N>;
  static view make_view(const Mapping* base, const layout* p) { return view(base, p); }
  static mut make_mut(Transaction& tx, layout* p) { return mut(tx, p); }
  static void init(Transaction& tx, layout* p) {
    for (auto& item : p->items) traits<T>::init(tx, &item);
  }
  static void destroy(Transaction& tx, layout* p) {
    for (auto& item : p->items) traits<T>::destroy(tx, &item);
  }
};

}  // namespace pschema
