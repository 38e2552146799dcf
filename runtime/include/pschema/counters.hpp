// Counters of what the runtime did; benchmarks and tests read them.
#pragma once

#include <cstdint>

namespace pschema {

struct Counters {
  std::uint64_t transactions_committed = 0;
  std::uint64_t transactions_aborted = 0;
  std::uint64_t fences = 0;
  std::uint64_t lines_flushed = 0;   // cache lines (pmem) or pages (msync)
  std::uint64_t bytes_logged = 0;    // journal bytes written, headers included
  std::uint64_t ranges_logged = 0;   // undo entries written for user data
  std::uint64_t allocations = 0;     // committed allocations
  std::uint64_t frees = 0;           // committed frees
  std::uint64_t lock_waits = 0;      // mutex locks that had to wait for another transaction
  std::uint64_t deadlocks = 0;       // transactions aborted with pschema::deadlock
  std::uint64_t syncs = 0;           // file engine: fdatasync calls (log and pool file)
  std::uint64_t checkpoints = 0;     // file engine: checkpoints (log applied to the pool file)

  Counters& operator+=(const Counters& other) {
    transactions_committed += other.transactions_committed;
    transactions_aborted += other.transactions_aborted;
    fences += other.fences;
    lines_flushed += other.lines_flushed;
    bytes_logged += other.bytes_logged;
    ranges_logged += other.ranges_logged;
    allocations += other.allocations;
    frees += other.frees;
    lock_waits += other.lock_waits;
    deadlocks += other.deadlocks;
    syncs += other.syncs;
    checkpoints += other.checkpoints;
    return *this;
  }
  // What happened between two readings: `after - before`.
  friend Counters operator-(Counters after, const Counters& before) {
    after.transactions_committed -= before.transactions_committed;
    after.transactions_aborted -= before.transactions_aborted;
    after.fences -= before.fences;
    after.lines_flushed -= before.lines_flushed;
    after.bytes_logged -= before.bytes_logged;
    after.ranges_logged -= before.ranges_logged;
    after.allocations -= before.allocations;
    after.frees -= before.frees;
    after.lock_waits -= before.lock_waits;
    after.deadlocks -= before.deadlocks;
    after.syncs -= before.syncs;
    after.checkpoints -= before.checkpoints;
    return after;
  }
};

}  // namespace pschema
