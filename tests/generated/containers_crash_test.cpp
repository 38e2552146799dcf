// Crash test of the containers: a child runs the random container workload
// (maps with string keys, vecs of structs and of boxes, moves between
// them) until it is killed with SIGKILL. Transaction k of the workload is
// drawn from a generator seeded with (seed, k), so the parent replays the
// same transactions on a volatile model and, after every reopen, checks
// that the pool holds exactly the first C transactions, where C is the
// count the pool itself records and is the last one the child reported
// committed, or one more.
#include <signal.h>

#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "container_workload.hpp"
#include "crash_support.hpp"
#include "test_support.hpp"

using namespace container_workload;

namespace {

// Transaction k: its first attempt may abort (rolled back, no effect), the
// second always commits.
std::mt19937_64 generator_for(std::uint64_t seed, std::uint64_t k, int attempt) {
  return std::mt19937_64(crash_support::mix(seed ^ (k * 2 + static_cast<std::uint64_t>(attempt))));
}

// Runs transaction k on `bags` (and `model`); returns whether it committed.
bool run_transaction(Bags& bags, Model& model, std::uint64_t seed, std::uint64_t k, int attempt) {
  std::mt19937_64 random = generator_for(seed, k, attempt);
  const bool abort = attempt == 0 && random() % 4 == 0;
  Model next = model;
  try {
    bags.transaction([&](Bags::Tx& tx) {
      const int operations = 1 + static_cast<int>(random() % 8);
      for (int i = 0; i < operations; ++i) random_operation(tx, next, random);
      tx.root().set_committed(k + 1);
      if (abort) throw std::runtime_error("abort on purpose");
    });
  } catch (const std::runtime_error&) {
    return false;
  }
  model = next;
  return true;
}

[[noreturn]] void run_child(const std::string& path, std::uint64_t seed, int report_fd) {
  try {
    Bags bags = Bags::open(path);
    // The operations depend on the model (which index to erase...): resume
    // from what the pool holds, as the parent's replay does.
    Model model = model_of(bags);
    for (std::uint64_t k = bags.read([](const Bags::Snapshot& s) { return s.root().committed(); });; ++k) {
      if (!run_transaction(bags, model, seed, k, 0)) run_transaction(bags, model, seed, k, 1);
      if (!crash_support::write_all(report_fd, &k, sizeof k)) ::_exit(4);
    }
  } catch (...) {
    ::_exit(3);
  }
}

}  // namespace

TEST_CASE("killing a process in the middle of container operations keeps every structure whole and every commit") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("bags.pool");
  { Bags bags = Bags::create(path, 32 << 20); }
  // The parent's replay runs on its own pool, so the model is exactly what
  // the same transactions produce.
  Bags replay = Bags::create(dir.file("replay.pool"), 32 << 20);
  Model model;
  std::uint64_t replayed = 0;
  const std::uint64_t seed = crash_support::seed_from_env();
  const auto cycles = crash_support::env_number("PSCHEMA_CRASH_CYCLES", 150);
  CAPTURE(seed);
  std::mt19937_64 timing(seed);
  std::uint64_t reports = 0;
  for (std::uint64_t cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    // Three kills in four land after the child's first commit, whatever
    // the machine's load; the others anywhere, also during the open.
    const auto clock =
        timing() % 4 == 0 ? crash_support::KillClock::at_fork : crash_support::KillClock::at_first_report;
    const std::string reported = crash_support::run_and_kill([&](int report_fd) { run_child(path, seed, report_fd); },
                                                             std::chrono::microseconds(300 + timing() % 5000), clock);
    std::uint64_t last_reported = 0;  // transactions known committed
    if (std::uint64_t last_k = 0; crash_support::last_record(reported, last_k)) {
      last_reported = last_k + 1;
      ++reports;
    }

    Bags bags = Bags::open(path);
    const std::uint64_t committed = bags.read([](const Bags::Snapshot& s) { return s.root().committed(); });
    CHECK(committed >= last_reported);
    CHECK(committed <= std::max(last_reported, replayed) + 1);
    while (replayed < committed) {
      if (!run_transaction(replay, model, seed, replayed, 0)) run_transaction(replay, model, seed, replayed, 1);
      ++replayed;
    }
    REQUIRE(replayed == committed);
    check_equal(bags, model);
  }
  CHECK(reports > cycles / 4);
}
