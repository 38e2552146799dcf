// Which nodes of a directed graph lie on a cycle: Tarjan's strongly
// connected components, in one pass, with an explicit stack (a schema can
// be a chain of thousands of structs, too deep for recursion).
#pragma once

#include <cstddef>
#include <vector>

namespace pschema::gen {

// `successors[n]` lists the nodes node n has an edge to (repeats allowed).
// Result: for each node, whether it is in a component of two or more
// nodes or has an edge to itself.
std::vector<bool> nodes_on_cycles(const std::vector<std::vector<std::size_t>>& successors);

}  // namespace pschema::gen
