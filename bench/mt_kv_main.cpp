// pschema_mt_bench: the multi-threaded KV benchmark, pschema (a concurrent
// pool, a mutex<Bucket> per bucket) against PMDK libpmemobj (a PMEMmutex
// per bucket, TX_PARAM_MUTEX). For each thread count: N random keys split
// into one disjoint slice per thread; phases PUT then GET, every thread
// working on its own slice at the same time; both systems interleaved,
// --repeat fresh pools each, the median reported. See README.md.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "command_line.hpp"
#include "mt_kv.pschema.h"
#include "mt_kv_pmdk.h"
#include "splitmix.hpp"
#include "storage.hpp"

namespace {

constexpr std::size_t pool_size = std::size_t{256} << 20;
// A GET phase looks every key up this many times: one pass lasts only tens
// of milliseconds, too short to time reliably on a shared machine.
constexpr unsigned get_passes = 5;

// The operations a phase times: every key once (PUT), get_passes times (GET).
std::size_t ops_of(std::string_view op, std::size_t n) { return op == "GET" ? n * get_passes : n; }

struct MtOptions {
  std::vector<unsigned> threads{1, 2};
  std::size_t n = 200'000;
  unsigned repeat = 3;
  std::uint64_t seed = 0x5eed0001;
  std::string out_dir = "build/bench";
  bool verbose = false;
  harness::Storage storage;
};

constexpr std::string_view usage =
    "usage: pschema_mt_bench [--threads LIST] [--n N] [--repeat N] [--seed S] [--out DIR]\n"
    "                        [--storage pmem|msync] [--dir DIR] [--verbose]\n"
    "  --threads LIST   comma-separated thread counts (default 1,2)\n"
    "  --n N            keys in all, split evenly between the threads (default 200000)\n"
    "  --repeat N       fresh pools per system and thread count; the median is reported (default 3)\n"
    "  --seed S         seed of the random keys (default 0x5eed0001)\n"
    "  --out DIR        where mt_results.csv goes (default build/bench)\n"
    "  --storage MODE   pmem (default: /dev/shm, PMEM_IS_PMEM_FORCE=1) or msync (/var/tmp)\n"
    "  --dir DIR        where the pool files go\n"
    "  --verbose        every run's times on stderr\n";

MtOptions parse(int argc, char** argv) {
  MtOptions o;
  harness::CommandLine line(argc, argv, "pschema_mt_bench", usage);
  bool dir_set = false;
  while (line.next()) {
    const std::string_view arg = line.arg();
    if (arg == "--threads") {
      o.threads.clear();
      for (std::uint64_t t : line.numbers()) {
        if (t == 0 || t > 1024) line.fail("--threads: a thread count must be 1..1024");
        o.threads.push_back(static_cast<unsigned>(t));
      }
      if (o.threads.empty()) line.fail("--threads needs at least one thread count");
    } else if (arg == "--n") {
      o.n = line.number();
    } else if (arg == "--repeat") {
      o.repeat = static_cast<unsigned>(line.number());
      if (o.repeat == 0) line.fail("--repeat must be at least 1");
    } else if (arg == "--seed") {
      o.seed = line.number();
    } else if (arg == "--out") {
      o.out_dir = std::string(line.value());
    } else if (arg == "--storage") {
      o.storage.mode = line.storage_mode();
    } else if (arg == "--dir") {
      o.storage.dir = std::string(line.value());
      dir_set = true;
    } else if (arg == "--verbose") {
      o.verbose = true;
    } else {
      line.fail("unknown option '" + std::string(arg) + "'");
    }
  }
  if (!dir_set) o.storage.dir = std::string(harness::default_dir(o.storage.mode));
  for (unsigned t : o.threads) {
    if (o.n < t) line.fail("--n must be at least the largest thread count");
  }
  return o;
}

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "pschema_mt_bench: VERIFICATION FAILED: " << message << "\n";
  std::exit(1);
}

std::uint64_t value_of(std::uint64_t key) { return key * 0x9E3779B97F4A7C15ULL + 1; }

// N distinct nonzero random keys.
std::vector<std::uint64_t> make_keys(std::size_t n, std::uint64_t seed) {
  std::vector<std::uint64_t> keys;
  keys.reserve(n);
  std::unordered_set<std::uint64_t> seen;
  seen.reserve(n * 2);
  std::uint64_t state = seed;
  while (keys.size() < n) {
    const std::uint64_t key = harness::splitmix64(state);
    if (key != 0 && seen.insert(key).second) keys.push_back(key);
  }
  return keys;
}

