// What a crash image must hold, for both media of the simulator: the
// states a workload passes through (recorded by a run without crashes),
// and the check of one image against them. Violations are counted in a
// Result, the first one described.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "harness.hpp"

namespace crash_sim {

class Oracle {
 public:
  Oracle(const Workload& workload, Result& result) : workload_(workload), result_(result) {}

  // Creates the pool at `path` and runs the workload one transaction per
  // open, recording the state after each: state(k) = after k transactions.
  void record_states(const std::string& path, const pschema::PoolOptions& options);
  const std::string& state(std::size_t k) const { return states_.at(k); }
  std::size_t transactions() const { return states_.size() - 1; }

  // Checks the pool at `file`: it opens (recovery runs), holds state(k)
  // for some k in [lowest, highest], and a second open finds nothing to
  // recover and the same data. `where` describes the image (called only
  // for a violation).
  void check(const std::string& file, std::size_t lowest, std::size_t highest,
             const std::function<std::string()>& where);
  // Counts a violation; the first one is kept with `where`.
  void violation(const std::function<std::string()>& where, const std::string& what);

  // Prints `crash-sim: workload=NAME medium=MEDIUM points=P images=I
  // violations=V` and the first violation.
  void print(const std::string& medium, const std::string& extra = "") const;

 private:
  const Workload& workload_;
  Result& result_;
  std::vector<std::string> states_;
};

}  // namespace crash_sim
