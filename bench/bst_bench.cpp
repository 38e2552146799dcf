#include "bst_bench.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "bst_systems.hpp"
#include "bst_verify.hpp"
#include "pschema/counters.hpp"
#include "stats.hpp"

namespace harness {
namespace {

struct Phase {
  double ms = 0;
  std::optional<pschema::Counters> counters;  // what the phase did (pschema only)
};

// INS: every key in workload order, one durable transaction each.
template <class System>
Phase insert_all(System& system, const Workload& workload) {
  const auto before = system.counters();
  const Stopwatch watch;
  for (std::size_t i = 0; i < workload.size(); ++i) system.insert(workload.keys[i], workload.values[i]);
  Phase phase{watch.elapsed_ms(), std::nullopt};
  phase.counters = difference(system.counters(), before);
  verify_contents(system, workload, "INS");
  return phase;
}

// CHK: look every key up, in the same order, and use what comes back.
template <class System>
Phase check_all(const System& system, const Workload& workload) {
  const auto before = system.counters();
  const Stopwatch watch;
  std::size_t found = 0;
  std::size_t bytes = 0;
  for (const std::int64_t key : workload.keys) {
    if (const std::optional<std::string> value = system.lookup(key)) {
      ++found;
      bytes += value->size();
    }
  }
  Phase phase{watch.elapsed_ms(), std::nullopt};
  phase.counters = difference(system.counters(), before);
  if (found != workload.size() || bytes != workload.value_bytes) {
    throw VerificationError("verification failed during CHK of " + workload.name + " on " + std::string(System::name) +
                            ": found " + std::to_string(found) + " of " + std::to_string(workload.size()) + " keys, " +
                            std::to_string(bytes) + " of " + std::to_string(workload.value_bytes) + " value bytes");
  }
  verify_contents(system, workload, "CHK");
  return phase;
}

// Everything measured for one op of one system.
struct Series {
  std::vector<double> samples;
  std::optional<pschema::Counters> counters;  // of the last run
};

template <class System>
void run_system(const Workload& workload, Series& ins, Series& chk, unsigned round, const Options& options,
                std::ostream& log) {
  System system;  // a fresh, empty tree on a fresh pool
  const Phase i = insert_all(system, workload);
  const Phase c = check_all(system, workload);
  ins.samples.push_back(i.ms);
  ins.counters = i.counters;
  chk.samples.push_back(c.ms);
  chk.counters = c.counters;
  if (options.verbose) {
    log << "  " << workload.name << " run " << round + 1 << "/" << options.repeat << " " << System::name << ": INS "
        << i.ms << " ms, CHK " << c.ms << " ms\n";
  }
}

Result summarise(const Workload& workload, std::string op, std::string_view system, const Series& series) {
  return harness::summarise(workload.name, std::move(op), system, workload.size(), series.samples, series.counters);
}

}  // namespace

std::vector<Result> run_bst(const Workload& workload, const Options& options, std::ostream& log) {
  // [system][op]: systems in the order pschema, pmdk, volatile; ops INS, CHK.
  std::array<std::array<Series, 2>, 3> series;
  for (unsigned round = 0; round < options.repeat; ++round) {
    run_system<PschemaBst>(workload, series[0][0], series[0][1], round, options, log);
    run_system<PmdkBst>(workload, series[1][0], series[1][1], round, options, log);
    run_system<VolatileBstSystem>(workload, series[2][0], series[2][1], round, options, log);
  }
  const std::array<std::string_view, 3> systems = {PschemaBst::name, PmdkBst::name, VolatileBstSystem::name};
  std::vector<Result> results;
  for (const char* op : {"INS", "CHK"}) {
    const std::size_t o = std::string_view(op) == "INS" ? 0 : 1;
    for (std::size_t s = 0; s < systems.size(); ++s) {
      results.push_back(summarise(workload, op, systems[s], series[s][o]));
    }
  }
  return results;
}

}  // namespace harness
