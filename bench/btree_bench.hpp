// The B-tree workload: INS (insert every key), CHK (look every key up),
// RAND (a seeded mix of inserts, lookups and removes), REM (remove every
// key left), each update one durable transaction, on pschema, PMDK's
// btree_map, pschema's built-in map<u64, u64> and the volatile tree,
// interleaved, verified after each phase.
#pragma once

#include <ostream>
#include <vector>

#include "map_workload.hpp"
#include "options.hpp"
#include "report.hpp"

namespace harness {

std::vector<Result> run_btree(const MapWorkload& workload, const Options& options, std::ostream& log);

}  // namespace harness
