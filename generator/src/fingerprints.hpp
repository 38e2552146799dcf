// The two numbers that identify stored data, both computed with the stable
// hash (they are written into pool files and must not depend on the
// machine or the generator's version):
//  - each struct's type id, from its package-qualified name: the
//    allocator's header of every block names the type of its object;
//  - each pool's fingerprint, from the layout of everything it can hold:
//    a pool opened with code generated from a different schema is refused.
#pragma once

#include "diagnostics.hpp"
#include "model.hpp"

namespace pschema::gen {

// Reports two structs whose ids collide.
void assign_type_ids(Model& model, Diagnostics& diagnostics);

// Needs the type ids and each pool's reachable structs (reachability.hpp).
void compute_fingerprints(Model& model);

}  // namespace pschema::gen
