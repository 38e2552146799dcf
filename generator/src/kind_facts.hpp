// What each kind of type is, in one table (kind_facts.cpp): how a schema
// writes it, where it may be used, how a pool stores it, and how the
// generated C++ names it. The model, the analyzer's passes, the checks and
// the emitter read these facts instead of each keeping its own switch over
// kinds, so that a new kind, or a change to one, is made in one row. The
// header needs nothing else, so the pool tools can use it too.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace pschema::gen {

// Every kind of type. The built-in kinds come first, in the order "did you
// mean" suggestions prefer among equally close names; the table has one
// row per kind, in this order.
// clang-format off: one line per group of kinds
enum class Kind {
  boolean, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, string, bytes,
  array, vec, box, rc, weak, handle, map, mutex,
  enumeration, structure, optional,
};
// clang-format on

struct Layout {
  std::uint64_t size = 0;
  std::uint64_t align = 1;
};

// What a kind takes between < and > (T? counts as taking one element).
enum class TypeArgs {
  none,
  element,             // vec<T>, box<T>, ...
  key_and_value,       // map<K, V>
  element_and_length,  // array<T, N>
};

// Where a value of the kind may be.
enum class Usable {
  anywhere,
  in_pools,       // persistent data: it would outlive an operation's transaction
  in_operations,  // a volatile reference into a pool
};

// When a value of the kind is plain data: copied between pools, passed to
// and from operations, and given a Value struct.
enum class Plain {
  always,
  if_element_is,
  if_fields_are,
  never,
};

// How the size and alignment of the kind are found.
enum class LayoutRule {
  fixed,                 // KindFacts::layout
  underlying,            // an enum: its underlying integer type's
  structure,             // the struct's own layout (computed by the analyzer)
  repeated,              // array<T, N>: N elements, no padding between them
  lock_word_then_value,  // mutex<T>: an 8-byte lock word, then the value
  value_then_flag,       // T?: the value, then a presence byte; an optional pointer is a null offset
};

// The setter a generated Mut class adds for a (non-const) field, next to
// its accessor.
enum class Setter {
  none,
  value,        // set_x(v) with the value itself (scalars and enums)
  view,         // set_x(v) with cpp_param: the text or bytes are copied in (string, bytes)
  plain_value,  // set_x(v) with the struct's Value, when the struct is plain
};

struct KindFacts {
  Kind kind;

  // ---- In the schema language.
  std::string_view name;  // the built-in type's name; empty for enums, structs (user names) and T?
  TypeArgs args = TypeArgs::none;
  Usable usable = Usable::anywhere;  // checked for the built-in generic kinds
  bool scalar = false;               // a number, bool or enum: copied by value, points nowhere
  bool integer = false;              // may be the underlying type of an enum
  bool is_signed = false;            // a signed integer
  bool map_key = false;              // may be the key of a map
  bool points_to_struct = false;     // box, rc, weak, handle: the argument is a struct kept elsewhere
  Plain plain = Plain::never;

  // ---- In a pool.
  LayoutRule layout_rule = LayoutRule::fixed;
  Layout layout;                 // for LayoutRule::fixed
  bool heap_offset = false;      // stored as the offset of an object in the pool's heap, 0 for none
  bool never_empty = false;      // always holds an object, made with its owner (T? makes it optional)
  bool counted = false;          // owners share the object through a reference count
  bool in_place = false;         // the element is stored inside the value, not elsewhere in the heap
  bool moves_elements = false;   // elements are moved and copied as the container changes

  // ---- In the generated C++. A template name takes the C++ spelling of
  // the kind's arguments ("pschema::vec" becomes pschema::vec<E>); an empty
  // name means the emitter spells the kind another way (see emitter.cpp).
  std::string_view cpp;               // the type tag: a C++ type or template; empty for enums and structs
  std::string_view cpp_layout;        // how a Layout holds it, when not pschema::traits<tag>::layout
  std::string_view cpp_view;          // what a View's accessor returns, when not pschema::traits<tag>::view
  std::string_view cpp_mut;           // what a Mut's accessor returns, when not pschema::traits<tag>::mut
  std::string_view
      cpp_optional_mut;  // what a Mut's accessor of T? returns, when T is this kind (it takes T's arguments)
  std::string_view cpp_param;         // how an operation takes it, when not as its plain value
  std::string_view cpp_result;        // how an operation returns it, when not as its plain value
  std::string_view cpp_value;         // its plain value, a template of its arguments' plain values (array, T?)
  bool param_by_reference = false;    // operations take its value by const reference
  Setter setter = Setter::none;
};

const KindFacts& facts(Kind kind);

// The built-in kind that a schema writes as `name`, or nullptr.
const KindFacts* builtin_named(std::string_view name);

// The built-in kinds (those with a name), in Kind order.
std::span<const KindFacts> builtin_kinds();

}  // namespace pschema::gen
