#include "lock_table.hpp"

#include <utility>

#include "back_off.hpp"
#include "pschema/errors.hpp"

namespace pschema::detail {

namespace {

constexpr std::uint64_t lane_bits = 16;
constexpr std::uint64_t lane_mask = (std::uint64_t{1} << lane_bits) - 1;
constexpr std::uint64_t generation_mask = (std::uint64_t{1} << (64 - lane_bits)) - 1;

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
      slots_(std::make_unique<Slot[]>(lanes)) {}

bool LockTable::lock(std::uint64_t* word, std::uint32_t lane, LaneCounters& counters, const std::string& path) {
  std::atomic_ref<std::uint64_t> ref(*word);
  const std::uint64_t mine = generation_ << lane_bits | (lane + 1);
  std::uint64_t seen = ref.load(std::memory_order_acquire);
  std::chrono::steady_clock::time_point started{};
  for (unsigned round = 0;; ++round) {
    if (seen == mine) return false;  // held by this transaction already
    const bool free = (seen >> lane_bits) != generation_ || (seen & lane_mask) == 0;
    if (free) {
      if (ref.compare_exchange_weak(seen, mine, std::memory_order_acq_rel, std::memory_order_acquire)) {
        if (round > 0) slots_[lane].waits_for.store(-1, std::memory_order_release);  // only a waiter has an edge
        return true;
      }
      continue;  // `seen` was refreshed
    }
    const auto holder = static_cast<std::uint32_t>((seen & lane_mask) - 1);
    if (round == 0) {
      counters.lock_waits.add(1);
      started = std::chrono::steady_clock::now();
    }
    slots_[lane].waits_for.store(holder < lanes_ ? static_cast<std::int32_t>(holder) : -1, std::memory_order_release);
    const bool cycle = closes_cycle(lane);
    if (cycle || std::chrono::steady_clock::now() - started > timeout_) {
      slots_[lane].waits_for.store(-1, std::memory_order_release);
      counters.deadlocks.add(1);
      if (holder < lanes_) conflict = {this, holder, slots_[holder].ended.load(std::memory_order_acquire)};
      throw deadlock(path, cycle ? "deadlock: this transaction and the ones it waits for wait for each other; it was "
                                   "rolled back and can be retried"
                                 : "a mutex stayed locked longer than the lock timeout (" +
                                       std::to_string(timeout_.count()) +
                                       " ms); the transaction was rolled back and can be retried");
    }
    back_off(round);
    seen = ref.load(std::memory_order_acquire);
  }
}

void LockTable::unlock(std::uint64_t* word) noexcept {
  std::atomic_ref<std::uint64_t>(*word).store(0, std::memory_order_release);
}

bool LockTable::closes_cycle(std::uint32_t lane) const {
  std::int32_t at = slots_[lane].waits_for.load(std::memory_order_acquire);
  for (std::uint32_t steps = 0; at >= 0 && steps <= lanes_; ++steps) {
    if (static_cast<std::uint32_t>(at) == lane) return true;
    at = slots_[static_cast<std::uint32_t>(at)].waits_for.load(std::memory_order_acquire);
  }
  return false;
}

void LockTable::ended(std::uint32_t lane) noexcept { slots_[lane].ended.fetch_add(1, std::memory_order_release); }

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
