#include "harness.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "oracle.hpp"
#include "pschema/errors.hpp"
#include "simulator.hpp"

namespace crash_sim {

namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 0);
}

void write_file(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::vector<std::byte> bytes(static_cast<std::size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

pschema::PoolOptions msync_options() {
  pschema::PoolOptions options;
  options.backend = pschema::Backend::msync;
  return options;
}

}  // namespace

Budget budget_from_environment() {
  Budget budget;
  budget.seed = env_number("PSCHEMA_SIM_SEED", 1);
  budget.max_points = env_number("PSCHEMA_SIM_POINTS", budget.max_points);
  budget.max_sync_points = env_number("PSCHEMA_SIM_FILE_POINTS", budget.max_sync_points);
  if (env_number("PSCHEMA_SIM_EXHAUSTIVE", 0) != 0) {
    budget.max_points = SIZE_MAX;
    budget.random_subsets = 6;
    budget.max_singles = 16;
    budget.recovery_crash_every = 1;
    budget.max_sync_points = SIZE_MAX;
    budget.max_write_points = SIZE_MAX;
    budget.file_max_singles = 16;
  }
  return budget;
}

DroppedSite dropped_site_from_environment() {
  DroppedSite dropped;
  const char* text = std::getenv("PSCHEMA_SIM_DROP_SITE");
  if (text == nullptr || *text == '\0') return dropped;
  for (int i = 0; i < static_cast<int>(pschema::Site::count_); ++i) {
    auto site = static_cast<pschema::Site>(i);
    if (pschema::site_name(site) == text) dropped.undo = site;
  }
  for (int i = 0; i < static_cast<int>(pschema::SyncSite::count_); ++i) {
    auto site = static_cast<pschema::SyncSite>(i);
    if (pschema::sync_site_name(site) == text) dropped.file = site;
  }
  if (dropped.undo || dropped.file) return dropped;
  std::fprintf(stderr, "crash-sim: unknown site '%s'\n", text);
  std::exit(2);
}

Result run_crash_simulation(const Workload& workload, const std::string& scratch_dir, const Budget& budget,
                            std::optional<pschema::Site> drop_site) {
  Result result;
  const std::string path = scratch_dir + "/" + workload.name + ".pool";
  const std::string image_path = scratch_dir + "/" + workload.name + ".image";

  // 1. A pre-run without the simulator records the state after each
  //    transaction.
  Oracle oracle(workload, result);
  oracle.record_states(path, msync_options());
  const std::vector<std::byte> initial = [&] {
    workload.create(path + ".initial", msync_options());
    return read_file(path + ".initial");
  }();

  // 2. Crashes while the pool is being created: each image is either not a
  //    pool yet (refused with not_a_pool: no magic) or the whole initial
  //    state, never something in between.
  {
    const std::string create_path = scratch_dir + "/" + workload.name + ".creating";
    std::remove(create_path.c_str());
    auto creating = std::make_shared<Simulator>(drop_site, budget.seed);
    creating->on_crash_point([&](std::uint64_t fence, pschema::Site) {
      for (const ImageChoice& choice :
           creating->choices(budget.random_subsets, budget.max_singles, budget.seed ^ fence)) {
        ++result.images;
        write_file(image_path, creating->crash_image(choice));
        bool ignored = false;
        try {
          if (workload.digest(image_path, ignored) != oracle.state(0)) {
            ++result.violations;
            if (result.first_violation.empty()) {
              result.first_violation = "workload " + workload.name + ", fence " + std::to_string(fence) +
                                       " of create, image: " + choice.describe() +
                                       ": a half-created pool opened with other data than the initial state";
            }
          }
        } catch (const pschema::not_a_pool&) {
          // Not a pool yet: what an interrupted create must leave.
        } catch (const std::exception& e) {
          ++result.violations;
          if (result.first_violation.empty()) {
            result.first_violation = "workload " + workload.name + ", fence " + std::to_string(fence) +
                                     " of create, image: " + choice.describe() +
                                     ": a half-created pool fails with another error than not_a_pool: " + e.what();
          }
        }
      }
      ++result.points;
    });
    pschema::PoolOptions options;
    options.persistence = creating;
    workload.create(create_path, options);
    // Once create has returned, the new pool must survive a power cut.
    ++result.images;
    write_file(image_path, creating->crash_image({ImageChoice::Kind::none}));
    bool ignored = false;
    std::string after;
    try {
      after = workload.digest(image_path, ignored);
    } catch (const std::exception& e) {
      after = std::string("error: ") + e.what();
    }
    if (after != oracle.state(0)) {
      ++result.violations;
      if (result.first_violation.empty()) {
        result.first_violation = "workload " + workload.name +
                                 ": a pool whose create returned did not survive a "
                                 "power cut right after it (" +
                                 after + ")";
      }
    }
  }

  // 3. Count the crash points of the real run, to sample them evenly.
  write_file(path, initial);
  std::uint64_t total_fences = 0;
  {
    auto counter = std::make_shared<Simulator>(drop_site, budget.seed);
    pschema::PoolOptions options;
    options.persistence = counter;
    workload.run(path, options, 0, workload.transactions, [](std::size_t) {});
    total_fences = counter->fences();
  }
  std::set<std::uint64_t> sampled;
  if (total_fences <= budget.max_points) {
    for (std::uint64_t f = 1; f <= total_fences; ++f) sampled.insert(f);
  } else {
    std::mt19937_64 random(budget.seed);
    while (sampled.size() < budget.max_points) sampled.insert(1 + random() % total_fences);
  }

  // 4. The run under the simulator, checking images at each sampled fence.
  write_file(path, initial);
  auto sim = std::make_shared<Simulator>(drop_site, budget.seed);
  std::size_t in_flight = 0;  // transactions completed before the current one
  std::size_t image_counter = 0;

  auto where = [&](std::uint64_t fence, const ImageChoice& choice) {
    return [&, fence, choice] {
      return "workload " + workload.name + ", fence " + std::to_string(fence) + " (transaction " +
             std::to_string(in_flight) + "), image: " + choice.describe() +
             "\n  replay: PSCHEMA_SIM_SEED=" + std::to_string(budget.seed) +
             " PSCHEMA_SIM_POINTS=" + std::to_string(budget.max_points) +
             (drop_site ? " PSCHEMA_SIM_DROP_SITE=" + std::string(pschema::site_name(*drop_site)) : "");
    };
  };
  // Checks one image file: the state before the transaction in flight or after it.
  auto check_image = [&](std::uint64_t fence, const ImageChoice& choice, const std::string& file) {
    oracle.check(file, in_flight, in_flight + 1, where(fence, choice));
  };

  sim->on_crash_point([&](std::uint64_t fence, pschema::Site) {
    if (sampled.count(fence) == 0) return;
    ++result.points;
    for (const ImageChoice& choice : sim->choices(budget.random_subsets, budget.max_singles, budget.seed ^ fence)) {
      ++result.images;
      const std::vector<std::byte> image = sim->crash_image(choice);
      write_file(image_path, image);
      check_image(fence, choice, image_path);
      if (budget.recovery_crash_every != 0 && ++image_counter % budget.recovery_crash_every == 0) {
        // Crash recovery itself at each of its fences, then recover again.
        for (std::uint64_t stop = 1;; ++stop) {
          // Recovery is run through the workload (it knows the schema).
          write_file(image_path, image);
          try {
            auto crashing = std::make_shared<Simulator>();
            crashing->stop_at(stop);
            pschema::PoolOptions crash_options;
            crash_options.persistence = crashing;
            bool stopped = false;
            try {
              workload.run(image_path, crash_options, 0, 0, [](std::size_t) {});
            } catch (const Simulator::StopHere&) {
              stopped = true;
            }
            if (!stopped) break;  // recovery finished before fence `stop`
            ++result.images;
            write_file(image_path, crashing->crash_image({ImageChoice::Kind::none}));
            check_image(fence, choice, image_path);
          } catch (const std::exception& e) {
            oracle.violation(where(fence, choice),
                             std::string("crashing recovery at its fence ") + std::to_string(stop) + ": " + e.what());
            break;
          }
        }
      }
    }
  });
  pschema::PoolOptions options;
  options.persistence = sim;
  workload.run(path, options, 0, workload.transactions, [&](std::size_t k) { in_flight = k; });
  for (const std::string& report : sim->bypass_reports()) {
    ++result.violations;
    if (result.first_violation.empty()) result.first_violation = "store bypassing the persistence interface: " + report;
  }

  oracle.print("undo");
  return result;
}

}  // namespace crash_sim
