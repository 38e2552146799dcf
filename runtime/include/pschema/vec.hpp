// `vec<T>`: a growable array in a heap buffer the field owns. Elements are
// relocated with memcpy: every layout is trivially copyable and holds only
// pool-relative offsets, so bytes can move.
//
// What each operation logs, all of it behind one fence: push_back and
// emplace_back the 8-byte size and the new slot (the whole 24-byte field
// when the buffer grows: the new one is fresh); insert also the elements it
// shifts; erase the elements it shifts and the size; set/[] on Mut the
// element. Growth copies into a new buffer (nothing to log) and frees the
// old one. The ranges are logged whole, so the writes that fill a new
// element log nothing more. Every index is checked against the size
// (index_out_of_range, pschema/detail/bounds.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <utility>

#include "pschema/detail/bounds.hpp"
#include "pschema/detail/no_rebind.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

struct VecRep {
  std::uint64_t offset;  // 0 until the first element
  std::uint64_t size;
  std::uint64_t capacity;
};
static_assert(sizeof(VecRep) == 24);

namespace detail {
// Before a change to a vec: its size, capacity and buffer come from the
// pool and drive the writes, so they must agree (size <= capacity, and the
// capacity fits the buffer's block). Throws corrupt_pool otherwise.
inline void check_vec_buffer(Transaction& tx, const VecRep* rep, std::size_t element_size) {
  if (rep->offset == 0) {
    if (rep->size == 0 && rep->capacity == 0) return;
  } else if (rep->size <= rep->capacity && rep->capacity <= tx.allocation_size(rep->offset) / element_size) {
    return;
  }
  tx.mapping()->corrupt(rep, "vec of size " + std::to_string(rep->size) + " and capacity " +
                                 std::to_string(rep->capacity) + " does not fit its buffer at offset " +
                                 Mapping::hex(rep->offset));
}
}  // namespace detail

namespace detail {
// What an iterator over a container that can move its elements checks at
// each step: a TxRef to the element it stands on (VecMut::step_guard).
// Iterators over views and fixed arrays have nothing to check.
struct NoStepGuard {
  void check() const {}
};
template <class Owner>
auto step_guard(const Owner* owner, std::size_t index) {
  if constexpr (requires { owner->step_guard(index); }) {
    return owner->step_guard(index);
  } else {
    return NoStepGuard{};
  }
}
}  // namespace detail

// Random-access iterator over element views (read-only or mutable). Over a
// VecMut, a step (or `*`) after the vec moved or removed the element the
// iterator stands on throws stale_reference.
template <class Owner, class Value>
class IndexIterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = Value;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = Value;

  IndexIterator() = default;
  IndexIterator(const Owner* owner, std::size_t index)
      : owner_(owner), index_(index), guard_(detail::step_guard(owner, index)) {}
  Value operator*() const {
    guard_.check();
    return (*owner_)[index_];
  }
  Value operator[](difference_type n) const { return (*owner_)[index_ + static_cast<std::size_t>(n)]; }
  IndexIterator& operator++() { return move_to(index_ + 1); }
  IndexIterator operator++(int) {
    auto copy = *this;
    move_to(index_ + 1);
    return copy;
  }
  IndexIterator& operator--() { return move_to(index_ - 1); }
  IndexIterator operator--(int) {
    auto copy = *this;
    move_to(index_ - 1);
    return copy;
  }
  IndexIterator& operator+=(difference_type n) { return move_to(index_ + static_cast<std::size_t>(n)); }
  IndexIterator& operator-=(difference_type n) { return move_to(index_ - static_cast<std::size_t>(n)); }
  friend IndexIterator operator+(IndexIterator it, difference_type n) { return it += n; }
  friend IndexIterator operator+(difference_type n, IndexIterator it) { return it += n; }
  friend IndexIterator operator-(IndexIterator it, difference_type n) { return it -= n; }
  friend difference_type operator-(const IndexIterator& a, const IndexIterator& b) {
    return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
  }
  friend bool operator==(const IndexIterator& a, const IndexIterator& b) { return a.index_ == b.index_; }
  friend auto operator<=>(const IndexIterator& a, const IndexIterator& b) { return a.index_ <=> b.index_; }

 private:
  IndexIterator& move_to(std::size_t index) {
    guard_.check();
    index_ = index;
    guard_ = detail::step_guard(owner_, index_);
    return *this;
  }

  const Owner* owner_ = nullptr;
  std::size_t index_ = 0;
  using Guard = decltype(detail::step_guard(std::declval<const Owner*>(), 0));
  [[no_unique_address]] Guard guard_{};
};

