// The mutexes of a concurrent pool: lock words in the pool, a volatile
// wait-for graph beside them.
//
// A lock word is (generation << 16) | low, where generation is the pool's
// open count (48 bits) and the low 16 bits say who holds it:
//   0                      unlocked;
//   lane + 1 (1..64)       held exclusively by a transaction on that lane;
//   0x8000 | n (n 1..64)   held shared by n transactions (n lanes).
// A word of another generation, or with low bits 0, is unlocked: opening
// the pool bumps the generation, so locks held when a process died are
// released without touching the words.
//
// The word cannot name the lanes that hold it shared, and a waiter needs
// them for the wait-for graph, so each lane also lists (in memory, under a
// mutex of its own) the words it holds shared. Only a lane that must wait
// reads the other lanes' lists; taking a shared lock costs one
// uncontended mutex and a set insert.
//
// Deadlocks: a lane that must wait records which lane it waits for; if
// following those edges from the holder leads back to the waiter, every
// transaction on the cycle would wait forever, and the waiter aborts with
// pschema::deadlock. A word held shared by several lanes gives the waiter
// several holders: it checks a cycle through each of them, and publishes
// one edge (a different one each round, so that the others' checks pass
// through each holder in turn). Two readers that both upgrade to
// exclusive each wait for the other: a cycle, found at once. Edges are
// read while other lanes change them, so a cycle may rarely be seen that
// has just dissolved: the abort is then needless but harmless (the caller
// retries). A timeout backs this up.
//
// Containers of mutexes (map<K, mutex<T>>) have a lock word of their own,
// kept here in memory rather than in the pool (a MapRep has no room for
// it, and lock words mean nothing after a crash anyway), keyed by the
// container's address in the mapping: such a container never moves (the
// generator refuses it as an element of anything that moves). Taken
// shared to reach an element, exclusive to insert or erase (see
// Lane::lock_container).
//
// A writer waiting for readers does not keep new readers out (no queue):
// under a steady stream of overlapping readers it waits until the lock
// timeout. Strict 2PL makes readers' locks short when reads are short.
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
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lane_counters.hpp"

namespace pschema::detail {

enum class LockMode : std::uint8_t { shared, exclusive };

class LockTable {
 public:
  LockTable(std::uint32_t lanes, std::uint64_t generation, std::chrono::milliseconds timeout);

  // Takes `word` for `lane`: shared, waiting while another lane holds it
  // exclusively; exclusive, waiting while any other lane holds it. A lane
  // holding it shared and asking for it exclusively upgrades (waiting for
  // the other readers). Returns true if the lane did not hold the word
  // before (the caller records it, to release it), false if it did.
  // Throws deadlock (nothing changed) on a wait-for cycle or after the
  // timeout.
  bool lock(std::uint64_t* word, std::uint32_t lane, LockMode mode, LaneCounters& counters, const std::string& path);
  // Releases a word `lane` took with lock(), in whichever mode it holds it.
  void unlock(std::uint64_t* word, std::uint32_t lane) noexcept;
  // The lane holding `word` exclusively gives it back early, while the
  // transaction goes on (an element lock that its container's exclusive
  // lock now covers).
  void release_early(std::uint64_t* word, std::uint32_t lane) noexcept;
  // Whether `lane` holds `word` exclusively.
  bool holds_exclusively(const std::uint64_t* word, std::uint32_t lane) const noexcept;
  // The in-memory lock word of the container at `container` (made free on
  // first use, kept until the pool is closed).
  std::uint64_t* container_word(const void* container);
  // A transaction on `lane` that held locks has ended (after unlocking them
  // all): forgets its shared words and counts the end.
  void ended(std::uint32_t lane) noexcept;
  // After this thread's transaction was aborted with deadlock by lock():
  // waits (at most the lock timeout) until the transaction it waited for
  // has ended. Returns at once if this thread had no such abort.
  void wait_for_conflict() const noexcept;

 private:
  // Whether the wait-for edges starting at `from` lead to `lane`.
  bool leads_to(std::int32_t from, std::uint32_t lane) const;
  // The lanes other than `lane` whose lists hold `word` shared.
  void shared_holders(const std::uint64_t* word, std::uint32_t lane, std::vector<std::uint32_t>& out) const;
  bool holds_shared(const std::uint64_t* word, std::uint32_t lane) const;
  // Waits one round for `holders` (the lanes `lane` waits for); throws
  // deadlock on a cycle through one of them or past the timeout.
  void wait_round(std::uint32_t lane, const std::vector<std::uint32_t>& holders, unsigned round,
                  std::chrono::steady_clock::time_point started, LaneCounters& counters, const std::string& path);

  // One cache line per lane: a lane writes only its own.
  struct alignas(64) Slot {
    std::atomic<std::int32_t> waits_for{-1};  // the lane it waits for, or -1
    std::atomic<std::uint64_t> ended{0};      // transactions with locks it has ended
  };

  std::uint32_t lanes_;
  std::uint64_t generation_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Slot[]> slots_;
  // The words each lane holds shared; a lane changes only its own.
  struct Readers {
    mutable std::mutex mutex;
    std::unordered_set<const std::uint64_t*> words;
  };
  std::unique_ptr<Readers[]> readers_;
  std::mutex containers_mutex_;
  std::unordered_map<const void*, std::unique_ptr<std::uint64_t>> containers_;
};

}  // namespace pschema::detail
