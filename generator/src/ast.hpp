// The syntax tree of one schema file, as written: names are not resolved
// and nothing is checked yet. Built from the ANTLR parse tree in one place
// (transformer.cpp); everything after that works on these types only.
// Every node carries the span of the text it came from.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics.hpp"

namespace pschema::gen::ast {

// Doc comment lines (`///`), without the slashes and one leading space.
using Docs = std::vector<std::string>;

struct TypeExpr;

// `@name(argument)` before a declaration. Only `@was(old_name)` has a
// meaning (a rename, for schema evolution); the resolver refuses others.
struct Attribute {
  Span span;
  std::string name;
  std::string argument;
  Span argument_span;
};
using Attributes = std::vector<Attribute>;

// A generic argument: a type (`vec<Account>`) or an integer (`array<u8, 16>`).
struct TypeArg {
  Span span;
  std::unique_ptr<TypeExpr> type;  // set for a type
  std::string integer;             // the literal as written, for an integer
};

struct TypeExpr {
  Span span;
  Span name_span;
  std::string name;  // qualified names joined with their separators as written: "std::string", "bank.Money"
  std::vector<TypeArg> args;
  bool has_args = false;  // `<...>` was written (possibly empty)
  bool optional = false;  // `T?`
  // Suffixes that are not part of the language, kept for diagnostics.
  int pointer_suffixes = 0;  // `T*`
  int reference_suffixes = 0;  // `T&`
  int extra_optional = 0;  // `T??`
};

struct EnumValue {
  Span span;
  std::string name;
  Span value_span;
  std::string value;  // the literal as written (may start with '-'); empty when implicit
  Docs docs;
  Attributes attributes;
};

struct Enum {
  Span span;
  Span name_span;
  std::string name;
  TypeExpr underlying;
  std::vector<EnumValue> values;
  Docs docs;
  Attributes attributes;
};

struct Field {
  Span span;
  Span name_span;
  std::string name;
  TypeExpr type;
  bool is_const = false;
  Docs docs;
  Attributes attributes;
  // `= value`: an integer literal or a name as written; empty when none.
  Span default_span;
  std::string default_value;
};

// `removed name;` in a struct.
struct RemovedField {
  Span span;
  Span name_span;
  std::string name;
};

struct Struct {
  Span span;
  Span name_span;
  std::string name;
  std::vector<Field> fields;
  std::vector<RemovedField> removed;
  Docs docs;
  Attributes attributes;
};

// `root: T;` (type set) or a flag such as `concurrent;` (no type).
struct PoolItem {
  Span span;
  std::string name;
  std::optional<TypeExpr> type;
};

struct Pool {
  Span span;
  Span name_span;
  std::string name;
  std::vector<PoolItem> items;
  Docs docs;
  Attributes attributes;
};

struct Param {
  Span span;
  Span name_span;
  std::string name;
  TypeExpr type;
};

enum class OperationKind { tx, query };

struct Operation {
  Span span;
  Span name_span;
  OperationKind kind = OperationKind::tx;
  std::string name;
  std::vector<Param> params;
  std::optional<TypeExpr> result;
  Span pool_span;
  std::string pool;
  Docs docs;
};

struct Import {
  Span span;
  std::string path;  // unquoted, escapes resolved
};

struct File {
  const SourceFile* source = nullptr;
  Span package_span;
  std::string package;  // "bank" or "acme.bank"; empty when not declared
  Docs package_docs;
  std::vector<Import> imports;
  std::vector<Enum> enums;
  std::vector<Struct> structs;
  std::vector<Pool> pools;
  std::vector<Operation> operations;
};

}  // namespace pschema::gen::ast
