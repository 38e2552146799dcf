// The analyzer's second and fourth passes: resolving what each
// declaration says, once every name is declared. Enums and the fields of
// structs come first; pools and operations after the layout pass, because
// whether an operation may take a struct depends on the struct's fields.
// Each kind of declaration is resolved in its own file (resolve_*.cpp).
#pragma once

#include "declarations.hpp"
#include "diagnostics.hpp"
#include "loader.hpp"
#include "model.hpp"
#include "type_resolver.hpp"

namespace pschema::gen {

// Every file's enums (underlying type and values) and structs (fields,
// not yet laid out). A struct with a wrong field is marked broken.
void resolve_enums_and_fields(const LoadedSchemas& schemas, Declarations& declarations, TypeResolver& types,
                              Model& model, Diagnostics& diagnostics);

// Every file's pools (root, `concurrent`) and operations.
void resolve_pools_and_operations(const LoadedSchemas& schemas, const Declarations& declarations, TypeResolver& types,
                                  Model& model, Diagnostics& diagnostics);

// One declaration of each kind; the passes above call these file by file.
void resolve_enum(const ast::Enum& decl, EnumType& type, Diagnostics& diagnostics);
void resolve_fields(const ast::Struct& decl, StructType& type, const Scope& scope, TypeResolver& types,
                    BrokenStructs& broken, Diagnostics& diagnostics);
void resolve_pool(const ast::Pool& decl, PoolType& pool, const Scope& scope, TypeResolver& types,
                  Diagnostics& diagnostics);
void resolve_operation(const ast::Operation& decl, Module& module, const Scope& scope, TypeResolver& types,
                       Diagnostics& diagnostics);

}  // namespace pschema::gen
