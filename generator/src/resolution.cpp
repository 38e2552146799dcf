#include "resolution.hpp"

#include <map>
#include <string>

namespace pschema::gen {

// Both passes go file by file, in load order, so that each file's messages
// come in the order the declarations are resolved.
void resolve_enums_and_fields(const LoadedSchemas& schemas, Declarations& declarations, TypeResolver& types,
                              Model& model, Diagnostics& d) {
  for (std::size_t i = 0; i < schemas.files.size(); ++i) {
    const ast::File& file = schemas.files[i].ast;
    Module& module = *model.modules[i];
    for (std::size_t e = 0; e < file.enums.size(); ++e) resolve_enum(file.enums[e], *module.enums[e], d);
    for (std::size_t s = 0; s < file.structs.size(); ++s) {
      resolve_fields(file.structs[s], *module.structs[s], declarations.scopes[i], types, declarations.broken, d);
    }
  }
}

void resolve_pools_and_operations(const LoadedSchemas& schemas, const Declarations& declarations, TypeResolver& types,
                                  Model& model, Diagnostics& d) {
  for (std::size_t i = 0; i < schemas.files.size(); ++i) {
    const ast::File& file = schemas.files[i].ast;
    Module& module = *model.modules[i];
    const Scope& scope = declarations.scopes[i];
    for (std::size_t p = 0; p < file.pools.size(); ++p) resolve_pool(file.pools[p], *module.pools[p], scope, types, d);
    std::map<std::string, Span> op_names;
    for (const ast::Operation& op : file.operations) {
      if (auto [it, inserted] = op_names.emplace(op.name, op.name_span); !inserted) {
        d.error(op.name_span, "duplicate operation '" + op.name + "'");
        d.note(it->second, "'" + op.name + "' is first declared here");
        continue;
      }
      resolve_operation(op, module, scope, types, d);
    }
  }
}

}  // namespace pschema::gen
