// Reads schema files and, transitively, the files they import.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ast.hpp"
#include "diagnostics.hpp"

namespace pschema::gen {

struct LoadedFile {
  std::unique_ptr<SourceFile> source;
  ast::File ast;
  std::vector<std::size_t> imports;  // indexes into LoadedSchemas::files
};

struct LoadedSchemas {
  // Dependency order: a file comes after every file it imports.
  std::vector<LoadedFile> files;
};

// Loads `paths` and their imports (relative to the importing file). Files
// with syntax errors, unreadable files, missing imports and import cycles
// are reported to `diagnostics` and left out.
LoadedSchemas load_schemas(const std::vector<std::string>& paths, Diagnostics& diagnostics);

}  // namespace pschema::gen
