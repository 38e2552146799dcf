// Runs a workload under the power-failure simulator and checks every crash
// image, on either medium: the undo engine's (simulator.hpp: at each fence,
// every one or a seeded sample) or the file engine's (file_medium.hpp: at
// each sync and a sample of writes). Each image is written to a scratch
// file, opened (recovery runs) and compared with the states a pre-run
// recorded (oracle.hpp): the data must be what it was before the
// transaction in flight or after it (with deferred durability: a prefix of
// the committed transactions, at least those acknowledged durable), with
// exactly the allocations of that state (no leak), and a second open must
// find nothing to recover. Recovery itself is crashed at its own fences or
// syncs for a sample of images (depth 1) and must still end in one of the
// allowed states.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "pschema/file_io.hpp"
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
  // The file medium: crash points at syncs and at writes, sampled apart
  // (a checkpoint writes range by range: writes far outnumber syncs).
  std::size_t max_sync_points = 32;
  std::size_t max_write_points = 8;
  std::size_t file_max_singles = 2;  // single-sector images of each kind per point
};

struct Result {
  std::size_t points = 0;
  std::size_t images = 0;
  std::size_t violations = 0;
  std::string first_violation;
  std::size_t checkpoints = 0;  // the file medium: checkpoints during the checked run
};

// A site named by PSCHEMA_SIM_DROP_SITE: a flush and fence site of the undo
// engine or a sync site of the file engine.
struct DroppedSite {
  std::optional<pschema::Site> undo;
  std::optional<pschema::SyncSite> file;
};

// How the file medium runs a workload.
struct FileRun {
  pschema::Durability durability = pschema::Durability::immediate;
  // Transactions per open (close makes the deferred ones durable); 0: all in one.
  std::size_t per_open = 0;
};

// Budget from the environment: PSCHEMA_SIM_SEED, PSCHEMA_SIM_POINTS,
// PSCHEMA_SIM_EXHAUSTIVE=1 (every point, more images per point),
// PSCHEMA_SIM_DROP_SITE (a site name: its flushes and fences, or its
// syncs, are dropped).
Budget budget_from_environment();
DroppedSite dropped_site_from_environment();

// Runs the workload on the undo engine's medium and prints `crash-sim:
// workload=NAME medium=undo points=P images=I violations=V` (and the first
// violation, with how to replay it).
Result run_crash_simulation(const Workload& workload, const std::string& scratch_dir, const Budget& budget,
                            std::optional<pschema::Site> drop_site);
// The same on the file engine's medium (medium=file, or file-deferred).
Result run_file_crash_simulation(const Workload& workload, const std::string& scratch_dir, const Budget& budget,
                                 const FileRun& run, std::optional<pschema::SyncSite> drop_site);

}  // namespace crash_sim
