// An operation: its name (a method of the generated pool class), its pool
// (declared in the same file), its parameters and result (volatile values
// only). Only a wholly correct operation is added to the module.
#include <set>

#include "generated_names.hpp"
#include "identifier_rules.hpp"
#include "resolution.hpp"

namespace pschema::gen {

void resolve_operation(const ast::Operation& decl, Module& module, const Scope& scope, TypeResolver& types,
                       Diagnostics& d) {
  Operation op;
  op.kind = decl.kind;
  op.name = decl.name;
  op.docs = decl.docs;
  op.span = decl.name_span;
  check_identifier(decl.name_span, decl.name, "operation", d);
  bool ok = true;
  if (find_generated_name(GeneratedScope::pool_class, decl.name) != nullptr) {
    d.error(decl.name_span, "operation name '" + decl.name + "' is taken by the generated pool class (" +
                                list_of_names(GeneratedScope::pool_class) + ")");
    ok = false;
  } else if (scope.has_type(decl.name) || scope.pools.count(decl.name) != 0) {
    d.error(decl.name_span, "operation '" + decl.name +
                                "' has the name of a type; in the generated pool class "
                                "the method would hide it");
    ok = false;
  }
  auto pool = scope.pools.find(decl.pool);
  if (pool == scope.pools.end()) {
    d.error(decl.pool_span, "operation '" + decl.name + "' is on unknown pool '" + decl.pool + "'");
    ok = false;
  } else if (pool->second->module != &module) {
    d.error(decl.pool_span, "operation '" + decl.name + "' is on pool '" + decl.pool +
                                "' of another file; declare operations in the file that declares the pool");
    ok = false;
  } else {
    op.pool = pool->second;
  }
  std::set<std::string> params;
  for (const ast::Param& p : decl.params) {
    check_identifier(p.name_span, p.name, "parameter", d);
    if (!params.insert(p.name).second) {
      d.error(p.name_span, "duplicate parameter '" + p.name + "' in operation '" + decl.name + "'");
      ok = false;
    }
    const GeneratedName* in_pool_class = find_generated_name(GeneratedScope::pool_class, p.name);
    if (scope.has_type(p.name) || (in_pool_class != nullptr && in_pool_class->is_type)) {
      d.error(p.name_span, "parameter '" + p.name + "' of '" + decl.name +
                               "' has the name of a type; it would hide that type in the generated code");
      ok = false;
    }
    if (find_generated_name(GeneratedScope::operation, p.name) != nullptr) {
      d.error(p.name_span,
              "parameter name '" + p.name + "' is taken by the generated code (the transaction or snapshot argument)");
      ok = false;
    }
    std::optional<Type> type =
        types.resolve(p.type, Use::param, "parameter '" + p.name + "' of '" + decl.name + "'", scope);
    if (!type) {
      ok = false;
      continue;
    }
    op.params.push_back(Param{p.name, *type});
  }
  if (decl.result) {
    op.result = types.resolve(*decl.result, Use::result, "the result of '" + decl.name + "'", scope);
    if (!op.result) ok = false;
  }
  if (ok) module.operations.push_back(std::move(op));
}

}  // namespace pschema::gen
