// Checks on cycles among structs:
//  - eager cycles (an error): a box<T> or rc<T> without '?' always holds an
//    object, made with its owner, so a chain of them (or of members held in
//    place) that returns to where it started would make objects forever;
//  - rc cycles (a warning): a cycle of rc<T> pointers is never freed.
#pragma once

#include "declarations.hpp"
#include "diagnostics.hpp"
#include "model.hpp"

namespace pschema::gen {

// Runs before the analysis stops on errors, so it skips broken structs
// (their fields are incomplete).
void check_eager_cycles(const Model& model, const BrokenStructs& broken, Diagnostics& diagnostics);

// Runs on a model without errors.
void check_rc_cycles(const Model& model, Diagnostics& diagnostics);

}  // namespace pschema::gen
