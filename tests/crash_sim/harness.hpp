// Runs a workload under the power-failure simulator and checks every crash
// image: at each fence (every one, or a seeded sample) the images of
// simulator.hpp are written to a scratch file, opened (recovery runs) and
// compared with the states a volatile pre-run recorded: the data must be
// what it was before the transaction in flight or after it, with exactly
// the allocations of that state (no leak), and a second open must find
// nothing to recover. Recovery itself is crashed at its own fences for a
// sample of images (depth 1) and must still end in one of the two states.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "pschema/pool.hpp"

namespace crash_sim {

struct Workload {
  std::string name;
  std::size_t transactions = 0;
  // Makes a new pool at `path` with its initial data, and closes it.
  std::function<void(const std::string& path, const pschema::PoolOptions&)> create;
  // Opens the pool and runs transactions [first, last); calls `starting(k)`
  // before transaction k.
  std::function<void(const std::string& path, const pschema::PoolOptions&, std::size_t first, std::size_t last,
                     const std::function<void(std::size_t)>& starting)>
      run;
  // Opens the pool (recovery runs), describes its data and allocations in a
  // canonical string, closes it. Throws if the pool is damaged.
  std::function<std::string(const std::string& path, bool& recovered)> digest;
};

struct Budget {
  std::uint64_t seed = 1;
  std::size_t max_points = 400;      // crash points sampled (all when the workload has fewer)
  std::size_t random_subsets = 2;    // per point
  std::size_t max_singles = 4;       // single-line and torn images per point
  std::size_t recovery_crash_every = 7;  // crash recovery itself for every n-th image
};

struct Result {
  std::size_t points = 0;
  std::size_t images = 0;
  std::size_t violations = 0;
  std::string first_violation;
};

// Budget from the environment: PSCHEMA_SIM_SEED, PSCHEMA_SIM_POINTS,
// PSCHEMA_SIM_EXHAUSTIVE=1 (every point, more images per point),
// PSCHEMA_SIM_DROP_SITE (a site name: its flushes and fences are dropped).
Budget budget_from_environment();
std::optional<pschema::Site> dropped_site_from_environment();

// Runs the workload and prints `crash-sim: workload=NAME points=P
// images=I violations=V` (and the first violation, with how to replay it).
Result run_crash_simulation(const Workload& workload, const std::string& scratch_dir, const Budget& budget,
                            std::optional<pschema::Site> drop_site);

}  // namespace crash_sim
