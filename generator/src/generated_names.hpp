// The names the generated code declares, in one list (generated_names.cpp),
// for the two sides that must agree on them:
//  - the emitter writes each of these names, where it declares it, as a
//    printer variable ("void $log_whole$() const"), and the printer fails
//    on a variable that is not defined: a generated member missing from the
//    list makes every generation fail, instead of going unnoticed;
//  - the analyzer refuses schema names that would clash with them: a field
//    named like a member of a struct's generated classes, a type named like
//    a nested class, an operation named like a member of the pool class, a
//    parameter named like the transaction or snapshot argument.
// The runtime relies on some of them too (pschema/access.hpp reads tx_ and
// p_, pschema/log_whole.hpp asks for holds_mutex).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace pschema::gen {

// Where the generated code declares a name.
enum class GeneratedScope {
  struct_type,   // in the struct type S itself (S::View, S::init)
  struct_views,  // in S::View or S::Mut, next to the field accessors
  pool_class,    // in a pool class, generated or inherited from pschema::TypedPool
  operation,     // a parameter of every generated operation function
};

struct GeneratedName {
  std::string_view name;
  GeneratedScope scope;
  bool is_type = false;    // a nested class or type alias
  bool is_prefix = false;  // the start of one member per field: set_x, init_x
};

// In the order messages list them.
std::span<const GeneratedName> generated_names();

// The per-field members of a Mut: `set_x` changes field x, `init_x` sets a
// const field x on a new object.
std::string setter_name(std::string_view field);
std::string initializer_name(std::string_view field);

// The entry of `scope` called `name` (a prefix entry matches every name
// that starts with it), or nullptr.
const GeneratedName* find_generated_name(GeneratedScope scope, std::string_view name);
// Whether an enum, struct or pool called `name` would clash with a nested
// type of a generated struct or pool class.
bool is_generated_type(std::string_view name);

// The names in `scope` as a message lists them ("View, Mut, ..., set_*").
std::string list_of_names(GeneratedScope scope);
// The nested types of `scope` for a sentence ("View, Mut, Layout and Value").
std::string sentence_of_types(GeneratedScope scope);

}  // namespace pschema::gen
