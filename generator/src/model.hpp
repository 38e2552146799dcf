// The checked, resolved meaning of a set of schema files: what the emitter
// generates from. Built by the analyzer (analyzer.cpp) from the ASTs.
#pragma once

#include <cstdint>
#include <experimental/propagate_const>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ast.hpp"
#include "kind_facts.hpp"

namespace pschema::gen {

struct EnumType;
struct StructType;
struct Module;

// How the model owns its parts. Constness propagates: from a const Model
// only const parts can be reached, so the checks, which take one, cannot
// change what they check.
template <class T>
using Owned = std::experimental::propagate_const<std::unique_ptr<T>>;

struct Type {
  Kind kind = Kind::u8;
  const EnumType* enumeration = nullptr;  // kind == enumeration
  const StructType* structure = nullptr;  // kind == structure
  std::shared_ptr<const Type> element;    // array, vec, box, rc, weak, optional, handle, mutex; map: the value
  std::uint64_t length = 0;               // array
  std::shared_ptr<const Type> key;        // map

  static Type scalar(Kind kind) {
    Type t;
    t.kind = kind;
    return t;
  }
  static Type of(const StructType* s) {
    Type t;
    t.kind = Kind::structure;
    t.structure = s;
    return t;
  }
  static Type of(const EnumType* e) {
    Type t;
    t.kind = Kind::enumeration;
    t.enumeration = e;
    return t;
  }
};

// `@was(old_name)` on a declaration: the name it had in an earlier version
// of the schema (schema_diff.hpp). Empty when not renamed.
struct FormerName {
  std::string name;
  Span span;
};

struct Field {
  std::string name;
  Type type;
  bool is_const = false;
  std::uint64_t offset = 0;
  Layout layout;
  ast::Docs docs;
  Span span;
  FormerName was;
  // `= value`, checked against the type: a decimal integer, `true`/`false`
  // or an enum value's name. Empty when the schema gives none (zero).
  std::string default_value;
};

// `removed name;`: a field deleted on purpose (schema_diff.hpp).
struct RemovedField {
  std::string name;
  Span span;
};

struct StructType {
  std::string name;
  const Module* module = nullptr;
  std::vector<Field> fields;
  std::vector<RemovedField> removed;
  Layout layout;
  // Every field plain (is_plain), set with the layout: a broken struct
  // (a by-value cycle, too deep) is not. Computed once, in dependency order,
  // so that asking never recurses through structs.
  bool plain = false;
  std::uint32_t type_id = 0;
  ast::Docs docs;
  Span span;
  FormerName was;
};

struct EnumValue {
  std::string name;
  std::string value;  // decimal, fits the underlying type
  ast::Docs docs;
  Span span;
  FormerName was;
};

struct EnumType {
  std::string name;
  const Module* module = nullptr;
  Kind underlying = Kind::u8;
  std::vector<EnumValue> values;
  ast::Docs docs;
  Span span;
  FormerName was;
};

struct PoolType {
  std::string name;
  const Module* module = nullptr;
  const StructType* root = nullptr;
  bool concurrent = false;
  std::uint64_t fingerprint = 0;
  std::vector<const StructType*> reachable;  // every struct a pool can hold, root first
  ast::Docs docs;
  Span span;
  FormerName was;
};

struct Param {
  std::string name;
  Type type;
};

struct Operation {
  ast::OperationKind kind = ast::OperationKind::tx;
  std::string name;
  std::vector<Param> params;
  std::optional<Type> result;
  const PoolType* pool = nullptr;
  ast::Docs docs;
  Span span;
};

// One schema file.
struct Module {
  const SourceFile* source = nullptr;
  std::string stem;                        // file name without .pschema: names the generated header
  std::vector<std::string> namespace_parts;  // from `package a.b;`
  ast::Docs docs;
  std::vector<const Module*> imports;
  std::vector<Owned<EnumType>> enums;
  std::vector<Owned<StructType>> structs;
  std::vector<Owned<PoolType>> pools;
  std::vector<Operation> operations;
};

struct Model {
  std::vector<Owned<Module>> modules;  // imports before the files that import them
};

// Scalars and enums: copied by value, no pointers inside.
bool is_scalar(Kind kind);
// Plain data: can be copied between pools and passed to operations.
bool is_plain(const Type& type);
// The name a user writes for a type, for messages: "vec<Account>".
std::string describe(const Type& type);
Layout layout_of(const Type& type);
// Whether a value of the type holds a mutex<T> in place (itself, a field of
// a struct held by value, an array element), not behind a pointer.
bool contains_mutex(const Type& type);

// The arguments of a generic type as schemas and C++ both write them:
// "<E>", "<K, V>" or "<E, N>", each type spelled by `spell`; empty for a
// kind that takes none.
template <class Spell>
std::string type_arguments(const Type& type, Spell&& spell) {
  switch (facts(type.kind).args) {
    case TypeArgs::none: return "";
    case TypeArgs::element: return "<" + spell(*type.element) + ">";
    case TypeArgs::key_and_value: return "<" + spell(*type.key) + ", " + spell(*type.element) + ">";
    case TypeArgs::element_and_length: return "<" + spell(*type.element) + ", " + std::to_string(type.length) + ">";
  }
  return "";
}

}  // namespace pschema::gen
