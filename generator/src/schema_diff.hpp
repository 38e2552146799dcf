// Schema evolution: what changed between two versions of a schema, and
// what each change means for pools made with the old one. `pschema diff`
// prints the list (docs/schema-language.md, "Evolving a schema"); a future
// `pschema pool migrate` would apply it to a pool at open.
//
// Declarations are matched by package-qualified name, or through a
// `@was(old_name)` marker on the new declaration. Each change is
//  - compatible: a migration can apply it without user code (a new field
//    gets its schema default or zero, an integer is widened, ...);
//  - needs migration: the data can be kept but only user code can say how
//    (a value that becomes required, a pool's root that becomes another
//    struct, an enum value whose number changes);
//  - refused: existing data could not be kept (a narrowed integer, a
//    removed enum value, a field removed without `removed name;`).
#pragma once

#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "model.hpp"

namespace pschema::gen {

// In increasing order of severity.
enum class Verdict { compatible, needs_migration, refused };

struct SchemaChange {
  Verdict verdict = Verdict::compatible;
  std::string kind;     // a fixed tag, as in "field-added"
  std::string subject;  // the package-qualified declaration: "bank.Account.owner"
  Span old_side;        // where the old schema declares it; file null when it has no counterpart
  Span new_side;        // likewise in the new schema
  std::string text;     // what changed and what that means, in words
};

// Every change from `old_schema` to `new_schema`, sorted by subject (the
// changes of one subject in a fixed order), so the list is stable.
std::vector<SchemaChange> diff_schemas(const Model& old_schema, const Model& new_schema);

// One line: "<verdict> <kind> <subject> old=<file:line|-> new=<file:line|->: <text>".
std::string format_change(const SchemaChange& change);

// "compatible", "needs-migration", "refused".
const char* verdict_name(Verdict verdict);

// The most severe verdict among `changes` (compatible when there is none).
Verdict overall_verdict(const std::vector<SchemaChange>& changes);

}  // namespace pschema::gen
