// The mutexes of a concurrent pool: lock words in the pool, a volatile
// wait-for graph beside them.
//
// A lock word is (generation << 16) | (lane + 1) while a transaction on
// that lane holds it, where generation is the pool's open count (48 bits).
// A word of another generation, or with lane bits 0, is unlocked: opening
// the pool bumps the generation, so locks held when a process died are
// released without touching the words.
//
// Deadlocks: a lane that must wait records which lane it waits for; if
// following those edges from the holder leads back to the waiter, every
// transaction on the cycle would wait forever, and the waiter aborts with
// pschema::deadlock. Edges are read while other lanes change them, so a
// cycle may rarely be seen that has just dissolved: the abort is then
// needless but harmless (the caller retries). A timeout backs this up.
//
// Retrying: the aborted transaction must not take its locks back before
// the one it waited for has finished, or (that one being descheduled) it
// closes the same cycle again and again. So every lane counts the
// transactions it ended, the abort notes the holder's count, and
// wait_for_conflict() waits until it moved.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "lane_counters.hpp"

namespace pschema::detail {

class LockTable {
 public:
  LockTable(std::uint32_t lanes, std::uint64_t generation, std::chrono::milliseconds timeout);

  // Takes `word` for `lane`, waiting while another lane holds it. Returns
  // true if it was taken now, false if the lane already held it. Throws
  // deadlock (nothing taken) on a wait-for cycle or after the timeout.
  bool lock(std::uint64_t* word, std::uint32_t lane, LaneCounters& counters, const std::string& path);
  // Releases a word taken by lock().
  static void unlock(std::uint64_t* word) noexcept;
  // A transaction on `lane` that held locks has ended (after unlocking them).
  void ended(std::uint32_t lane) noexcept;
  // After this thread's transaction was aborted with deadlock by lock():
  // waits (at most the lock timeout) until the transaction it waited for
  // has ended. Returns at once if this thread had no such abort.
  void wait_for_conflict() const noexcept;

 private:
  // Whether the wait-for edges starting at `lane` lead back to it.
  bool closes_cycle(std::uint32_t lane) const;

  // One cache line per lane: a lane writes only its own.
  struct alignas(64) Slot {
    std::atomic<std::int32_t> waits_for{-1};  // the lane it waits for, or -1
    std::atomic<std::uint64_t> ended{0};      // transactions with locks it has ended
  };

  std::uint32_t lanes_;
  std::uint64_t generation_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace pschema::detail
