// Resolves names and types, computes layouts, and checks every rule of the
// language (the invariants a schema can guarantee statically). All errors
// of all files are reported in one run; an error in one declaration does
// not cause follow-on errors in the declarations that use it.
#pragma once

#include <optional>

#include "diagnostics.hpp"
#include "loader.hpp"
#include "model.hpp"

namespace pschema::gen {

// The model, or nothing when an error was reported.
std::optional<Model> analyze(const LoadedSchemas& schemas, Diagnostics& diagnostics);

}  // namespace pschema::gen
