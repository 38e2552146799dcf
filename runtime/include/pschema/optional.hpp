// `T?` for values (scalars, enums, structs, strings, vecs): the value, then
// a presence flag. (`box<T>?` is a nullable offset instead: see box.hpp.)
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>

#include "pschema/detail/no_rebind.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/errors.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

template <class L>
struct OptionalRep {
  L value;
  std::uint8_t present;
};

template <class T>
class OptionalMut : detail::NoRebind {
 public:
  using layout = OptionalRep<typename traits<T>::layout>;
  using view_type = typename traits<T>::view;
  using reference = element_reference_t<T>;

  OptionalMut(detail::TxRef tx, layout* rep) : tx_(tx), rep_(rep) {}

  bool has_value() const { return rep_->present != 0; }
  explicit operator bool() const { return has_value(); }
  // The value, which must be there.
  reference value() const {
    if (!has_value()) throw usage_error("", "optional is empty");
    if constexpr (has_mut<T>) {
      return traits<T>::make_mut(tx_, &rep_->value);
    } else {
      return rep_->value;
    }
  }
  std::optional<view_type> view() const {
    if (!has_value()) return std::nullopt;
    return traits<T>::make_view(tx_->mapping(), &rep_->value);
  }

  void set(const view_type& value) requires(!has_mut<T>) {
    tx_->write(rep_->value, value);
    if (!has_value()) tx_->write(rep_->present, std::uint8_t{1});
  }
  // Replaces the value with a new, zeroed one and returns it.
  reference emplace() {
    reset();
    tx_->add(rep_, sizeof *rep_);
    std::memset(static_cast<void*>(&rep_->value), 0, sizeof rep_->value);
    tx_->written(&rep_->value, sizeof rep_->value);
    tx_->mark_new(&rep_->value, sizeof rep_->value);
    traits<T>::init(*tx_, &rep_->value);
    tx_->write(rep_->present, std::uint8_t{1});
    return value();
  }
  void reset() {
    if (!has_value()) return;
    traits<T>::destroy(*tx_, &rep_->value);
    tx_->write(rep_->present, std::uint8_t{0});
  }

 private:
  detail::TxRef tx_;
  layout* rep_;
};

template <class T>
struct traits<optional<T>> {
  using layout = OptionalRep<typename traits<T>::layout>;
  using view = std::optional<typename traits<T>::view>;
  using mut = OptionalMut<T>;
  static view make_view(const Mapping* base, const layout* p) {
    if (p->present == 0) return std::nullopt;
    return traits<T>::make_view(base, &p->value);
  }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) {
    if (p->present != 0) traits<T>::destroy(tx, &p->value);
  }
};

}  // namespace pschema
