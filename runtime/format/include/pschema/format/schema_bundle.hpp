// The schema text a pool stores (docs/runtime.md 1.4): the schema file
// that declares the pool and every file it imports, imports first, each
// after a line `//@file <name>`. The code generator writes it into the
// generated SchemaInfo; the pool tool splits it to analyse the files again
// without any other file at hand.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pschema::format {

struct SchemaFile {
  std::string name;  // a file name, no directory: imports are found by it
  std::string text;
};

// The files in the order given (imports first), each ending with a newline.
std::string join_schema_bundle(std::span<const SchemaFile> files);

// The files of a bundle. Text before the first `//@file` line (a schema
// stored by a program that filled SchemaInfo by hand) is one file named
// "schema.pschema".
std::vector<SchemaFile> split_schema_bundle(std::string_view bundle);

}  // namespace pschema::format