template <class T>
class VecView : detail::NoRebind {
 public:
  using element_layout = typename traits<T>::layout;
  using value_type = typename traits<T>::view;
  using iterator = IndexIterator<VecView, value_type>;

  VecView(const Mapping* base, const VecRep* rep) : base_(base), rep_(rep) {}

  std::size_t size() const { return rep_->size; }
  bool empty() const { return rep_->size == 0; }
  // Every element access is checked (index_out_of_range): one compare.
  value_type operator[](std::size_t i) const {
    detail::check_index("vec", i, size());
    return traits<T>::make_view(base_, slot(i));
  }
  value_type at(std::size_t i) const { return (*this)[i]; }
  value_type front() const {
    detail::check_not_empty("vec", "front()", size());
    return (*this)[0];
  }
  value_type back() const {
    detail::check_not_empty("vec", "back()", size());
    return (*this)[size() - 1];
  }
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size()); }

 private:
  const element_layout* slot(std::size_t i) const {
    return base_->element<const element_layout>(rep_->offset, i, rep_);
  }
  const Mapping* base_;
  const VecRep* rep_;
};

template <class T>
class VecMut : detail::NoRebind {
 public:
  using element_layout = typename traits<T>::layout;
  using view_type = typename traits<T>::view;
  // Mutable element access: a Mut for structs and containers, the value for scalars.
  using reference = element_reference_t<T>;
  using iterator = IndexIterator<VecMut, reference>;

  VecMut(detail::TxRef tx, VecRep* rep) : tx_(tx), rep_(rep) {}

  operator VecView<T>() const { return VecView<T>(tx_->mapping(), rep_); }
  std::size_t size() const { return rep_->size; }
  std::size_t capacity() const { return rep_->capacity; }
  bool empty() const { return rep_->size == 0; }