// Keys that are not in `keys`: lookups of them must miss.
std::vector<std::uint64_t> make_absent(const std::vector<std::uint64_t>& keys, std::uint64_t seed) {
  const std::unordered_set<std::uint64_t> present(keys.begin(), keys.end());
  std::vector<std::uint64_t> absent{0};
  std::uint64_t state = seed ^ 0xab5e47ULL;
  while (absent.size() < 64) {
    const std::uint64_t key = harness::splitmix64(state);
    if (!present.contains(key)) absent.push_back(key);
  }
  return absent;
}

// Runs body(thread, begin, end) on `threads` threads at once, thread t on
// keys [begin, end) of its slice; returns the wall time in ms from the
// moment all threads are released until the last one is done.
double run_threads(unsigned threads, std::size_t n,
                   const std::function<void(unsigned, std::size_t, std::size_t)>& body) {
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(threads);
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      try {
        body(t, n * t / threads, n * (t + 1) / threads);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (std::thread& th : pool) th.join();
  const auto end = std::chrono::steady_clock::now();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return std::chrono::duration<double, std::milli>(end - start).count();
}

// The two systems behind one interface for the harness.
struct System {
  virtual ~System() = default;
  virtual bool put(std::uint64_t key, std::uint64_t value) = 0;
  virtual std::optional<std::uint64_t> get(std::uint64_t key) = 0;
  virtual std::uint64_t count() = 0;
};

class PschemaSystem final : public System {
 public:
  explicit PschemaSystem(unsigned max_threads)
      : file_("mt-pschema"), pool_(mtkv::MtKv::create(file_.path(), pool_size, options(max_threads))) {
    harness::require_backend(pool_.pool().info().backend, file_.path());
  }
  bool put(std::uint64_t key, std::uint64_t value) override { return pool_.put(key, value); }
  std::optional<std::uint64_t> get(std::uint64_t key) override { return pool_.get(key); }
  std::uint64_t count() override { return pool_.count(); }

 private:
  // Default options, as a user would open it, unless there are more
  // threads than the default number of journal lanes (8).
  static pschema::PoolOptions options(unsigned max_threads) {
    pschema::PoolOptions o;
    if (max_threads > 8) o.lanes = max_threads;
    return o;
  }
  harness::ScratchFile file_;
  mtkv::MtKv pool_;
};

class PmdkSystem final : public System {
 public:
  PmdkSystem() : file_("mt-pmdk"), kv_(mt_kv_pmdk_create(file_.path().c_str(), pool_size)) {
    if (kv_ == nullptr) throw std::runtime_error("cannot create the PMDK pool " + file_.path());
  }
  ~PmdkSystem() override { mt_kv_pmdk_close(kv_); }
  PmdkSystem(const PmdkSystem&) = delete;
  PmdkSystem& operator=(const PmdkSystem&) = delete;
  bool put(std::uint64_t key, std::uint64_t value) override {
    const int r = mt_kv_pmdk_put(kv_, key, value);
    if (r < 0) throw std::runtime_error("PMDK put transaction aborted");
    return r == 1;
  }
  std::optional<std::uint64_t> get(std::uint64_t key) override {
    std::uint64_t value = 0;
    if (mt_kv_pmdk_get(kv_, key, &value) == 1) return value;
    return std::nullopt;
  }
  std::uint64_t count() override { return mt_kv_pmdk_count(kv_); }

 private:
  harness::ScratchFile file_;
  mt_kv_pmdk* kv_;
};

// Untimed: the count, every key with its value, absent keys missing.
void verify(System& system, std::string_view name, std::string_view phase, const std::vector<std::uint64_t>& keys,
            const std::vector<std::uint64_t>& absent) {
  const std::string where = std::string(name) + " after " + std::string(phase) + ": ";
  if (system.count() != keys.size()) {
    fail(where + "count " + std::to_string(system.count()) + ", expected " + std::to_string(keys.size()));
  }
  for (std::uint64_t key : keys) {
    const std::optional<std::uint64_t> v = system.get(key);
    if (!v || *v != value_of(key)) fail(where + "key " + std::to_string(key) + " missing or wrong");
  }
  for (std::uint64_t key : absent) {
    if (system.get(key)) fail(where + "absent key " + std::to_string(key) + " found");
  }
}

struct Run {
  double put_ms, get_ms;
};

Run run_once(System& system, std::string_view name, unsigned threads, const std::vector<std::uint64_t>& keys,
             const std::vector<std::uint64_t>& absent) {
  std::atomic<std::uint64_t> failures{0};
  Run r{};
  r.put_ms = run_threads(threads, keys.size(), [&](unsigned, std::size_t begin, std::size_t end) {
    std::uint64_t bad = 0;
    for (std::size_t i = begin; i < end; ++i) {
      if (!system.put(keys[i], value_of(keys[i]))) ++bad;
    }
    failures.fetch_add(bad);
  });
  if (failures.load() != 0) fail(std::string(name) + ": " + std::to_string(failures.load()) + " puts did not insert");
  verify(system, name, "PUT", keys, absent);
  r.get_ms = run_threads(threads, keys.size(), [&](unsigned, std::size_t begin, std::size_t end) {
    std::uint64_t bad = 0;
    for (unsigned pass = 0; pass < get_passes; ++pass) {
      for (std::size_t i = begin; i < end; ++i) {
        const std::optional<std::uint64_t> v = system.get(keys[i]);
        if (!v || *v != value_of(keys[i])) ++bad;
      }
    }
    failures.fetch_add(bad);
  });
  if (failures.load() != 0) fail(std::string(name) + ": " + std::to_string(failures.load()) + " gets missed");
  verify(system, name, "GET", keys, absent);
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const MtOptions o = parse(argc, argv);
    const std::string note = harness::configure_storage(o.storage);
    if (!note.empty()) std::cerr << "note: " << note << "\n";
    const unsigned max_threads = *std::max_element(o.threads.begin(), o.threads.end());

    const std::vector<std::uint64_t> keys = make_keys(o.n, o.seed);
    const std::vector<std::uint64_t> absent = make_absent(keys, o.seed);

    std::printf("pschema_mt_bench: n = %zu keys, 65536 buckets, repeat %u, storage %s (%s), %u hardware threads\n", o.n,
                o.repeat, std::string(harness::name_of(o.storage.mode)).c_str(), o.storage.dir.c_str(),
                std::thread::hardware_concurrency());

    // (threads, op, system) -> median ms
    std::map<std::tuple<unsigned, std::string, std::string>, double> ms;
    const char* ops[] = {"PUT", "GET"};
    const char* systems[] = {"pschema", "pmdk"};
    for (unsigned threads : o.threads) {
      std::map<std::pair<std::string, std::string>, std::vector<double>> runs;
      for (unsigned rep = 0; rep < o.repeat; ++rep) {
        for (const char* name : systems) {
          Run r{};
          if (std::string_view(name) == "pschema") {
            PschemaSystem system(max_threads);
            r = run_once(system, name, threads, keys, absent);
          } else {
            PmdkSystem system;
            r = run_once(system, name, threads, keys, absent);
          }
          runs[{"PUT", name}].push_back(r.put_ms);
          runs[{"GET", name}].push_back(r.get_ms);
          if (o.verbose) {
            std::fprintf(stderr, "threads %u rep %u %-8s PUT %9.2f ms  GET %9.2f ms\n", threads, rep, name, r.put_ms,
                         r.get_ms);
          }
        }
      }
      for (const auto& [key, v] : runs) ms[{threads, key.first, key.second}] = median(v);
    }

    auto mops = [&](unsigned threads, const std::string& op, const std::string& system) {
      return static_cast<double>(ops_of(op, o.n)) / ms.at({threads, op, system}) / 1000.0;
    };
    const bool have_one = std::find(o.threads.begin(), o.threads.end(), 1U) != o.threads.end();

    std::printf("\n%7s  %-3s  %8s  %14s  %14s  %13s  %15s  %12s\n", "threads", "op", "n", "pschema Mops/s",
                "PMDK Mops/s", "pschema/PMDK", "pschema scaling", "PMDK scaling");
    for (unsigned threads : o.threads) {
      for (const char* op : ops) {
        const double p = mops(threads, op, "pschema"), d = mops(threads, op, "pmdk");
        char ps[32] = "-", ds[32] = "-";
        if (have_one) {
          std::snprintf(ps, sizeof ps, "%.2fx", p / mops(1, op, "pschema"));
          std::snprintf(ds, sizeof ds, "%.2fx", d / mops(1, op, "pmdk"));
        }
        std::printf("%7u  %-3s  %8zu  %14.3f  %14.3f  %12.2fx  %15s  %12s\n", threads, op, ops_of(op, o.n), p, d, p / d,
                    ps, ds);
      }
    }

    std::filesystem::create_directories(o.out_dir);
    const std::string csv =
        o.out_dir + (o.storage.mode == harness::StorageMode::pmem ? "/mt_results.csv" : "/mt_results-msync.csv");
    std::ofstream out(csv);
    out << "threads,op,system,n,ms,mops\n";
    for (unsigned threads : o.threads) {
      for (const char* op : ops) {
        for (const char* system : systems) {
          out << threads << ',' << op << ',' << system << ',' << ops_of(op, o.n) << ',' << ms.at({threads, op, system})
              << ',' << mops(threads, op, system) << '\n';
        }
      }
    }
    if (!out) throw std::runtime_error("cannot write " + csv);
    std::printf("\nwrote %s\n", csv.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pschema_mt_bench: " << e.what() << "\n";
    return 1;
  }
}
