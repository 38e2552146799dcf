// The timed phases of the u64-map workloads and the interleaved runs.
// A system has:
//
//   bool insert(key, value)          one durable transaction; false if the key was there
//   std::optional<u64> get(key)      the value, if present
//   bool remove(key)                 one durable transaction; whether it was there
//   u64 count()                      the number of keys
//   for_each(visit(key, value))      every entry, for verification
//   counters()                       the pschema runtime's counters; nullopt for the others
//
// and starts empty on a fresh pool. Phases, in this order on one instance:
// insert every key (ops.insert), look every key up (ops.lookup), and if
// the workload has a mix: run it (RAND), then remove every key left (REM).
// Each is verified afterwards, untimed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "map_verify.hpp"
#include "map_workload.hpp"
#include "options.hpp"
#include "pschema/counters.hpp"
#include "report.hpp"
#include "stats.hpp"

namespace harness::maps {

struct OpNames {
  const char* insert;  // "PUT", "INS"
  const char* lookup;  // "GET", "CHK"
};

struct Series {
  std::vector<double> samples;
  std::optional<pschema::Counters> counters;  // of the last run
  std::size_t n = 0;
};

// Times `body` on `system` and records it in `series`.
template <class System, class Body>
double timed(System& system, Series& series, std::size_t n, Body body) {
  const auto before = system.counters();
  const Stopwatch watch;
  body();
  const double ms = watch.elapsed_ms();
  series.samples.push_back(ms);
  series.counters = difference(system.counters(), before);
  series.n = n;
  return ms;
}

// Everything one system does in one repetition. series: insert, lookup, RAND, REM.
template <class System>
void run_once(const MapWorkload& w, std::array<Series, 4>& series, unsigned round, const Options& options,
              std::ostream& log, const OpNames& names) {
  System system;
  auto fail = [&](const std::string& what) {
    throw VerificationError("verification failed during " + what + " of " + w.name + " on " +
                            std::string(System::name));
  };
  std::vector<std::uint64_t> sorted = w.keys;
  std::sort(sorted.begin(), sorted.end());

  const double ins = timed(system, series[0], w.size(), [&] {
    for (const std::uint64_t key : w.keys) {
      if (!system.insert(key, map_value_for(key))) fail(std::string(names.insert) + ": a new key was there");
    }
  });
  verify_map(system, sorted, w.absent, w, names.insert);

  std::size_t found = 0;
  std::uint64_t sum = 0;
  const double chk = timed(system, series[1], w.size(), [&] {
    for (const std::uint64_t key : w.keys) {
      if (const std::optional<std::uint64_t> value = system.get(key)) {
        ++found;
        sum += *value;
      }
    }
  });
  std::uint64_t want_sum = 0;
  for (const std::uint64_t key : w.keys) want_sum += map_value_for(key);
  if (found != w.size() || sum != want_sum) {
    fail(std::string(names.lookup) + ": found " + std::to_string(found) + " of " + std::to_string(w.size()) +
         " keys (or wrong values)");
  }
  verify_map(system, sorted, w.absent, w, names.lookup);

  double rand_ms = 0;
  double rem_ms = 0;
  if constexpr (requires(System& m, std::uint64_t key) { m.remove(key); }) {
    if (!w.mix.empty()) {
      std::size_t hits = 0;
      rand_ms = timed(system, series[2], w.mix.size(), [&] {
        for (const MapOp& op : w.mix) {
          switch (op.kind) {
            case MapOp::Kind::insert:
              if (!system.insert(op.key, map_value_for(op.key))) fail("RAND: an absent key was there");
              break;
            case MapOp::Kind::lookup:
              if (system.get(op.key)) ++hits;
              break;
            case MapOp::Kind::remove:
              if (system.remove(op.key)) ++hits;
              break;
          }
        }
      });
      if (hits != w.mix_hits) {
        fail("RAND: " + std::to_string(hits) + " lookups and removes hit, expected " + std::to_string(w.mix_hits));
      }
      verify_map(system, w.after_mix, w.absent, w, "RAND");

      rem_ms = timed(system, series[3], w.remove_order.size(), [&] {
        for (const std::uint64_t key : w.remove_order) {
          if (!system.remove(key)) fail("REM: a present key was not there");
        }
      });
      std::vector<std::uint64_t> gone = w.remove_order;
      gone.insert(gone.end(), w.absent.begin(), w.absent.end());
      verify_map(system, {}, gone, w, "REM");
    }
  }
  if (options.verbose) {
    log << "  " << w.name << " run " << round + 1 << "/" << options.repeat << " " << System::name << ": "
        << names.insert << " " << ins << " ms, " << names.lookup << " " << chk << " ms";
    if (!w.mix.empty()) log << ", RAND " << rand_ms << " ms, REM " << rem_ms << " ms";
    log << "\n";
  }
}

inline Result summarise(const MapWorkload& w, std::string op, std::string_view system, const Series& series) {
  return harness::summarise(w.name, std::move(op), system, series.n, series.samples, series.counters);
}

// Runs `w` options.repeat times on every system, interleaved (each
// repetition runs each system in turn, each on a fresh pool), and returns
// one Result per op and system with the median time.
template <class... Systems>
std::vector<Result> run(const MapWorkload& w, const Options& options, std::ostream& log, const OpNames& names) {
  constexpr std::size_t count = sizeof...(Systems);
  std::array<std::array<Series, 4>, count> series;
  for (unsigned round = 0; round < options.repeat; ++round) {
    std::size_t s = 0;
    ((run_once<Systems>(w, series[s++], round, options, log, names)), ...);
  }
  const std::array<std::string_view, count> systems = {Systems::name...};
  const std::array<const char*, 4> ops = {names.insert, names.lookup, "RAND", "REM"};
  std::vector<Result> results;
  for (std::size_t o = 0; o < (w.mix.empty() ? 2 : 4); ++o) {
    for (std::size_t s = 0; s < count; ++s) results.push_back(summarise(w, ops[o], systems[s], series[s][o]));
  }
  return results;
}

}  // namespace harness::maps
