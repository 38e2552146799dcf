#include "lock_table.hpp"

#include <algorithm>
#include <utility>

#include "back_off.hpp"
#include "pschema/errors.hpp"

namespace pschema::detail {

namespace {

constexpr std::uint64_t lane_bits = 16;
constexpr std::uint64_t lane_mask = (std::uint64_t{1} << lane_bits) - 1;
constexpr std::uint64_t generation_mask = (std::uint64_t{1} << (64 - lane_bits)) - 1;
constexpr std::uint64_t shared_bit = 0x8000;  // low bits 0x8000 | n: n readers
constexpr std::uint64_t count_mask = shared_bit - 1;

// The transaction this thread's last deadlock abort waited for.
struct Conflict {
  const LockTable* table = nullptr;
  std::uint32_t lane = 0;
  std::uint64_t ended = 0;  // that lane's count of ended transactions then
};
thread_local Conflict conflict;

}  // namespace

LockTable::LockTable(std::uint32_t lanes, std::uint64_t generation, std::chrono::milliseconds timeout)
    : lanes_(lanes),
      generation_(generation & generation_mask),
      timeout_(timeout),
      slots_(std::make_unique<Slot[]>(lanes)),
      readers_(std::make_unique<Readers[]>(lanes)) {}

bool LockTable::lock(std::uint64_t* word, std::uint32_t lane, LockMode mode, LaneCounters& counters,
                     const std::string& path) {
  std::atomic_ref<std::uint64_t> ref(*word);
  const std::uint64_t current = generation_ << lane_bits;
  const std::uint64_t mine = current | (lane + 1);
  std::uint64_t seen = ref.load(std::memory_order_acquire);
  if (seen == mine) return false;  // held exclusively by this transaction already: covers both modes
  const bool had_shared = holds_shared(word, lane);
  if (had_shared && mode == LockMode::shared) return false;
  Readers& own = readers_[lane];
  if (mode == LockMode::shared) {
    // Room first, so that recording the lock cannot fail once it is taken.
    const std::lock_guard guard(own.mutex);
    own.words.reserve(own.words.size() + 1);
  }
  std::vector<std::uint32_t> holders;
  std::chrono::steady_clock::time_point started{};
  for (unsigned round = 0;; ++round) {
    const bool this_generation = (seen >> lane_bits) == generation_;
    const std::uint64_t low = seen & lane_mask;
    const bool free = !this_generation || low == 0;
    const bool shared_now = this_generation && (low & shared_bit) != 0;
    std::uint64_t want = 0;
    holders.clear();
    if (mode == LockMode::shared) {
      if (free) {
        want = current | shared_bit | 1;
      } else if (shared_now) {
        want = seen + 1;  // one reader more (at most one per lane: never past count_mask)
      } else {
        holders.push_back(static_cast<std::uint32_t>(low - 1));
      }
    } else if (free) {
      want = mine;
    } else if (shared_now && had_shared && (low & count_mask) == 1) {
      want = mine;  // the only reader: upgrade
    } else if (shared_now) {
      shared_holders(word, lane, holders);
    } else {
      holders.push_back(static_cast<std::uint32_t>(low - 1));
    }
    if (want != 0) {
      if (ref.compare_exchange_weak(seen, want, std::memory_order_acq_rel, std::memory_order_acquire)) {
        if (round > 0) slots_[lane].waits_for.store(-1, std::memory_order_release);  // only a waiter has an edge
        if (mode == LockMode::shared) {
          const std::lock_guard guard(own.mutex);
          own.words.insert(word);  // cannot throw: room reserved above
        } else if (had_shared) {
          const std::lock_guard guard(own.mutex);
          own.words.erase(word);  // now exclusive; the caller recorded the word already
        }
        return !had_shared;
      }
      continue;  // `seen` was refreshed
    }
    if (round == 0) {
      counters.lock_waits.add(1);
      started = std::chrono::steady_clock::now();
    }
    wait_round(lane, holders, round, started, counters, path);
    seen = ref.load(std::memory_order_acquire);
  }
}

void LockTable::wait_round(std::uint32_t lane, const std::vector<std::uint32_t>& holders, unsigned round,
                           std::chrono::steady_clock::time_point started, LaneCounters& counters,
                           const std::string& path) {
  // Readers that are between taking the word and listing it may be missing
  // from `holders` (even all of them): no edge this round, the next sees them.
  std::int32_t edge = -1;
  bool cycle = false;
  for (std::size_t i = 0; i < holders.size(); ++i) {
    const std::uint32_t holder = holders[(i + round) % holders.size()];
    if (holder >= lanes_) continue;
    if (edge < 0) edge = static_cast<std::int32_t>(holder);
    // Published before following, so that a lane checking at the same time
    // can see this edge (at least one of two waiters sees the cycle).
    slots_[lane].waits_for.store(static_cast<std::int32_t>(holder), std::memory_order_release);
    if (leads_to(static_cast<std::int32_t>(holder), lane)) {
      cycle = true;
      edge = static_cast<std::int32_t>(holder);
      break;
    }
  }
  slots_[lane].waits_for.store(edge, std::memory_order_release);
  if (cycle || std::chrono::steady_clock::now() - started > timeout_) {
    slots_[lane].waits_for.store(-1, std::memory_order_release);
    counters.deadlocks.add(1);
    if (edge >= 0) {
      const auto holder = static_cast<std::uint32_t>(edge);
      conflict = {this, holder, slots_[holder].ended.load(std::memory_order_acquire)};
    }
    throw deadlock(path, cycle ? "deadlock: this transaction and the ones it waits for wait for each other; it was "
                                 "rolled back and can be retried"
                               : "a mutex stayed locked longer than the lock timeout (" +
                                     std::to_string(timeout_.count()) +
                                     " ms); the transaction was rolled back and can be retried");
  }
  back_off(round);
}

void LockTable::unlock(std::uint64_t* word, std::uint32_t lane) noexcept {
  std::atomic_ref<std::uint64_t> ref(*word);
  const std::uint64_t mine = generation_ << lane_bits | (lane + 1);
  std::uint64_t seen = ref.load(std::memory_order_relaxed);
  if (seen == mine) {
    ref.store(0, std::memory_order_release);
    return;
  }
  // Held shared (by this lane among others): one reader less.
  for (;;) {
    const std::uint64_t next = (seen & count_mask) <= 1 ? 0 : seen - 1;
    if (ref.compare_exchange_weak(seen, next, std::memory_order_release, std::memory_order_relaxed)) return;
  }
}

void LockTable::release_early(std::uint64_t* word, std::uint32_t lane) noexcept {
  unlock(word, lane);
  Readers& own = readers_[lane];
  const std::lock_guard guard(own.mutex);
  own.words.erase(word);
}

bool LockTable::holds_exclusively(const std::uint64_t* word, std::uint32_t lane) const noexcept {
  return std::atomic_ref<std::uint64_t>(*const_cast<std::uint64_t*>(word)).load(std::memory_order_relaxed) ==
         (generation_ << lane_bits | (lane + 1));
}

std::uint64_t* LockTable::container_word(const void* container) {
  const std::lock_guard guard(containers_mutex_);
  std::unique_ptr<std::uint64_t>& word = containers_[container];
  if (!word) word = std::make_unique<std::uint64_t>(0);
  return word.get();
}

bool LockTable::holds_shared(const std::uint64_t* word, std::uint32_t lane) const {
  const Readers& own = readers_[lane];
  const std::lock_guard guard(own.mutex);
  return own.words.contains(word);
}

void LockTable::shared_holders(const std::uint64_t* word, std::uint32_t lane, std::vector<std::uint32_t>& out) const {
  for (std::uint32_t other = 0; other < lanes_; ++other) {
    if (other == lane) continue;
    const Readers& readers = readers_[other];
    const std::lock_guard guard(readers.mutex);
    if (readers.words.contains(word)) out.push_back(other);
  }
}

bool LockTable::leads_to(std::int32_t from, std::uint32_t lane) const {
  std::int32_t at = from;
  for (std::uint32_t steps = 0; at >= 0 && steps <= lanes_; ++steps) {
    if (static_cast<std::uint32_t>(at) == lane) return true;
    at = slots_[static_cast<std::uint32_t>(at)].waits_for.load(std::memory_order_acquire);
  }
  return false;
}

void LockTable::ended(std::uint32_t lane) noexcept {
  {
    Readers& own = readers_[lane];
    const std::lock_guard guard(own.mutex);
    own.words.clear();
  }
  slots_[lane].ended.fetch_add(1, std::memory_order_release);
}

void LockTable::wait_for_conflict() const noexcept {
  if (conflict.table != this) return;
  const Conflict noted = std::exchange(conflict, Conflict{});
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (unsigned round = 0; slots_[noted.lane].ended.load(std::memory_order_acquire) == noted.ended &&
                           std::chrono::steady_clock::now() < deadline;
       ++round) {
    back_off(round);
  }
}

}  // namespace pschema::detail
