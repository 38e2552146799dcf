// Shared ownership: `rc<T>` (always holds an object), `rc<T>?` (may be
// empty) and `weak<T>` (does not keep the object alive; empty once it is
// gone). The object lives in a block after two counts, both changed through
// the journal like any other write:
//
//   [strong u64][weak u64][T::Layout]
//
// The object is destroyed when the last rc lets go, and the block freed
// when no weak refers to it either. A cycle made only of rc pointers is
// never freed (the generator warns about such types); make one link weak.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "pschema/access.hpp"
#include "pschema/box.hpp"
#include "pschema/detail/no_rebind.hpp"
#include "pschema/detail/rc_block.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/errors.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

// What rc and rc? fields have in common: the block they point to.
template <schema_struct T>
class RcFieldMut : detail::NoRebind {
 public:
  RcFieldMut(detail::TxRef tx, std::uint64_t* field) : tx_(tx), field_(field) {}

  // How many rc fields share the object (0 when empty).
  std::uint64_t use_count() const { return *field_ == 0 ? 0 : detail::rc_block<T>(*tx_, *field_, field_)->strong; }

  // Makes this field share `other`'s object (letting go of its own).
  void share(const RcFieldMut& other) {
    if (other.tx_.unchecked() != tx_.unchecked())
      throw usage_error("", "rc pointers can only be shared within one pool and transaction");
    const std::uint64_t target = *other.field_;
    if (target == *field_) return;
    if (target != 0) detail::retain_strong<T>(*tx_, target);
    const std::uint64_t old = *field_;
    tx_->write(*field_, target);
    detail::release_strong<T>(*tx_, old);
  }

 protected:
  template <schema_struct>
  friend class WeakMut;
  static std::uint64_t target_of(const RcFieldMut& field) { return *field.field_; }
  typename T::Mut mut_at(std::uint64_t offset) const {
    auto* object = &detail::rc_block<T>(*tx_, offset)->value;
    return access::mut<T>(tx_.element(object), object);
  }

  detail::TxRef tx_;
  std::uint64_t* field_;
};

// The mutable side of an `rc<T>` field.
template <schema_struct T>
class RcMut : public RcFieldMut<T> {
 public:
  using RcFieldMut<T>::RcFieldMut;
  typename T::Mut get() const { return this->mut_at(*this->field_); }
  typename T::Mut operator*() const { return get(); }
  Arrow<typename T::Mut> operator->() const { return {get()}; }
  // A new object of its own.
  typename T::Mut emplace() {
    const std::uint64_t old = *this->field_;
    this->tx_->write(*this->field_, detail::new_rc_block<T>(*this->tx_));
    detail::release_strong<T>(*this->tx_, old);
    return get();
  }
  // Sharing an empty rc<T>? would leave this one empty: refused.
  void share(const RcFieldMut<T>& other) {
    if (RcFieldMut<T>::target_of(other) == 0) {
      throw usage_error("", "an rc<T> field cannot be emptied; declare it rc<T>?");
    }
    RcFieldMut<T>::share(other);
  }
};

// The mutable side of an `rc<T>?` field.
template <schema_struct T>
class OptionalRcMut : public RcFieldMut<T> {
 public:
  using RcFieldMut<T>::RcFieldMut;
  bool has_value() const { return *this->field_ != 0; }
  explicit operator bool() const { return has_value(); }
  std::optional<typename T::Mut> get() const {
    if (*this->field_ == 0) return std::nullopt;
    return this->mut_at(*this->field_);
  }
  typename T::Mut emplace() {
    const std::uint64_t old = *this->field_;
    this->tx_->write(*this->field_, detail::new_rc_block<T>(*this->tx_));
    detail::release_strong<T>(*this->tx_, old);
    return *get();
  }
  void reset() {
    const std::uint64_t old = *this->field_;
    if (old == 0) return;
    this->tx_->write(*this->field_, std::uint64_t{0});
    detail::release_strong<T>(*this->tx_, old);
  }
};

// The mutable side of a `weak<T>` field.
template <schema_struct T>
class WeakMut : detail::NoRebind {
 public:
  WeakMut(detail::TxRef tx, std::uint64_t* field) : tx_(tx), field_(field) {}

  // The object, while some rc still holds it.
  std::optional<typename T::Mut> lock() const {
    if (*field_ == 0 || detail::rc_block<T>(*tx_, *field_, field_)->strong == 0) return std::nullopt;
    auto* object = &detail::rc_block<T>(*tx_, *field_, field_)->value;
    return access::mut<T>(tx_.element(object), object);
  }
  bool expired() const { return !lock().has_value(); }
  // Refers to the object `rc` holds (nothing, if it is empty).
  void set(const RcFieldMut<T>& rc) {
    if (rc.tx_.unchecked() != tx_.unchecked())
      throw usage_error("", "weak pointers can only refer within one pool and transaction");
    const std::uint64_t target = *rc.field_;
    if (target == *field_) return;
    if (target != 0) detail::retain_weak<T>(*tx_, target);
    const std::uint64_t old = *field_;
    tx_->write(*field_, target);
    detail::release_weak<T>(*tx_, old);
  }
  void reset() {
    const std::uint64_t old = *field_;
    if (old == 0) return;
    tx_->write(*field_, std::uint64_t{0});
    detail::release_weak<T>(*tx_, old);
  }

 private:
  detail::TxRef tx_;
  std::uint64_t* field_;
};

// The read-only side of a `weak<T>` field.
template <schema_struct T>
class WeakView : detail::NoRebind {
 public:
  WeakView(const Mapping* base, const std::uint64_t* field) : base_(base), field_(field) {}
  std::optional<typename T::View> lock() const {
    if (*field_ == 0) return std::nullopt;
    const auto* block = base_->object<const RcBlock<T>>(*field_, field_);
    if (block->strong == 0) return std::nullopt;
    return access::view<T>(base_, &block->value);
  }
  bool expired() const { return !lock().has_value(); }

 private:
  const Mapping* base_;
  const std::uint64_t* field_;
};

template <schema_struct T>
struct traits<rc<T>> {
  using layout = std::uint64_t;
  using view = typename T::View;
  using mut = RcMut<T>;
  static view make_view(const Mapping* base, const layout* p) {
    return access::view<T>(base, &base->object<const RcBlock<T>>(*p, p)->value);
  }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction& tx, layout* p) { tx.write(*p, detail::new_rc_block<T>(tx)); }
  static void destroy(Transaction& tx, layout* p) { detail::release_strong<T>(tx, *p); }
};

template <schema_struct T>
struct traits<optional<rc<T>>> {
  using layout = std::uint64_t;
  using view = std::optional<typename T::View>;
  using mut = OptionalRcMut<T>;
  static view make_view(const Mapping* base, const layout* p) {
    if (*p == 0) return std::nullopt;
    return access::view<T>(base, &base->object<const RcBlock<T>>(*p, p)->value);
  }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) { detail::release_strong<T>(tx, *p); }
};

template <schema_struct T>
struct traits<weak<T>> {
  using layout = std::uint64_t;
  using view = WeakView<T>;
  using mut = WeakMut<T>;
  static view make_view(const Mapping* base, const layout* p) { return view(base, p); }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) { detail::release_weak<T>(tx, *p); }
};

}  // namespace pschema
