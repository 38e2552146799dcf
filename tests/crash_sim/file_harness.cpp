// The harness on the file engine's medium (file_medium.hpp): the pool and
// its log on a simulated disk, crashed at every sync (a seeded sample in
// the everyday budget) and at a sample of writes, during pool creation,
// commits, checkpoints (a 12 KiB log threshold makes them frequent) and
// closes, and recovery crashed at its own syncs.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "file_medium.hpp"
#include "harness.hpp"
#include "io_support.hpp"
#include "oracle.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/header_check.hpp"
#include "pschema/format/layout.hpp"

namespace crash_sim {

namespace {

// Low enough that every workload checkpoints several times: the log holds
// a few small transactions, or the private memory a few pages.
constexpr std::size_t checkpoint_log_bytes = 2 * 1024;
constexpr std::size_t checkpoint_private_bytes = 64 * 1024;

pschema::PoolOptions file_options(const FileRun& run, std::shared_ptr<pschema::FileIo> io) {
  pschema::PoolOptions options;
  options.backend = pschema::Backend::file;
  options.durability = run.durability;
  options.checkpoint_log_bytes = checkpoint_log_bytes;
  options.checkpoint_private_bytes = checkpoint_private_bytes;
  options.file_io = std::move(io);
  return options;
}

void remove_pool(const std::string& path) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".wal");
}

// Whether the current pool state copy of the file says it was closed cleanly.
bool closed_cleanly(const std::string& path) {
  pschema::format::PoolState states[2]{};
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(pschema::format::state_offset));
  in.read(reinterpret_cast<char*>(states), sizeof states);
  const int current = pschema::format::check_state_copies(states).current;
  return in && current >= 0 && states[current].clean == 1;
}

// The crash points of a run: the syncs of each site, and the writes.
struct PointKinds {
  std::map<pschema::SyncSite, std::vector<std::uint64_t>> syncs;
  std::vector<std::uint64_t> writes;
};

// Up to `most` of `points`, seeded.
std::set<std::uint64_t> sample(std::vector<std::uint64_t> points, std::size_t most, std::mt19937_64& random) {
  std::shuffle(points.begin(), points.end(), random);
  points.resize(std::min(points.size(), most));
  return {points.begin(), points.end()};
}

