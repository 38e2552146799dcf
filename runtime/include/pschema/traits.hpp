// How each schema type is stored in a pool and seen from C++. The
// generated code and the container templates go through `traits<Tag>`:
//
//   layout     the bytes in the pool (standard layout, trivially copyable)
//   view       what a read-only accessor returns
//   mut        what a mutable accessor returns (containers and structs)
//   destroy    frees what the value owns (strings' buffers, boxed objects...)
//
// Tags: the C++ scalar types and enums stand for themselves; a generated
// struct class (with nested Layout, View, Mut) stands for itself; the
// containers have the tags below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "pschema/format/type_ids.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

namespace detail {
class TxRef;  // pschema/detail/tx_ref.hpp
}

struct string_t;  // `string`
struct bytes_t;   // `bytes`
template <class T>
struct vec;  // `vec<T>`
template <class T>
struct box;  // `box<T>`: owned, never empty
template <class T>
struct optional;  // `T?`
template <class T, std::size_t N>
struct array;  // `array<T, N>`
template <class T>
struct rc;  // `rc<T>`: shared owner
template <class T>
struct weak;  // `weak<T>`
template <class K, class V>
struct map;  // `map<K, V>`
template <class T>
struct mutex;  // `mutex<T>`

template <class Tag, class = void>
struct traits;

// A generated struct: it names its own layout and views.
template <class T>
concept schema_struct = requires {
  typename T::Layout;
  typename T::View;
  typename T::Mut;
  { T::type_id } -> std::convertible_to<std::uint32_t>;
};

template <class T>
concept scalar = std::is_arithmetic_v<T> || std::is_enum_v<T>;

template <scalar T>
struct traits<T> {
  using layout = T;
  using view = T;
  static view make_view(const Mapping*, const layout* p) { return *p; }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction&, layout*) {}
};

// How a bool is stored: one byte, read as "not zero". Reading a C++ bool
// whose byte is neither 0 nor 1 (a damaged pool) would be undefined
// behaviour; any byte is a valid BoolRep. Converts to and from bool.
struct BoolRep {
  std::uint8_t raw;
  BoolRep() = default;
  BoolRep(bool value) : raw(value ? 1 : 0) {}  // NOLINT: implicit, like the bool it stores
  operator bool() const { return raw != 0; }
};
static_assert(sizeof(BoolRep) == 1 && alignof(BoolRep) == 1 && std::is_trivially_copyable_v<BoolRep>);

template <>
struct traits<bool> {
  using layout = BoolRep;
  using view = bool;
  static view make_view(const Mapping*, const layout* p) { return *p; }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction&, layout*) {}
};

struct access;

template <schema_struct T>
struct traits<T> {
  using layout = typename T::Layout;
  using view = typename T::View;
  using mut = typename T::Mut;
  static view make_view(const Mapping* base, const layout* p);
  static mut make_mut(detail::TxRef tx, layout* p);
  static void init(Transaction& tx, layout* p);
  static void destroy(Transaction& tx, layout* p);
};

// Whether a tag's values are edited through a `mut` object (containers and
// structs) or replaced whole through a setter (scalars).
template <class Tag>
concept has_mut = requires { typename traits<Tag>::mut; };

// What mutable access to an element gives: a Mut for structs and
// containers, the value itself for scalars (changed through a setter).
template <class Tag, bool = has_mut<Tag>>
struct element_reference {
  using type = typename traits<Tag>::view;
};
template <class Tag>
struct element_reference<Tag, true> {
  using type = typename traits<Tag>::mut;
};
template <class Tag>
using element_reference_t = typename element_reference<Tag>::type;

// Type ids of the blocks containers allocate for themselves, from the
// pool format's type-id scheme.
namespace type_ids {
using format::type_ids::map_inner;
using format::type_ids::map_leaf;
using format::type_ids::string_buffer;
using format::type_ids::vec_buffer;
}  // namespace type_ids

}  // namespace pschema
