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
#include "pschema/errors.hpp"
#include "pschema/format/type_ids.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

template <schema_struct T>
struct RcBlock {
  std::uint64_t strong;
  std::uint64_t weak;
  typename T::Layout value;
};

// The start of every shared block, whatever T is.
struct RcCounts {
  std::uint64_t strong;
  std::uint64_t weak;
};

namespace detail {

template <schema_struct T>
RcBlock<T>* rc_block(Transaction& tx, std::uint64_t offset) {
  return tx.at<RcBlock<T>>(offset);
}

// A new shared block of `block_size` bytes for an object of the struct
// whose type id is `struct_type_id`: zeroed, with a strong count of 1. The
// caller initialises the object after the counts. Untyped, so that the
// pool tool, which knows the struct only at run time, makes the same block.
inline std::uint64_t new_shared_block(Transaction& tx, std::size_t block_size, std::uint32_t struct_type_id) {
  const std::uint64_t offset = tx.allocate(block_size, format::type_ids::shared_block_id(struct_type_id));
  tx.write(tx.at<RcCounts>(offset)->strong, std::uint64_t{1});
  return offset;
}

template <schema_struct T>
std::uint64_t new_rc_block(Transaction& tx) {
  static_assert(offsetof(RcBlock<T>, strong) == offsetof(RcCounts, strong) &&
                offsetof(RcBlock<T>, weak) == offsetof(RcCounts, weak));
  const std::uint64_t offset = new_shared_block(tx, sizeof(RcBlock<T>), T::type_id);
  access::init<T>(tx, &rc_block<T>(tx, offset)->value);
  return offset;
}

template <schema_struct T>
void retain_strong(Transaction& tx, std::uint64_t offset) {
  RcBlock<T>* block = rc_block<T>(tx, offset);
  tx.write(block->strong, block->strong + 1);
}

template <schema_struct T>
void release_strong(Transaction& tx, std::uint64_t offset) {
  if (offset == 0) return;
  RcBlock<T>* block = rc_block<T>(tx, offset);
  if (block->strong == 0) throw usage_error("", "rc count underflow: the pool is inconsistent");
  tx.write(block->strong, block->strong - 1);
  if (block->strong != 0) return;
  access::destroy<T>(tx, &block->value);
  if (block->weak == 0) tx.free(offset);
}

template <schema_struct T>
void retain_weak(Transaction& tx, std::uint64_t offset) {
  RcBlock<T>* block = rc_block<T>(tx, offset);
  tx.write(block->weak, block->weak + 1);
}

template <schema_struct T>
void release_weak(Transaction& tx, std::uint64_t offset) {
  if (offset == 0) return;
  RcBlock<T>* block = rc_block<T>(tx, offset);
  if (block->weak == 0) throw usage_error("", "weak count underflow: the pool is inconsistent");
  tx.write(block->weak, block->weak - 1);
  if (block->weak == 0 && block->strong == 0) tx.free(offset);
}

}  // namespace detail

// What rc and rc? fields have in common: the block they point to.
template <schema_struct T>
class RcFieldMut {
 public:
  RcFieldMut(Transaction& tx, std::uint64_t* field) : tx_(&tx), field_(field) {}

  // How many rc fields share the object (0 when empty).
  std::uint64_t use_count() const { return *field_ == 0 ? 0 : detail::rc_block<T>(*tx_, *field_)->strong; }

  // Makes this field share `other`'s object (letting go of its own).
  void share(const RcFieldMut& other) {
    if (other.tx_ != tx_) throw usage_error("", "rc pointers can only be shared within one pool and transaction");
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
  typename T::Mut mut_at(std::uint64_t offset) const { return access::mut<T>(*tx_, &detail::rc_block<T>(*tx_, offset)->value); }

  Transaction* tx_;
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
class WeakMut {
 public:
  WeakMut(Transaction& tx, std::uint64_t* field) : tx_(&tx), field_(field) {}

  // The object, while some rc still holds it.
  std::optional<typename T::Mut> lock() const {
    if (*field_ == 0 || detail::rc_block<T>(*tx_, *field_)->strong == 0) return std::nullopt;
    return access::mut<T>(*tx_, &detail::rc_block<T>(*tx_, *field_)->value);
  }
  bool expired() const { return !lock().has_value(); }
  // Refers to the object `rc` holds (nothing, if it is empty).
  void set(const RcFieldMut<T>& rc) {
    if (rc.tx_ != tx_) throw usage_error("", "weak pointers can only refer within one pool and transaction");
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
  Transaction* tx_;
  std::uint64_t* field_;
};

// The read-only side of a `weak<T>` field.
template <schema_struct T>
class WeakView {
 public:
  WeakView(const std::byte* base, const std::uint64_t* field) : base_(base), field_(field) {}
  std::optional<typename T::View> lock() const {
    if (*field_ == 0) return std::nullopt;
    const auto* block = reinterpret_cast<const RcBlock<T>*>(base_ + *field_);
    if (block->strong == 0) return std::nullopt;
    return access::view<T>(base_, &block->value);
  }
  bool expired() const { return !lock().has_value(); }

 private:
  const std::byte* base_;
  const std::uint64_t* field_;
};

template <schema_struct T>
struct traits<rc<T>> {
  using layout = std::uint64_t;
  using view = typename T::View;
  using mut = RcMut<T>;
  static view make_view(const std::byte* base, const layout* p) {
    return access::view<T>(base, &reinterpret_cast<const RcBlock<T>*>(base + *p)->value);
  }
  static mut make_mut(Transaction& tx, layout* p) { return mut(tx, p); }
  static void init(Transaction& tx, layout* p) { tx.write(*p, detail::new_rc_block<T>(tx)); }
  static void destroy(Transaction& tx, layout* p) { detail::release_strong<T>(tx, *p); }
};

template <schema_struct T>
struct traits<optional<rc<T>>> {
  using layout = std::uint64_t;
  using view = std::optional<typename T::View>;
  using mut = OptionalRcMut<T>;
  static view make_view(const std::byte* base, const layout* p) {
    if (*p == 0) return std::nullopt;
    return access::view<T>(base, &reinterpret_cast<const RcBlock<T>*>(base + *p)->value);
  }
  static mut make_mut(Transaction& tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) { detail::release_strong<T>(tx, *p); }
};

template <schema_struct T>
struct traits<weak<T>> {
  using layout = std::uint64_t;
  using view = WeakView<T>;
  using mut = WeakMut<T>;
  static view make_view(const std::byte* base, const layout* p) { return view(base, p); }
  static mut make_mut(Transaction& tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) { detail::release_weak<T>(tx, *p); }
};

}  // namespace pschema
