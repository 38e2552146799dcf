#include "options.hpp"

#include <algorithm>
#include <string_view>

#include "command_line.hpp"

namespace harness {
namespace {

constexpr std::string_view usage =
    "usage: pschema_bench [--repeat N] [--n N] [--out DIR] [--seed S] [--verbose] [--only W,W]\n"
    "                     [--storage pmem|msync] [--dir DIR] [--backend default|file]\n"
    "  Runs the workloads (bst, bst-seq: INS, CHK; kvstore: PUT, GET; btree: INS, CHK,\n"
    "  RAND, REM) on pschema, PMDK libpmemobj and a volatile baseline (btree also on\n"
    "  pschema's map<u64,u64>), prints a table of the median times and writes\n"
    "  DIR/results.csv.\n"
    "  --repeat N  runs of each op phase, on fresh pools each time (default 5)\n"
    "  --n N       number of keys of every workload (default: each workload's own: bst and\n"
    "              bst-seq 30000, kvstore 65536, btree 200000 and as many RAND operations,\n"
    "              wordcount 1000000 words)\n"
    "  --out DIR   directory for results.csv (default build/bench, relative to the current directory)\n"
    "  --seed S    seed of the random keys and the RAND mix (decimal or 0x hex)\n"
    "  --verbose   print every phase's time on stderr as it runs\n"
    "  --only W,W  run only these workloads (bst, bst-seq, kvstore, btree, wordcount)\n"
    "  --storage pmem|msync\n"
    "              pmem (default): pool files in /dev/shm, PMEM_IS_PMEM_FORCE=1, both systems flush\n"
    "              cache lines; msync: ordinary files (/var/tmp), PMEM_IS_PMEM_FORCE=0, both msync\n"
    "  --dir DIR   where the pool files go instead of the storage mode's default\n"
    "  --backend default|file\n"
    "              pschema's engine: default (what the runtime picks: the undo engine on pmem, the\n"
    "              file engine on ordinary files) or file (the redo-log file engine on any storage;\n"
    "              with pmem storage the CSV is then results-file.csv)\n"
    "PMEM_IS_PMEM_FORCE must be unset (the program then sets it, before any pmem call)\n"
    "or what the storage mode needs: 1 for pmem, 0 for msync.\n";

}  // namespace

Options parse_options(int argc, char** argv) {
  Options options;
  CommandLine line(argc, argv, "pschema_bench", usage);
  while (line.next()) {
    const std::string_view arg = line.arg();
    if (arg == "--repeat") {
      const std::uint64_t repeat = line.number();
      if (repeat < 1 || repeat > 1000) line.fail("--repeat must be between 1 and 1000");
      options.repeat = static_cast<unsigned>(repeat);
    } else if (arg == "--n") {
      const std::uint64_t n = line.number();
      if (n < 1 || n > 100'000'000) line.fail("--n must be between 1 and 100000000");
      options.n = static_cast<std::size_t>(n);
    } else if (arg == "--out") {
      options.out_dir = std::string(line.value());
      if (options.out_dir.empty()) line.fail("--out needs a directory");
    } else if (arg == "--seed") {
      options.seed = line.number();
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--storage") {
      options.storage.mode = line.storage_mode();
    } else if (arg == "--backend") {
      const std::string_view backend = line.value();
      if (backend != "default" && backend != "file") line.fail("--backend must be default or file");
      options.storage.file_engine = backend == "file";
    } else if (arg == "--dir") {
      options.storage.dir = std::string(line.value());
      if (options.storage.dir.empty()) line.fail("--dir needs a directory");
    } else if (arg == "--only") {
      for (std::string_view name : line.list()) {
        if (name != "bst" && name != "bst-seq" && name != "kvstore" && name != "btree" && name != "wordcount") {
          line.fail("--only: unknown workload '" + std::string(name) + "' (bst, bst-seq, kvstore, btree, wordcount)");
        }
        options.only.emplace_back(name);
      }
    } else {
      line.fail("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (options.storage.dir.empty()) options.storage.dir = std::string(default_dir(options.storage.mode));
  return options;
}

bool Options::runs(std::string_view workload) const {
  return only.empty() || std::find(only.begin(), only.end(), workload) != only.end();
}

}  // namespace harness
