// The word-count workload (issue: concurrent pools with growing data): a
// text of Zipf-distributed words counted in chunks, each chunk one
// transaction of many map<string, u64> increments, against the same count
// into a std::map in DRAM. Rows: workload wordcount, op COUNT, systems
// pschema and volatile, n = words counted.
#pragma once

#include <ostream>
#include <vector>

#include "options.hpp"
#include "report.hpp"

namespace harness {

std::vector<Result> run_wordcount(const Options& options, std::ostream& log);

}  // namespace harness
