// Reads one schema file into its AST. The ANTLR lexer and parser run with
// their console listeners removed; every syntax error goes into the
// Diagnostics collector, rewritten in plain words.
#pragma once

#include <optional>

#include "ast.hpp"
#include "diagnostics.hpp"
#include "source_file.hpp"

namespace pschema::gen {

// The AST of `file`, or nothing when it has syntax errors (they are in
// `diagnostics`; later stages then skip the file, so that a syntax error
// is not followed by a cascade of semantic ones).
std::optional<ast::File> parse_file(const SourceFile& file, Diagnostics& diagnostics);

}  // namespace pschema::gen
