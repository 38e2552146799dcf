// The workloads the crash simulator runs: the runtime's own journal and
// allocator through the raw API, data structures written against generated
// code, and the benchmarks' data structures.
#pragma once

#include "harness.hpp"

namespace crash_sim {

// Money moved between accounts in the root, and a linked list of
// allocated nodes pushed and popped (freed); some transactions log more
// than a journal lane holds, some abort.
Workload journal_and_allocator_workload(std::size_t transactions);
// The container workload of tests/generated (maps, vecs, strings, boxes).
Workload containers_workload(std::size_t transactions);
// Shared ownership (rc, rc?, weak).
Workload everything_workload(std::size_t transactions);
// Arrays, value optionals, bytes, box<T>? and vec<box<T>>.
Workload store_workload(std::size_t transactions);
// The benchmarks' data structures (bench/*.pschema and their operations), small.
Workload bst_workload(std::size_t transactions);
Workload kvstore_workload(std::size_t transactions);
Workload btree_workload(std::size_t transactions);
// Corundum's sorted linked list, through its declared operations.
Workload sorted_list_workload(std::size_t transactions);

}  // namespace crash_sim
