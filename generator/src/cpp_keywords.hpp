// C++ keywords and names the generated code reserves for itself.
#pragma once

#include <string_view>

namespace pschema::gen {

bool is_cpp_keyword(std::string_view name);

}  // namespace pschema::gen
