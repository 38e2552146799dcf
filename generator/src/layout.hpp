// The analyzer's third pass: the size, alignment and field offsets of
// every struct, as C++ lays out the generated Layout structs (the emitter
// writes static_asserts that check each number). Refuses structs that
// contain themselves by value (infinite size), that nest too deeply, or
// that grow beyond what a pool can hold; those, and every struct that
// holds one by value, are marked broken.
#pragma once

#include "declarations.hpp"
#include "diagnostics.hpp"
#include "model.hpp"

namespace pschema::gen {

void compute_layouts(Model& model, BrokenStructs& broken, Diagnostics& diagnostics);

}  // namespace pschema::gen
