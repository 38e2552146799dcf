// Owning pointers: `box<T>` (always holds an object), `box<T>?` (may be
// empty) and `Owned<T>`, an object held by C++ code during a transaction.
// Replacing or clearing a box frees the old object at commit (never, if
// the transaction aborts). Moving an object between boxes moves the offset:
// no copy, no leak.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "pschema/access.hpp"
#include "pschema/detail/no_rebind.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/errors.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

// `->` on a value-type Mut.
template <class M>
struct Arrow {
  M value;
  M* operator->() { return &value; }
};

// An object owned by the running transaction's C++ code: made by
// `tx.make<T>()` or taken out of a box. Put it into a box (or a vec of
// boxes) to keep it; if it is dropped instead, the object is freed.
template <schema_struct T>
class Owned {
 public:
  Owned() = default;
  Owned(Owned&& other) noexcept : tx_(other.tx_), offset_(std::exchange(other.offset_, 0)) {}
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      drop();
      tx_ = other.tx_;
      offset_ = std::exchange(other.offset_, 0);
    }
    return *this;
  }
  ~Owned() { drop(); }

  explicit operator bool() const { return offset_ != 0; }
  typename T::Mut get() const {
    if (offset_ == 0) throw usage_error("", "use of an empty Owned<T>");
    auto* object = tx_->at<typename T::Layout>(offset_);
    return access::mut<T>(tx_.element(object), object);
  }
  typename T::Mut operator*() const { return get(); }
  Arrow<typename T::Mut> operator->() const { return {get()}; }

 private:
  template <schema_struct>
  friend class BoxMut;
  template <schema_struct>
  friend class OptionalBoxMut;
  template <schema_struct U>
  friend Owned<U> make(Transaction& tx);

  Owned(detail::TxRef tx, std::uint64_t offset) : tx_(tx), offset_(offset) {}
  // Hands the object over to a box of the same transaction.
  std::uint64_t release_into(Transaction& tx) {
    if (offset_ == 0) throw usage_error("", "cannot store an empty Owned<T>");
    if (tx_.unchecked() != &tx) {
      throw usage_error("", "an object can only be stored in the pool (and transaction) that made it");
    }
    return std::exchange(offset_, 0);
  }
  void drop() noexcept {
    if (offset_ == 0) return;
    try {
      free_object<T>(*tx_, std::exchange(offset_, 0));
    } catch (...) {
      // Only a pool too full to log the free gets here; the object stays
      // allocated and unreachable. A destructor must not throw.
    }
  }

  detail::TxRef tx_;
  std::uint64_t offset_ = 0;
};

// A new, zeroed T (with its own boxes made), owned by the caller until stored.
template <schema_struct T>
Owned<T> make(Transaction& tx) {
  return Owned<T>(tx, allocate_object<T>(tx));
}

// The mutable side of a `box<T>` field.
template <schema_struct T>
class BoxMut : detail::NoRebind {
 public:
  BoxMut(detail::TxRef tx, std::uint64_t* field) : tx_(tx), field_(field) {}

  // The object has a block of its own: its Mut goes stale when that block
  // is freed, not when the box moves.
  typename T::Mut get() const {
    auto* object = tx_->at<typename T::Layout>(*field_, field_);
    return access::mut<T>(tx_.element(object), object);
  }
  typename T::Mut operator*() const { return get(); }
  Arrow<typename T::Mut> operator->() const { return {get()}; }
  operator typename T::View() const {
    return access::view<T>(tx_->mapping(), tx_->at<typename T::Layout>(*field_, field_));
  }

  // Puts `next` in the box and returns the object it held (dropping the
  // result frees that object at commit).
  Owned<T> replace(Owned<T>&& next) {
    std::uint64_t incoming = next.release_into(*tx_);
    Owned<T> old(*tx_, *field_);
    tx_->write(*field_, incoming);
    return old;
  }

 private:
  detail::TxRef tx_;
  std::uint64_t* field_;
};

// The mutable side of a `box<T>?` field.
template <schema_struct T>
class OptionalBoxMut : detail::NoRebind {
 public:
  OptionalBoxMut(detail::TxRef tx, std::uint64_t* field) : tx_(tx), field_(field) {}

  bool has_value() const { return *field_ != 0; }
  explicit operator bool() const { return has_value(); }
  std::optional<typename T::Mut> get() const {
    if (*field_ == 0) return std::nullopt;
    auto* object = tx_->at<typename T::Layout>(*field_, field_);
    return access::mut<T>(tx_.element(object), object);
  }
  // The object, which must be there.
  typename T::Mut value() const {
    if (*field_ == 0) throw usage_error("", "box is empty");
    return *get();
  }

  // Makes a new object in the box (freeing the old one at commit).
  typename T::Mut emplace() {
    set(make<T>(*tx_));
    return value();
  }
  // Puts `next` in the box (an empty `next` empties it); the old object is
  // freed at commit.
  void set(Owned<T>&& next) {
    if (!next) {
      reset();
      return;
    }
    std::uint64_t incoming = next.release_into(*tx_);
    Owned<T> old(*tx_, *field_);  // freed when it goes out of scope
    tx_->write(*field_, incoming);
  }
  // Empties the box; the object is freed at commit.
  void reset() { take(); }
  // Empties the box and hands its object to the caller.
  Owned<T> take() {
    Owned<T> old(*tx_, *field_);
    if (*field_ != 0) tx_->write(*field_, std::uint64_t{0});
    return old;
  }

 private:
  detail::TxRef tx_;
  std::uint64_t* field_;
};

template <schema_struct T>
struct traits<box<T>> {
  using layout = std::uint64_t;
  using view = typename T::View;
  using mut = BoxMut<T>;
  static view make_view(const Mapping* base, const layout* p) {
    return access::view<T>(base, base->object<const typename T::Layout>(*p, p));
  }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  // A box always holds an object: make it with its owner.
  static void init(Transaction& tx, layout* p) { tx.write(*p, allocate_object<T>(tx)); }
  static void destroy(Transaction& tx, layout* p) {
    if (*p != 0) free_object<T>(tx, *p);
  }
};

template <schema_struct T>
struct traits<optional<box<T>>> {
  using layout = std::uint64_t;  // 0 = empty
  using view = std::optional<typename T::View>;
  using mut = OptionalBoxMut<T>;
  static view make_view(const Mapping* base, const layout* p) {
    if (*p == 0) return std::nullopt;
    return access::view<T>(base, base->object<const typename T::Layout>(*p, p));
  }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) {
    if (*p != 0) free_object<T>(tx, *p);
  }
};

}  // namespace pschema
