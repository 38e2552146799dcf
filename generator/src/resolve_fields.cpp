// A struct's fields: names, types, const. A struct with any wrong field is
// marked broken (it gets no layout and no follow-on checks).
#include <map>

#include "identifier_rules.hpp"
#include "resolution.hpp"

namespace pschema::gen {

void resolve_fields(const ast::Struct& decl, StructType& type, const Scope& scope, TypeResolver& types,
                    BrokenStructs& broken, Diagnostics& d) {
  std::map<std::string, Span> names;
  for (const ast::Field& f : decl.fields) {
    check_identifier(f.name_span, f.name, "field", d);
    if (auto [it, inserted] = names.emplace(f.name, f.name_span); !inserted) {
      d.error(f.name_span, "duplicate field '" + f.name + "' in struct '" + decl.name + "'");
      d.note(it->second, "'" + f.name + "' is first declared here");
      broken.insert(&type);
      continue;
    }
    if (f.name == "View" || f.name == "Mut" || f.name == "Layout" || f.name == "Value" || f.name == "type_id" ||
        f.name == "init" || f.name == "destroy" || f.name == "to_value" || f.name == "assign" ||
        f.name == "log_whole" || f.name == "p_" || f.name == "tx_" || f.name == "base_" ||
        f.name.rfind("set_", 0) == 0 || f.name.rfind("init_", 0) == 0) {
      d.error(f.name_span, "field name '" + f.name + "' clashes with a name the generated code uses "
                           "(View, Mut, Layout, Value, type_id, init, destroy, to_value, assign, log_whole, p_, tx_, base_, "
                           "set_*, init_*)");
      broken.insert(&type);
      continue;
    }
    std::optional<Type> resolved = types.resolve(f.type, Use::field, "field '" + f.name + "'", scope);
    if (!resolved) {
      broken.insert(&type);
      continue;
    }
    if (scope.has_type(f.name)) {
      d.error(f.name_span, "field '" + f.name + "' has the name of a type; in the generated views its accessor "
                           "would hide the type");
      broken.insert(&type);
      continue;
    }
    if (f.is_const && !is_scalar(resolved->kind)) {
      d.error(f.span, "field '" + f.name + "' is const but has type '" + describe(*resolved) +
                          "'; const applies to scalar and enum fields");
      broken.insert(&type);
      continue;
    }
    Field field;
    field.name = f.name;
    field.type = *resolved;
    field.is_const = f.is_const;
    field.docs = f.docs;
    field.span = f.span;
    type.fields.push_back(std::move(field));
  }
}

}  // namespace pschema::gen
