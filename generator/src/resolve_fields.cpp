// A struct's fields: names, types, const, the evolution markers (`@was`,
// a default, `removed` names). A struct with any wrong field is marked
// broken (it gets no layout and no follow-on checks).
#include <map>

#include "attributes.hpp"
#include "generated_names.hpp"
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
    if (find_generated_name(GeneratedScope::struct_type, f.name) != nullptr ||
        find_generated_name(GeneratedScope::struct_views, f.name) != nullptr) {
      d.error(f.name_span, "field name '" + f.name + "' clashes with a name the generated code uses (" +
                               list_of_names(GeneratedScope::struct_type) + ", " +
                               list_of_names(GeneratedScope::struct_views) + ")");
      broken.insert(&type);
      continue;
    }
    std::optional<Type> resolved = types.resolve(f.type, Use::field, "field '" + f.name + "'", scope);
    if (!resolved) {
      broken.insert(&type);
      continue;
    }
    if (scope.has_type(f.name)) {
      d.error(f.name_span, "field '" + f.name +
                               "' has the name of a type; in the generated views its accessor "
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
    field.was = former_name(f.attributes, "field '" + f.name + "'", f.name, d);
    field.default_value = checked_default(f, *resolved, d);
    type.fields.push_back(std::move(field));
  }
  // A removed name stays reserved: a new field of that name would be
  // read as the old one by a migration.
  for (const ast::RemovedField& r : decl.removed) {
    if (auto [it, inserted] = names.emplace(r.name, r.name_span); !inserted) {
      d.error(r.name_span, "'" + r.name + "' is marked removed but struct '" + decl.name +
                               "' declares it too; a removed name cannot be declared again");
      d.note(it->second, "'" + r.name + "' is declared here");
      continue;
    }
    type.removed.push_back(RemovedField{r.name, r.span});
  }
}

}  // namespace pschema::gen
