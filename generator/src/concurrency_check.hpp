// Invariants 4 and 5 (no data races, isolation until commit) for pools
// declared `concurrent`, checked on the resolved model:
//
//  - placement: a mutex<T> stays where it was made — never an element of a
//    vec, map or T? (they move and copy their elements, lock word and all);
//  - race freedom: in a concurrent pool, every field reachable from the
//    root without passing through a mutex<T> is const, so whatever
//    transactions change, they change under a mutex they hold;
//  - no rc<T>/weak<T> in a concurrent pool: two objects guarded by
//    different mutexes could share one reference count.
#pragma once

#include "diagnostics.hpp"
#include "model.hpp"

namespace pschema::gen {

void check_mutex_placement(const Model& model, Diagnostics& diagnostics);
void check_race_freedom(const Model& model, Diagnostics& diagnostics);

}  // namespace pschema::gen
