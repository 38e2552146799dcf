#include "identifier_rules.hpp"

#include <cctype>

#include "cpp_keywords.hpp"

namespace pschema::gen {

void check_identifier(const Span& span, const std::string& name, const char* what, Diagnostics& d) {
  if (is_cpp_keyword(name)) {
    d.error(span, std::string(what) + " '" + name + "' is a C++ keyword; the generated code could not use it");
  } else if (name.rfind("__", 0) == 0 ||
             (name.size() > 1 && name[0] == '_' && std::isupper(static_cast<unsigned char>(name[1])))) {
    d.error(span, std::string(what) + " '" + name + "' is reserved in C++ (it starts with '__' or '_' and a capital)");
  }
}

}  // namespace pschema::gen
