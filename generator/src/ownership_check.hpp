// Invariant 2: a struct that holds pointers, or that pointers lead to,
// belongs to exactly one pool, so that no pointer can lead from one pool
// into another. Plain data held by value may be shared by several pools.
// Needs each pool's reachable structs (reachability.hpp).
#pragma once

#include "diagnostics.hpp"
#include "model.hpp"

namespace pschema::gen {

void check_pool_ownership(const Model& model, Diagnostics& diagnostics);

}  // namespace pschema::gen
