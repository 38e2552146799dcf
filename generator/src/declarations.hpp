// The analyzer's first pass: one Module per schema file, holding the
// file's enums, structs and pools by name only (nothing is resolved yet),
// and the names each file can see. Every declared name is checked here:
// no duplicates, no built-in type names, no names of the generated code,
// no C++ keywords; two files that would write one header are reported.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.hpp"
#include "loader.hpp"
#include "model.hpp"

namespace pschema::gen {

// The names one file can use: its own declarations and those of the files
// it imports, plain ("Money") and package-qualified ("money.Money").
struct Scope {
  std::set<std::string, std::less<>> ambiguous;  // plain names two imported files both declare
  std::map<std::string, const EnumType*, std::less<>> enums;
  std::map<std::string, const StructType*, std::less<>> structs;
  std::map<std::string, const PoolType*, std::less<>> pools;

  // Whether `name` names an enum or a struct.
  bool has_type(std::string_view name) const { return structs.count(name) != 0 || enums.count(name) != 0; }
};

// Structs whose declaration has an error. They get no layout and take part
// in no later check, so that one mistake is reported once, not again by
// everything that uses the struct.
using BrokenStructs = std::set<const StructType*>;

struct Declarations {
  std::vector<Scope> scopes;  // one per file, in the order of LoadedSchemas::files
  BrokenStructs broken;
};

// Adds one module per loaded file to `model` (in the same order).
Declarations declare(const LoadedSchemas& schemas, Model& model, Diagnostics& diagnostics);

}  // namespace pschema::gen
