// The markers a declaration may carry for schema evolution (schema_diff.hpp):
// `@was(old_name)`, the name it had before a rename, and a field's
// `= value`, what a migration gives the field in objects made before it
// existed.
#pragma once

#include <string>
#include <string_view>

#include "ast.hpp"
#include "diagnostics.hpp"
#include "model.hpp"

namespace pschema::gen {

// The `@was(...)` among `attributes` of the declaration `what` ("field
// 'x'") named `name`. Reports an unknown attribute, a second `@was` and a
// `@was` naming the declaration itself; those are left out.
FormerName former_name(const ast::Attributes& attributes, std::string_view what, std::string_view name,
                       Diagnostics& diagnostics);

// The default of `field` (resolved to `type`) in its canonical spelling: a
// decimal integer that fits an integer type, `true` or `false` for bool, a
// value's name for an enum. Empty when the field has none; reports (and
// returns empty for) a default that does not fit the type.
std::string checked_default(const ast::Field& field, const Type& type, Diagnostics& diagnostics);

}  // namespace pschema::gen
