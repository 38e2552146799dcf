// pschema_bench: pschema against PMDK libpmemobj, side by side on this
// machine (see README.md in this directory): the BST workloads (random
// keys: bst, sequential keys: bst-seq), KVStore (a chained hash map), the
// B-tree, and a word count against std::map in DRAM.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "bst_bench.hpp"
#include "bst_systems.hpp"
#include "btree_bench.hpp"
#include "kvstore_bench.hpp"
#include "map_workload.hpp"
#include "options.hpp"
#include "report.hpp"
#include "storage.hpp"
#include "wordcount_bench.hpp"
#include "workload.hpp"

int main(int argc, char** argv) {
  using namespace harness;
  const Options options = parse_options(argc, argv);
  try {
    // Before anything touches libpmem or libpmemobj.
    const std::string note = configure_storage(options.storage);
    if (!note.empty()) std::cerr << "pschema_bench: " << note << "\n";

    const std::size_t n = options.n.value_or(30'000);
    const std::vector<Workload> workloads = {random_keys("bst", n, options.seed), sequential_keys("bst-seq", n)};

    std::vector<Result> results;
    for (const Workload& workload : workloads) {
      if (!options.runs(workload.name)) continue;
      std::cerr << "pschema_bench: " << workload.name << ", n = " << workload.size() << ", " << options.repeat
                << " runs per system...\n";
      for (Result& r : run_bst(workload, options, std::cerr)) results.push_back(std::move(r));
    }
    if (options.runs("kvstore")) {
      const MapWorkload kv = random_map_keys("kvstore", options.n.value_or(65'536), options.seed);
      std::cerr << "pschema_bench: kvstore, n = " << kv.size() << ", " << options.repeat << " runs per system...\n";
      for (Result& r : run_kvstore(kv, options, std::cerr)) results.push_back(std::move(r));
    }
    if (options.runs("btree")) {
      const MapWorkload tree = random_map_keys_with_mix("btree", options.n.value_or(200'000), options.seed);
      std::cerr << "pschema_bench: btree, n = " << tree.size() << ", " << options.repeat << " runs per system...\n";
      for (Result& r : run_btree(tree, options, std::cerr)) results.push_back(std::move(r));
    }

    if (options.runs("wordcount")) {
      std::cerr << "pschema_bench: wordcount, " << options.n.value_or(1'000'000) << " words, " << options.repeat
                << " runs per system...\n";
      for (Result& r : run_wordcount(options, std::cerr)) results.push_back(std::move(r));
    }

    const bool pmem = options.storage.mode == StorageMode::pmem;
    std::cout << "Median of " << options.repeat << " runs; pools of " << (pool_size >> 20) << " MiB in "
              << options.storage.dir << ", " << name_of(options.storage.mode)
              << " storage (PMEM_IS_PMEM_FORCE=" << (pmem ? 1 : 0) << "), pschema backend "
              << (options.storage.file_engine ? "file (--backend file)" : "default")
              << "; PMDK/pschema > 1 means pschema is faster.\n";
    print_table(std::cout, results);
    // --backend file on pmem storage compares the engines: its own CSV, so
    // that the default run's results.csv (and figure1.png) stay as they are.
    const std::string csv = !pmem                         ? "results-msync.csv"
                            : options.storage.file_engine ? "results-file.csv"
                                                          : "results.csv";
    write_csv(options.out_dir + "/" + csv, results);
    std::cout << "wrote " << options.out_dir << "/" << csv << "\n";
  } catch (const std::exception& e) {
    std::cerr << "pschema_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