// Up to `most` syncs, taken from every site in turn: a site that syncs
// rarely (a new log's directory, the close's pool state) is crashed at as
// surely as the commits' syncs.
std::set<std::uint64_t> sample_syncs(PointKinds kinds, std::size_t most, std::mt19937_64& random) {
  for (auto& [site, points] : kinds.syncs) std::shuffle(points.begin(), points.end(), random);
  std::set<std::uint64_t> out;
  for (std::size_t round = 0; out.size() < most; ++round) {
    bool any = false;
    for (const auto& [site, points] : kinds.syncs) {
      if (round < points.size() && out.size() < most) {
        out.insert(points[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

}  // namespace

Result run_file_crash_simulation(const Workload& workload, const std::string& scratch_dir, const Budget& budget,
                                 const FileRun& run, std::optional<pschema::SyncSite> drop_site) {
  Result result;
  const std::string medium = run.durability == pschema::Durability::deferred ? "file-deferred" : "file";
  const std::string base = scratch_dir + "/" + workload.name + "." + medium;
  const std::string path = base + ".pool";
  const std::string image_path = base + ".image";
  const std::size_t per_open = run.per_open == 0 ? workload.transactions : run.per_open;
  const std::string replay_hint =
      "\n  replay: PSCHEMA_SIM_SEED=" + std::to_string(budget.seed) +
      " PSCHEMA_SIM_FILE_POINTS=" + std::to_string(budget.max_sync_points) +
      (drop_site ? " PSCHEMA_SIM_DROP_SITE=" + std::string(pschema::sync_site_name(*drop_site)) : "");

  // 1. A pre-run on real files records the state after each transaction.
  Oracle oracle(workload, result);
  oracle.record_states(path, file_options(run, nullptr));
  remove_pool(path);
  workload.create(base + ".initial", file_options(run, nullptr));
  const std::vector<char> initial = io_support::read_file(base + ".initial");
  // An image replaces every file of the last one (a log it lacks must go).
  auto write_image = [&](const FileMedium& disk, const DiskChoice& choice) {
    remove_pool(image_path);
    disk.write_image(choice, image_path);
  };
  auto restore_initial = [&] {
    remove_pool(path);
    io_support::write_file(path, initial);
  };

  // 2. Crashes while the pool is being created: at each sync an image is
  //    no pool file, a file that is not a pool yet (not_a_pool: the magic is
  //    written last) or the whole initial state.
  {
    const std::string create_path = base + ".creating";
    remove_pool(create_path);
    auto creating = std::make_shared<FileMedium>(create_path, drop_site);
    creating->on_crash_point([&](std::uint64_t point, std::optional<pschema::SyncSite> sync) {
      if (!sync) return;
      ++result.points;
      for (const DiskChoice& choice :
           creating->choices(budget.random_subsets, budget.file_max_singles, budget.seed ^ point)) {
        ++result.images;
        write_image(*creating, choice);
        auto where = [&] {
          return "workload " + workload.name + " (" + medium + "), sync " +
                 std::string(pschema::sync_site_name(*sync)) + " at point " + std::to_string(point) +
                 " of create, image: " + choice.describe() + replay_hint;
        };
        if (!std::filesystem::exists(image_path)) continue;  // the new name did not survive
        bool ignored = false;
        try {
          if (workload.digest(image_path, ignored) != oracle.state(0)) {
            oracle.violation(where, "a half-created pool opened with other data than the initial state");
          }
        } catch (const pschema::not_a_pool&) {
          // Not a pool yet: what an interrupted create must leave.
        } catch (const std::exception& e) {
          oracle.violation(where,
                           std::string("a half-created pool fails with another error than not_a_pool: ") + e.what());
        }
      }
    });
    workload.create(create_path, file_options(run, creating));
    // Once create has returned, the new pool must survive a power cut.
    ++result.images;
    write_image(*creating, {DiskChoice::Kind::none});
    oracle.check(image_path, 0, 0, [&] {
      return "workload " + workload.name + " (" + medium + "): a pool whose create returned, then a power cut" +
             replay_hint;
    });
  }

  // 3. Count the crash points of the real run, to sample them.
  auto run_all = [&](const std::shared_ptr<FileMedium>& io, const std::function<void(std::size_t)>& starting,
                     const std::function<void(std::size_t)>& closed) {
    for (std::size_t first = 0; first < workload.transactions; first += per_open) {
      const std::size_t last = std::min(workload.transactions, first + per_open);
      workload.run(path, file_options(run, io), first, last, starting);
      closed(last);
    }
  };
  restore_initial();
  PointKinds kinds;
  {
    auto counter = std::make_shared<FileMedium>(path, drop_site);
    counter->on_crash_point([&](std::uint64_t point, std::optional<pschema::SyncSite> sync) {
      (sync ? kinds.syncs[*sync] : kinds.writes).push_back(point);
    });
    run_all(counter, [](std::size_t) {}, [](std::size_t) {});
  }
  std::mt19937_64 random(budget.seed);
  std::set<std::uint64_t> sampled = sample_syncs(kinds, budget.max_sync_points, random);
  for (std::uint64_t point : sample(kinds.writes, budget.max_write_points, random)) sampled.insert(point);

  // 4. The run on the simulated disk, checking images at each sampled point.
  restore_initial();
  auto disk = std::make_shared<FileMedium>(path, drop_site);
  std::size_t in_flight = 0;     // transactions completed before the current one
  std::size_t acknowledged = 0;  // transactions acknowledged durable
  std::size_t image_counter = 0;
  auto lowest = [&] { return run.durability == pschema::Durability::immediate ? in_flight : acknowledged; };

  disk->on_crash_point([&](std::uint64_t point, std::optional<pschema::SyncSite> sync) {
    if (sampled.count(point) == 0) return;
    ++result.points;
    const std::string at = sync ? "sync " + std::string(pschema::sync_site_name(*sync)) : std::string("write");
    for (const DiskChoice& choice :
         disk->choices(budget.random_subsets, budget.file_max_singles, budget.seed ^ point)) {
      auto where = [&] {
        return "workload " + workload.name + " (" + medium + "), " + at + " at point " + std::to_string(point) +
               " (transaction " + std::to_string(in_flight) + ", " + std::to_string(lowest()) +
               " acknowledged durable), image: " + choice.describe() + replay_hint;
      };
      ++result.images;
      write_image(*disk, choice);
      oracle.check(image_path, lowest(), in_flight + 1, where);
      if (budget.recovery_crash_every == 0 || ++image_counter % budget.recovery_crash_every != 0) continue;
      // Crash recovery itself at each of its syncs, then recover again.
      for (std::uint64_t stop = 1;; ++stop) {
        write_image(*disk, choice);
        auto recovering = std::make_shared<FileMedium>(image_path, drop_site);
        recovering->stop_at_sync(stop);
        bool stopped = false;
        try {
          workload.run(image_path, file_options(run, recovering), 0, 0, [](std::size_t) {});
        } catch (const FileMedium::StopHere&) {
          stopped = true;
        } catch (const std::exception& e) {
          oracle.violation(where, "recovering the image on the simulated disk: " + std::string(e.what()));
          break;
        }
        if (!stopped) break;  // recovery finished before sync `stop`
        for (const DiskChoice& cut : {DiskChoice{DiskChoice::Kind::none},
                                      DiskChoice{DiskChoice::Kind::random_subset, 0, budget.seed ^ point ^ stop}}) {
          ++result.images;
          write_image(*recovering, cut);
          oracle.check(image_path, lowest(), in_flight + 1, [&] {
            return where() + "; then recovery crashed at its sync " + std::to_string(stop) + ", " + cut.describe();
          });
        }
      }
    }
  });
  run_all(
      disk, [&](std::size_t k) { in_flight = k; },
      [&](std::size_t last) {
        // A returned close made everything durable and marked the pool clean.
        acknowledged = last;
        ++result.images;
        write_image(*disk, {DiskChoice::Kind::none});
        auto where = [&] {
          return "workload " + workload.name + " (" + medium + "), a power cut after the close following transaction " +
                 std::to_string(last) + replay_hint;
        };
        if (!closed_cleanly(image_path)) oracle.violation(where, "the pool state does not say it was closed cleanly");
        oracle.check(image_path, last, last, where);
      });
  result.checkpoints = disk->syncs_at(pschema::SyncSite::checkpoint_pool);
  oracle.print(medium, " checkpoints=" + std::to_string(result.checkpoints));
  return result;
}

}  // namespace crash_sim
