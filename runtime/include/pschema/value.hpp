// Plain data as volatile C++ values: `value_of<Tag>::type` is what an
// operation takes or returns for a plain schema type, `from` copies a view
// out, `assign` writes a value in (logging what it changes).
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "pschema/access.hpp"
#include "pschema/array.hpp"
#include "pschema/optional.hpp"
#include "pschema/string.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

template <class Tag>
struct value_of;

template <scalar T>
struct value_of<T> {
  using type = T;
  static type from(T view) { return view; }
  static void assign(Transaction& tx, typename traits<T>::layout* p, const type& value) { tx.write(*p, value); }
};

template <schema_struct S>
requires requires { typename S::Value; } struct value_of<S> {
  using type = typename S::Value;
  static type from(const typename S::View& view) { return view.to_value(); }
  static void assign(Transaction& tx, typename S::Layout* p, const type& value) { access::mut<S>(tx, p).assign(value); }
};

template <>
struct value_of<string_t> {
  using type = std::string;
  static type from(std::string_view view) { return std::string(view); }
  static void assign(Transaction& tx, StringRep* p, std::string_view value) {
    detail::assign_string(tx, p, value.data(), value.size());
  }
};

template <class T, std::size_t N>
struct value_of<array<T, N>> {
  using type = std::array<typename value_of<T>::type, N>;
  static type from(const ArrayView<T, N>& view) {
    type out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = value_of<T>::from(view[i]);
    return out;
  }
  static void assign(Transaction& tx, typename traits<array<T, N>>::layout* p, const type& value) {
    for (std::size_t i = 0; i < N; ++i) value_of<T>::assign(tx, &p->items[i], value[i]);
  }
};

template <class T>
struct value_of<optional<T>> {
  using type = std::optional<typename value_of<T>::type>;
  static type from(const typename traits<optional<T>>::view& view) {
    if (!view) return std::nullopt;
    return value_of<T>::from(*view);
  }
  static void assign(Transaction& tx, typename traits<optional<T>>::layout* p, const type& value) {
    OptionalMut<T> target(tx, p);
    if (!value) {
      target.reset();
      return;
    }
    if (!target.has_value()) {
      if constexpr (has_mut<T>) {
        target.emplace();
      } else {
        target.set(typename traits<T>::view{});
      }
    }
    value_of<T>::assign(tx, &p->value, *value);
  }
};

}  // namespace pschema
