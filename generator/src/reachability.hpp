// The analyzer pass that finds, for each pool, every struct it can hold
// (PoolType::reachable): its root and everything reachable from it by
// value, through containers and through pointers. The ownership and
// concurrency checks, the fingerprint and the pool tools all use the list.
#pragma once

#include "model.hpp"

namespace pschema::gen {

void find_reachable_structs(Model& model);

}  // namespace pschema::gen
