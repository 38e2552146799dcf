// The C++20 keywords and alternative tokens (and NULL): a schema name that
// is one could not be used in the generated code.
#pragma once

#include <string_view>

namespace pschema::gen {

bool is_cpp_keyword(std::string_view name);

}  // namespace pschema::gen
