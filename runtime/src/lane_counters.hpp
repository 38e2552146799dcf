// Counters a lane updates on its hot path. Each lane is used by one thread
// at a time, so an increment is a plain load and store (relaxed atomics,
// no locked instruction); Pool::counters() sums the lanes from any thread
// without a data race.
#pragma once

#include <atomic>
#include <cstdint>

#include "pschema/counters.hpp"

namespace pschema::detail {

class Counter {
 public:
  void add(std::uint64_t n) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A shared counter bumped by several threads (heap maintenance).
class SharedCounter {
 public:
  void add(std::uint64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

struct LaneCounters {
  Counter transactions_committed;
  Counter transactions_aborted;
  Counter fences;
  Counter lines_flushed;
  Counter bytes_logged;
  Counter ranges_logged;
  Counter allocations;
  Counter frees;
  Counter lock_waits;
  Counter deadlocks;

  void add_to(Counters& out) const {
    out.transactions_committed += transactions_committed.get();
    out.transactions_aborted += transactions_aborted.get();
    out.fences += fences.get();
    out.lines_flushed += lines_flushed.get();
    out.bytes_logged += bytes_logged.get();
    out.ranges_logged += ranges_logged.get();
    out.allocations += allocations.get();
    out.frees += frees.get();
    out.lock_waits += lock_waits.get();
    out.deadlocks += deadlocks.get();
  }
};

}  // namespace pschema::detail
