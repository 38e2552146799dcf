// The analyzer is a list of passes. The first ones build the model and
// report what is wrong with each declaration, leaving out what is wrong: a
// field with a bad type is dropped and its struct marked broken (a pool may
// still hold it, type_resolver.cpp). The rest run on that model even when
// something was wrong, so that one run reports every error of a schema: two
// passes complete it (type ids, reachable structs), and the checks after
// them read it only (const Model&) and report to the diagnostics. They must
// not rely on what the first passes refuse (a cycle of structs held by
// value, for one). Fingerprints, which the emitter needs, come only for a
// model with no error.
#include "analyzer.hpp"

#include "concurrency_check.hpp"
#include "cycle_checks.hpp"
#include "declarations.hpp"
#include "fingerprints.hpp"
#include "layout.hpp"
#include "ownership_check.hpp"
#include "reachability.hpp"
#include "resolution.hpp"
#include "type_resolver.hpp"

namespace pschema::gen {

std::optional<Model> analyze(const LoadedSchemas& schemas, Diagnostics& diagnostics) {
  const std::size_t errors_before = diagnostics.error_count();
  const auto has_new_errors = [&] { return diagnostics.error_count() != errors_before; };

  Model model;
  Declarations declarations = declare(schemas, model, diagnostics);
  TypeResolver types(declarations.broken, diagnostics);
  resolve_enums_and_fields(schemas, declarations, types, model, diagnostics);
  compute_layouts(model, declarations.broken, diagnostics);
  resolve_pools_and_operations(schemas, declarations, types, model, diagnostics);
  check_eager_cycles(model, declarations.broken, diagnostics);

  assign_type_ids(model, diagnostics);
  find_reachable_structs(model);
  check_pool_ownership(model, diagnostics);
  check_mutex_placement(model, diagnostics);
  check_race_freedom(model, diagnostics);
  check_rc_cycles(model, diagnostics);
  if (has_new_errors()) return std::nullopt;
  compute_fingerprints(model);
  return model;
}

}  // namespace pschema::gen
