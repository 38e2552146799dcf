// Every workload under the power-failure simulator: no violation allowed.
// `ctest -L crash` runs these; `make crash-long` runs them exhaustively.
#include <doctest/doctest.h>

#include "harness.hpp"
#include "test_support.hpp"
#include "workloads.hpp"

namespace {

void check(const crash_sim::Workload& workload) {
  test_support::ScratchDir dir;
  const crash_sim::Budget budget = crash_sim::budget_from_environment();
  const crash_sim::Result result = crash_sim::run_crash_simulation(workload, dir.path().string(), budget,
                                                                   crash_sim::dropped_site_from_environment().undo);
  INFO(result.first_violation);
  CHECK(result.points > 0);
  CHECK(result.violations == 0);
}

// The file engine on the simulated disk; `run` says how (durability,
// transactions per open).
void check_file(const crash_sim::Workload& workload, const crash_sim::FileRun& run = {}) {
  test_support::ScratchDir dir;
  const crash_sim::Budget budget = crash_sim::budget_from_environment();
  const crash_sim::Result result = crash_sim::run_file_crash_simulation(
      workload, dir.path().string(), budget, run, crash_sim::dropped_site_from_environment().file);
  INFO(result.first_violation);
  CHECK(result.points > 0);
  CHECK(result.checkpoints > 0);  // crash points fell during checkpoints too
  CHECK(result.violations == 0);
}

constexpr crash_sim::FileRun deferred{pschema::Durability::deferred, 6};

}  // namespace

TEST_CASE("crash simulation: journal and allocator") { check(crash_sim::journal_and_allocator_workload(30)); }
TEST_CASE("crash simulation: containers") { check(crash_sim::containers_workload(14)); }
TEST_CASE("crash simulation: sorted list") { check(crash_sim::sorted_list_workload(16)); }
TEST_CASE("crash simulation: shared ownership") { check(crash_sim::everything_workload(20)); }
TEST_CASE("crash simulation: arrays, optionals, bytes, boxes") { check(crash_sim::store_workload(18)); }
TEST_CASE("crash simulation: benchmark BST") { check(crash_sim::bst_workload(24)); }
TEST_CASE("crash simulation: benchmark key-value store") { check(crash_sim::kvstore_workload(30)); }
TEST_CASE("crash simulation: benchmark B-tree") { check(crash_sim::btree_workload(40)); }

TEST_CASE("crash simulation, file medium: journal and allocator") {
  check_file(crash_sim::journal_and_allocator_workload(30));
}
TEST_CASE("crash simulation, file medium: containers") { check_file(crash_sim::containers_workload(14)); }
TEST_CASE("crash simulation, file medium: sorted list") { check_file(crash_sim::sorted_list_workload(16)); }
TEST_CASE("crash simulation, file medium: shared ownership") { check_file(crash_sim::everything_workload(20)); }
TEST_CASE("crash simulation, file medium: arrays, optionals, bytes, boxes") {
  check_file(crash_sim::store_workload(18));
}
TEST_CASE("crash simulation, file medium: benchmark BST") { check_file(crash_sim::bst_workload(24)); }
TEST_CASE("crash simulation, file medium: benchmark key-value store") { check_file(crash_sim::kvstore_workload(30)); }
TEST_CASE("crash simulation, file medium: benchmark B-tree") { check_file(crash_sim::btree_workload(40)); }
TEST_CASE("crash simulation, file medium, deferred durability: journal and allocator") {
  check_file(crash_sim::journal_and_allocator_workload(30), deferred);
}
TEST_CASE("crash simulation, file medium, deferred durability: benchmark B-tree") {
  check_file(crash_sim::btree_workload(40), deferred);
}
