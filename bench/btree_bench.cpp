#include "btree_bench.hpp"

#include "btree_systems.hpp"
#include "map_phases.hpp"

namespace harness {

std::vector<Result> run_btree(const MapWorkload& workload, const Options& options, std::ostream& log) {
  return maps::run<PschemaBtree, PmdkBtree, PschemaMapSystem, VolatileBtreeSystem>(workload, options, log,
                                                                                   {"INS", "CHK"});
}

}  // namespace harness
