// The rules every name in a schema follows, whatever it names: the
// generated C++ uses it as written, so it cannot be a C++ keyword or a name
// C++ reserves for the implementation.
#pragma once

#include <string>

#include "diagnostics.hpp"

namespace pschema::gen {

// Reports `name` (a `what`: "field", "enum value", ...) when it breaks a rule.
void check_identifier(const Span& span, const std::string& name, const char* what, Diagnostics& diagnostics);

}  // namespace pschema::gen
