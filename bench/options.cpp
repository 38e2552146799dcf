#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <system_error>

namespace harness {
namespace {

constexpr std::string_view usage =
    "usage: pschema_bench [--repeat N] [--n N] [--out DIR] [--seed S] [--verbose] [--only W,W]\n"
    "                     [--storage pmem|msync] [--dir DIR]\n"
    "  Runs the workloads (bst, bst-seq: INS, CHK; kvstore: PUT, GET; btree: INS, CHK,\n"
    "  RAND, REM) on pschema, PMDK libpmemobj and a volatile baseline (btree also on\n"
    "  pschema's map<u64,u64>), prints a table of the median times and writes\n"
    "  DIR/results.csv.\n"
    "  --repeat N  runs of each op phase, on fresh pools each time (default 5)\n"
    "  --n N       number of keys of every workload (default: each workload's own: bst and\n"
    "              bst-seq 30000, kvstore 65536, btree 200000 and as many RAND operations)\n"
    "  --out DIR   directory for results.csv (default build/bench, relative to the current directory)\n"
    "  --seed S    seed of the random keys and the RAND mix (decimal or 0x hex)\n"
    "  --verbose   print every phase's time on stderr as it runs\n"
    "  --only W,W  run only these workloads (bst, bst-seq, kvstore, btree)\n"
    "  --storage pmem|msync\n"
    "              pmem (default): pool files in /dev/shm, PMEM_IS_PMEM_FORCE=1, both systems flush\n"
    "              cache lines; msync: ordinary files (/var/tmp), PMEM_IS_PMEM_FORCE=0, both msync\n"
    "  --dir DIR   where the pool files go instead of the storage mode's default\n"
    "Pools are files in /dev/shm. PMEM_IS_PMEM_FORCE must be 1 or unset (then the program\n"
    "sets it to 1 itself, before any pmem call).\n";

[[noreturn]] void bad_usage(std::string_view message) {
  std::cerr << "pschema_bench: " << message << "\n" << usage;
  std::exit(2);
}

std::uint64_t parse_number(std::string_view option, std::string_view text) {
  int base = 10;
  if (text.starts_with("0x")) {
    text.remove_prefix(2);
    base = 16;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    bad_usage(std::string(option) + " needs a non-negative integer, not '" + std::string(text) + "'");
  }
  return value;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) bad_usage(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      std::exit(0);
    } else if (arg == "--repeat") {
      const std::uint64_t repeat = parse_number(arg, value());
      if (repeat < 1 || repeat > 1000) bad_usage("--repeat must be between 1 and 1000");
      options.repeat = static_cast<unsigned>(repeat);
    } else if (arg == "--n") {
      const std::uint64_t n = parse_number(arg, value());
      if (n < 1 || n > 100'000'000) bad_usage("--n must be between 1 and 100000000");
      options.n = static_cast<std::size_t>(n);
    } else if (arg == "--out") {
      options.out_dir = std::string(value());
      if (options.out_dir.empty()) bad_usage("--out needs a directory");
    } else if (arg == "--seed") {
      options.seed = parse_number(arg, value());
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--storage") {
      const std::string_view mode = value();
      if (mode == "pmem") {
        options.storage.mode = StorageMode::pmem;
      } else if (mode == "msync") {
        options.storage.mode = StorageMode::msync;
      } else {
        bad_usage("--storage must be pmem or msync, not '" + std::string(mode) + "'");
      }
    } else if (arg == "--dir") {
      options.storage.dir = std::string(value());
      if (options.storage.dir.empty()) bad_usage("--dir needs a directory");
    } else if (arg == "--only") {
      std::string_view list = value();
      while (!list.empty()) {
        const std::size_t comma = std::min(list.find(','), list.size());
        const std::string_view name = list.substr(0, comma);
        if (name != "bst" && name != "bst-seq" && name != "kvstore" && name != "btree") {
          bad_usage("--only: unknown workload '" + std::string(name) + "' (bst, bst-seq, kvstore, btree)");
        }
        options.only.emplace_back(name);
        list.remove_prefix(std::min(comma + 1, list.size()));
      }
    } else {
      bad_usage("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (options.storage.dir.empty()) options.storage.dir = std::string(default_dir(options.storage.mode));
  return options;
}

bool Options::runs(std::string_view workload) const {
  return only.empty() || std::find(only.begin(), only.end(), workload) != only.end();
}

}  // namespace harness
