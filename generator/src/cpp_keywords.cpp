#include "cpp_keywords.hpp"

#include <algorithm>
#include <array>

namespace pschema::gen {

bool is_cpp_keyword(std::string_view name) {
  // C++20 keywords and alternative tokens, sorted.
  // clang-format off: a sorted list laid out by hand, in columns
  static constexpr std::array<std::string_view, 97> keywords = {
      "alignas",      "alignof",     "and",          "and_eq",      "asm",         "auto",
      "bitand",       "bitor",       "bool",         "break",       "case",        "catch",
      "char",         "char16_t",    "char32_t",     "char8_t",     "class",       "co_await",
      "co_return",    "co_yield",    "compl",        "concept",     "const",       "const_cast",
      "consteval",    "constexpr",   "constinit",    "continue",    "decltype",    "default",
      "delete",       "do",          "double",       "dynamic_cast", "else",       "enum",
      "explicit",     "export",      "extern",       "false",       "final",       "float",
      "for",          "friend",      "goto",         "if",          "import",      "inline",
      "int",          "long",        "module",       "mutable",     "namespace",   "new",
      "noexcept",     "not",         "not_eq",       "nullptr",     "operator",    "or",
      "or_eq",        "override",    "private",      "protected",   "public",      "register",
      "reinterpret_cast", "requires", "return",      "short",       "signed",      "sizeof",
      "static",       "static_assert", "static_cast", "struct",     "switch",      "template",
      "this",         "thread_local", "throw",       "true",        "try",         "typedef",
      "typeid",       "typename",    "union",        "unsigned",    "using",       "virtual",
      "void",         "volatile",    "wchar_t",      "while",       "xor",         "xor_eq",
      "NULL",
  };
  // clang-format on
  return std::find(keywords.begin(), keywords.end(), name) != keywords.end();
}

}  // namespace pschema::gen