  // Every element access is checked (index_out_of_range): one compare.
  reference operator[](std::size_t i) const {
    check_index(i);
    if constexpr (has_mut<T>) {
      // Stale once the vec moves or removes this slot (Transaction::moved).
      element_layout* at = slot(i);
      return traits<T>::make_mut(tx_.element(at), at);
    } else {
      return *slot(i);
    }
  }
  reference at(std::size_t i) const { return (*this)[i]; }
  reference front() const {
    detail::check_not_empty("vec", "front()", size());
    return (*this)[0];
  }
  reference back() const {
    detail::check_not_empty("vec", "back()", size());
    return (*this)[size() - 1];
  }
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size()); }
  // For iterators: a reference that goes stale when element `i` moves (an
  // end position: when the transaction ends).
  detail::TxRef step_guard(std::size_t i) const { return i < size() ? tx_.element(slot(i)) : tx_; }

  // Scalars: replace element `i`.
  void set(std::size_t i, const view_type& value) requires(!has_mut<T>) {
    check_index(i);
    tx_->write(*slot(i), value);
  }
  void push_back(const view_type& value) requires(!has_mut<T>) {
    element_layout* slot = append_slot();
    tx_->write(*slot, value);
  }
  // Appends a new element (zeroed, its own members made) and returns it.
  reference emplace_back() {
    element_layout* slot = append_slot();
    traits<T>::init(*tx_, slot);
    return (*this)[size() - 1];
  }
  void pop_back() {
    detail::check_not_empty("vec", "pop_back()", size());
    check_buffer();
    element_layout* last = slot(size() - 1);
    traits<T>::destroy(*tx_, last);
    tx_->write(rep_->size, rep_->size - 1);
    tx_->moved(last, sizeof(element_layout));
  }
  void clear() {
    check_buffer();
    for (std::size_t i = 0; i < size(); ++i) traits<T>::destroy(*tx_, slot(i));
    if (size() > 0) tx_->moved(slot(0), size() * sizeof(element_layout));
    tx_->write(rep_->size, std::uint64_t{0});
  }
  void reserve(std::size_t n) {
    if (n > rep_->capacity) regrow(n);
  }
  // Gives back unused capacity: an empty vec frees its buffer.
  void shrink_to_fit() {
    check_buffer();
    if (rep_->size == 0) {
      if (rep_->offset != 0) tx_->free(rep_->offset);
      tx_->write(*rep_, VecRep{0, 0, 0});
    } else if (rep_->capacity > rep_->size) {
      regrow(rep_->size);
    }
  }
  // Grows with new (zeroed, initialised) elements or shrinks, destroying the tail.
  void resize(std::size_t n) {
    while (size() > n) pop_back();
    if (n > size()) {
      reserve(n);
      while (size() < n) emplace_back();
    }
  }
  // Inserts a new element before `index` and returns it.
  reference insert(std::size_t index) {
    if (index > size()) detail::throw_index_out_of_range("vec insert", index, size());
    const std::size_t old_size = size();
    // The size, and the elements from `index` to the new end slot: shifted.
    append_slot(index);
    element_layout* at = slot(index);
    const std::size_t moved = (old_size - index) * sizeof(element_layout);
    tx_->add(at, moved + sizeof(element_layout));
    if (moved > 0) tx_->moved(at, moved);
    std::memmove(at + 1, at, moved);
    std::memset(static_cast<void*>(at), 0, sizeof(element_layout));
    tx_->written(at, moved + sizeof(element_layout));
    tx_->mark_new(at, sizeof(element_layout));
    traits<T>::init(*tx_, at);
    return (*this)[index];
  }
  void insert(std::size_t index, const view_type& value) requires(!has_mut<T>) {
    insert(index);
    tx_->write(*slot(index), value);
  }
  void erase(std::size_t index) {
    check_index(index);
    check_buffer();
    element_layout* at = slot(index);
    const std::size_t moved = (size() - index - 1) * sizeof(element_layout);
    // What the element owns is freed first, so that the fence below also
    // makes the frees' header entries durable.
    traits<T>::destroy(*tx_, at);
    // The shifted elements and the size, behind one fence.
    tx_->log_whole({{&rep_->size, sizeof rep_->size}, {at, moved + sizeof(element_layout)}});
    tx_->add(at, moved + sizeof(element_layout));
    tx_->moved(at, moved + sizeof(element_layout));
    std::memmove(at, at + 1, moved);
    tx_->written(at, moved);
    tx_->write(rep_->size, rep_->size - 1);
  }

 private:
  element_layout* slot(std::size_t i) const {
    return tx_->mapping()->template element<element_layout>(rep_->offset, i, rep_);
  }
  void check_buffer() const { detail::check_vec_buffer(*tx_, rep_, sizeof(element_layout)); }
  void check_index(std::size_t i) const { detail::check_index("vec", i, size()); }
  // Makes room for one more element at the end and returns its slot, zeroed.
  // The slot is logged too: past the size it holds no live data now, but an
  // element popped earlier in this transaction lives there again if the
  // transaction aborts. Logged with the slot, behind the same fence: the
  // elements from `shift_from` on, which insert() shifts into it.
  element_layout* append_slot(std::size_t shift_from = SIZE_MAX) {
    check_buffer();
    // A growth logs the whole field (regrow); the new buffer is fresh, so
    // the slot and the shift below then need no logging.
    if (rep_->size == rep_->capacity) regrow(rep_->capacity < 4 ? 4 : rep_->capacity * 2);
    element_layout* slot = this->slot(rep_->size);
    element_layout* first = shift_from < rep_->size ? this->slot(shift_from) : slot;
    // Whole, so that filling the new element logs nothing more.
    tx_->log_whole({{&rep_->size, sizeof rep_->size},
                    {first, static_cast<std::size_t>(slot - first + 1) * sizeof(element_layout)}});
    rep_->size += 1;
    tx_->written(&rep_->size, sizeof rep_->size);
    std::memset(static_cast<void*>(slot), 0, sizeof(element_layout));
    tx_->written(slot, sizeof(element_layout));
    tx_->mark_new(slot, sizeof(element_layout));
    return slot;
  }
  void regrow(std::size_t capacity) {
    check_buffer();
    const std::uint64_t buffer = tx_->allocate(capacity * sizeof(element_layout), type_ids::vec_buffer);
    if (rep_->size > 0) tx_->write_bytes(tx_->base() + buffer, slot(0), rep_->size * sizeof(element_layout));
    if (rep_->offset != 0) tx_->free(rep_->offset);
    // Whole, so that an append that grew the buffer writes the size inside
    // it without logging it again; after the allocation and the free, so
    // that this fence also makes their header entries durable (else the
    // commit would need a fence of its own for them).
    tx_->log_whole({{rep_, sizeof *rep_}});
    tx_->write(*rep_, VecRep{buffer, rep_->size, tx_->allocation_size(buffer) / sizeof(element_layout)});
  }

  detail::TxRef tx_;
  VecRep* rep_;
};

template <class T>
struct traits<vec<T>> {
  using layout = VecRep;
  using view = VecView<T>;
  using mut = VecMut<T>;
  static view make_view(const Mapping* base, const layout* p) { return view(base, p); }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) {
    if (p->offset == 0) return;
    detail::check_vec_buffer(tx, p, sizeof(typename traits<T>::layout));
    auto* items = tx.at<typename traits<T>::layout>(p->offset, p);
    for (std::uint64_t i = 0; i < p->size; ++i) traits<T>::destroy(tx, items + i);
    tx.free(p->offset);
  }
};

}  // namespace pschema
