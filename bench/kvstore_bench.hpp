// The KVStore workload: PUT (insert every key, one durable transaction
// each) then GET (look every key up), on pschema, PMDK's hashmap_tx and the
// volatile map, interleaved, verified after each phase.
#pragma once

#include <ostream>
#include <vector>

#include "map_workload.hpp"
#include "options.hpp"
#include "report.hpp"

namespace harness {

std::vector<Result> run_kvstore(const MapWorkload& workload, const Options& options, std::ostream& log);

}  // namespace harness
