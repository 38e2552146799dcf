// The BST workloads: INS (insert every key, one durable transaction each)
// then CHK (look every key up), on pschema, PMDK and the volatile tree.
#pragma once

#include <ostream>
#include <vector>

#include "options.hpp"
#include "report.hpp"
#include "workload.hpp"

namespace harness {

// Runs `workload` options.repeat times. Each repetition runs pschema, then
// PMDK, then the volatile tree (A B A B ...), each on a fresh, empty pool:
// the timed INS phase, verification, the timed CHK phase, verification.
// Returns one Result per op and system with the median time. Throws
// std::runtime_error when a verification fails. Progress goes to `log`
// when options.verbose is set.
std::vector<Result> run_bst(const Workload& workload, const Options& options, std::ostream& log);

}  // namespace harness
