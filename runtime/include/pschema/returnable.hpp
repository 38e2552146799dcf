// What a transaction or read body may return: only values that cannot
// refer into the pool, since whatever a body returns outlives the scope
// that made its views valid (the transaction is committed, the read's
// locks released, the pool maybe closed). An allow-list, not a block-list:
// a type is returnable because it is known to hold no pool reference, so a
// new kind of view (or a standard container of views, a std::function
// capturing one, a std::string_view of a string field) is refused without
// anyone having to think of it.
//
//   returnable:  void, arithmetic types (bool included), enums, std::string,
//                the generated `Value` structs, handles (Handle<T>), and
//                std::optional, std::pair, std::tuple, std::vector and
//                std::array of returnable types, recursively.
//
// Everything else (a View, a Mut, a container view, a StringMut, a
// std::string_view, a span, a pointer, a reference, a std::function, a
// struct of the user's own) is refused by TypedPool::transaction and read
// with a static_assert naming this rule. Copy out what you need:
// view.to_value(), std::string(view.name()), a handle.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "pschema/handle.hpp"

namespace pschema {

namespace detail {

// A generated `Value` struct: the generator gives each one this hidden
// friend (found by argument-dependent lookup only), and the Values hold
// only returnable members themselves.
template <class R>
concept generated_value = std::is_class_v<R> && requires(const R* r) {
  { pschema_generated_value(r) } -> std::same_as<bool>;
};

template <class R>
struct returnable : std::false_type {};

template <class R>
requires(std::is_arithmetic_v<R> || std::is_enum_v<R> || std::is_void_v<R> || generated_value<R>)
struct returnable<R> : std::true_type {};

template <>
struct returnable<std::string> : std::true_type {};

template <class T>
struct returnable<Handle<T>> : std::true_type {};

template <class T>
struct returnable<std::optional<T>> : returnable<T> {};

template <class A, class B>
struct returnable<std::pair<A, B>> : std::bool_constant<returnable<A>::value && returnable<B>::value> {};

template <class... Ts>
struct returnable<std::tuple<Ts...>> : std::bool_constant<(returnable<Ts>::value && ...)> {};

template <class T>
struct returnable<std::vector<T>> : returnable<T> {};

template <class T, std::size_t N>
struct returnable<std::array<T, N>> : returnable<T> {};

}  // namespace detail

// Whether a body may return an R (see above). cv-qualified types count as
// their unqualified selves; references never qualify.
template <class R>
concept returnable = detail::returnable<std::remove_cv_t<R>>::value;

}  // namespace pschema
