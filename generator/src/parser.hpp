// Runs the ANTLR lexer and parser over one schema file. Every syntax error
// goes into the Diagnostics collector, rewritten in plain words; ANTLR's
// console listeners are removed so nothing is printed behind our back.
#pragma once

#include <memory>

#include "diagnostics.hpp"
#include "source_file.hpp"

namespace pschema_grammar {
class PSchemaParser;
}

namespace pschema::gen {

// Owns the ANTLR objects; the parse tree lives as long as this does.
class ParsedSchema {
 public:
  ParsedSchema();
  ~ParsedSchema();
  ParsedSchema(ParsedSchema&&) noexcept;
  ParsedSchema& operator=(ParsedSchema&&) noexcept;

  struct State;
  std::unique_ptr<State> state;
};

// Parses `file`. Returns the tree even when there were syntax errors (the
// caller decides whether to go on); `diagnostics` receives every error.
ParsedSchema parse_schema(const SourceFile& file, Diagnostics& diagnostics);

}  // namespace pschema::gen
