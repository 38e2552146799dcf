// The command line of pschema_bench.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage.hpp"

namespace harness {

struct Options {
  unsigned repeat = 5;                   // --repeat N: runs of each op phase; the median is reported
  std::optional<std::size_t> n;          // --n N: overrides every workload's size
  std::string out_dir = "build/bench";   // --out DIR: where results.csv (results-msync.csv) goes
  std::uint64_t seed = 0x5eed0001;       // --seed S: the random keys and the RAND mix
  bool verbose = false;                  // --verbose: every phase's time on stderr as it runs
  std::vector<std::string> only;         // --only W,W: run just these workloads (empty: all)
  Storage storage;                       // --storage pmem|msync, --dir DIR

  bool runs(std::string_view workload) const;
};

// Parses argv. On --help prints the usage and exits 0; on bad usage prints
// a message and the usage to stderr and exits 2.
Options parse_options(int argc, char** argv);

}  // namespace harness
