// Model -> C++ header text. Sections in a fixed order: banner and checks,
// forward declarations, enums, layouts (with static_asserts on every size,
// alignment and offset), views, member definitions, pools and operations.
#pragma once

#include <string>

#include "model.hpp"

namespace pschema::gen {

// The name of the header generated for a module: "<stem>.pschema.h".
std::string header_name(const Module& module);

// The schema text generated code stores in its pools: `module` and every
// file it imports (pschema/format/schema_bundle.hpp).
std::string schema_bundle(const Module& module);

// The text of the header for `module`.
std::string emit_header(const Module& module, const std::string& generator_version);

}  // namespace pschema::gen
