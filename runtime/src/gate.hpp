// The gate of a pool that is not concurrent: many readers or one writer
// at a time (concurrent pools do without it, see pool_impl.hpp). A read of
// committed data is the hottest path of a lookup-heavy program, so taking
// the gate shared costs one atomic add and releasing it one atomic
// subtract, where std::shared_mutex (glibc's rwlock) costs several times
// that. Writers queue on a mutex, then raise a flag that turns new readers
// away and wait for the readers inside to leave; so a stream of readers
// cannot starve a writer.
//
// Waiting yields, then sleeps (back_off.hpp): transactions are short, but a
// user's transaction body may take its time.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "back_off.hpp"

namespace pschema::detail {

class Gate {
 public:
  void lock_shared() noexcept {
    for (unsigned round = 0;; ++round) {
      if ((state_.fetch_add(1, std::memory_order_acquire) & writer) == 0) return;
      state_.fetch_sub(1, std::memory_order_relaxed);  // a writer is in or waiting: let it go first
      while ((state_.load(std::memory_order_relaxed) & writer) != 0) back_off(round++);
    }
  }
  void unlock_shared() noexcept { state_.fetch_sub(1, std::memory_order_release); }

  void lock() {
    writers_.lock();
    state_.fetch_or(writer, std::memory_order_acquire);
    for (unsigned round = 0; (state_.load(std::memory_order_acquire) & ~writer) != 0; ++round) back_off(round);
  }
  void unlock() noexcept {
    state_.fetch_and(~writer, std::memory_order_release);
    writers_.unlock();
  }

 private:
  static constexpr std::uint64_t writer = std::uint64_t{1} << 63;
  std::atomic<std::uint64_t> state_{0};  // the writer flag, and the number of readers inside
  std::mutex writers_;
};

}  // namespace pschema::detail
