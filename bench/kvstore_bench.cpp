#include "kvstore_bench.hpp"

#include "kvstore_systems.hpp"
#include "map_phases.hpp"

namespace harness {

std::vector<Result> run_kvstore(const MapWorkload& workload, const Options& options, std::ostream& log) {
  return maps::run<PschemaKv, PmdkKv, VolatileKvSystem>(workload, options, log, {"PUT", "GET"});
}

}  // namespace harness
