// The msync backend's fence under threads: a fence may return only once
// every range its thread flushed before it is durable, whoever's fence
// syncs it. The system call is replaced through the test seam
// (msync_persistence.hpp) by a recorder that notes when each page's sync
// started and finished, and that can hold syncs up to open the window in
// which one thread's fence is still syncing another thread's ranges.
//
// The backend never dereferences the addresses it is given, and the
// recorder does not either, so the tests flush made-up page addresses.
#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "msync_persistence.hpp"
#include "pschema/errors.hpp"

namespace {

constexpr std::uintptr_t page = 4096;
// Far from anything real, page-aligned.
constexpr std::uintptr_t first_page = std::uintptr_t{1} << 40;

const void* page_address(std::uintptr_t index) { return reinterpret_cast<const void*>(first_page + index * page); }

// Stands in for msync. Every call takes a tick of a logical clock when it
// starts; when it finishes, each page of its range remembers the latest
// start. A range flushed at tick t is durable once its page remembers a
// start later than t: that sync began after the flush, so it wrote the data.
class SyncRecorder {
 public:
  pschema::detail::SyncRange function() {
    return [this](std::uintptr_t begin, std::uintptr_t end) { return sync(begin, end); };
  }

  // A tick taken before a flush.
  std::uint64_t now() {
    std::lock_guard lock(mutex_);
    return ++clock_;
  }
  // Whether `index`'s page was synced by a sync that started after `tick`.
  bool synced_after(std::uintptr_t index, std::uint64_t tick) {
    std::lock_guard lock(mutex_);
    auto it = synced_.find(first_page + index * page);
    return it != synced_.end() && it->second > tick;
  }

  // While held, syncs wait (after taking their tick) until released.
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    changed_.notify_all();
  }
  // Waits until a sync has started.
  void wait_for_a_sync() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return started_ > 0; });
  }
  // Syncs of a range holding this page fail (with EIO).
  void fail_page(std::uintptr_t index) {
    std::lock_guard lock(mutex_);
    failing_.insert(first_page + index * page);
  }
  // Slows every sync down, to widen the windows a stress test can hit.
  void set_delay(std::chrono::microseconds delay) { delay_ = delay; }

  int calls() {
    std::lock_guard lock(mutex_);
    return started_;
  }

 private:
  int sync(std::uintptr_t begin, std::uintptr_t end) {
    std::unique_lock lock(mutex_);
    const std::uint64_t start = ++clock_;
    ++started_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    lock.unlock();
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    lock.lock();
    int result = 0;
    for (std::uintptr_t p = begin; p < end; p += page) {
      if (failing_.count(p) != 0) result = EIO;
    }
    if (result == 0) {
      for (std::uintptr_t p = begin; p < end; p += page) {
        std::uint64_t& last = synced_[p];
        last = std::max(last, start);
      }
    }
    return result;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t clock_ = 0;
  int started_ = 0;
  bool held_ = false;
  std::chrono::microseconds delay_{0};
  std::map<std::uintptr_t, std::uint64_t> synced_;
  std::set<std::uintptr_t> failing_;
};

// Signals between the two threads of a scenario.
class Flag {
 public:
  void set() {
    std::lock_guard lock(mutex_);
    set_ = true;
    changed_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return set_; });
  }
  // Whether it was set within `timeout`.
  bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool set_ = false;
};

// How long the scenario gives a wrong fence to return before it lets the
// held sync finish. A fence that does not wait returns in microseconds.
constexpr std::chrono::milliseconds grace{500};

}  // namespace

namespace {

// A flushes page 0, B flushes page 100, A fences and takes both pages to
// sync, its sync is held up; then B fences. B's page is not durable until
// A's sync finishes, so B's fence must not return before that; and if that
// sync fails, B's fence must throw. `fail_b`: syncing page 100 fails.
void two_fences_scenario(bool fail_b) {
  SyncRecorder recorder;
  auto backend = pschema::detail::make_msync_persistence(recorder.function(), page);
  recorder.hold();
  if (fail_b) recorder.fail_page(100);

  Flag a_flushed, b_flushed, b_returned;
  std::atomic<bool> b_durable{false};
  std::atomic<bool> b_threw{false};

  std::thread a([&] {
    backend->flush(page_address(0), 64, pschema::Site::log_entry);
    a_flushed.set();
    b_flushed.wait();
    try {
      backend->fence(pschema::Site::log_entry);
    } catch (const pschema::io_error&) {
      // The failing case: whichever fence synced page 100 reports it.
    }
  });
  std::thread b([&] {
    a_flushed.wait();
    const std::uint64_t tick = recorder.now();
    backend->flush(page_address(100), 64, pschema::Site::log_entry);
    b_flushed.set();
    recorder.wait_for_a_sync();  // A's fence has taken the ranges and is syncing
    try {
      backend->fence(pschema::Site::log_entry);
    } catch (const pschema::io_error&) {
      b_threw = true;
    }
    b_durable = recorder.synced_after(100, tick);
    b_returned.set();
  });

  // A correct fence in B waits for the held sync; a wrong one returns now.
  const bool returned_early = b_returned.wait_for(grace);
  recorder.release();
  a.join();
  b.join();
  CHECK_FALSE(returned_early);
  if (fail_b) {
    // Page 100 never became durable: B's fence must say so, not return.
    CHECK(b_threw);
    CHECK_FALSE(b_durable);
  } else {
    CHECK_FALSE(b_threw);
    CHECK(b_durable);
  }
}

}  // namespace

TEST_CASE("msync fence: does not return while another thread's fence is still syncing this thread's range") {
  two_fences_scenario(false);
}

TEST_CASE("msync fence: fails when another thread's fence failed to sync this thread's range") {
  two_fences_scenario(true);
}

TEST_CASE("msync fence: under many threads every fence returns after its own ranges are durable") {
  // Each thread flushes two pages of its own and fences, over and over;
  // after every fence it checks that both pages were synced by a sync that
  // started after its flushes. Syncs are slowed down so that fences overlap.
  SyncRecorder recorder;
  recorder.set_delay(std::chrono::microseconds(20));
  auto backend = pschema::detail::make_msync_persistence(recorder.function(), page);

  constexpr int threads = 4;
  constexpr int rounds = 400;
  std::atomic<int> early{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::uintptr_t mine[2] = {static_cast<std::uintptr_t>(10 * t), static_cast<std::uintptr_t>(10 * t + 5)};
      for (int round = 0; round < rounds; ++round) {
        const std::uint64_t tick = recorder.now();
        for (std::uintptr_t index : mine) backend->flush(page_address(index), 100, pschema::Site::log_entry);
        // Give another thread's fence the time to take these ranges.
        if (round % 2 == 0) std::this_thread::sleep_for(std::chrono::microseconds(10));
        backend->fence(pschema::Site::log_entry);
        for (std::uintptr_t index : mine) {
          if (!recorder.synced_after(index, tick)) ++early;
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  CHECK(early.load() == 0);
  // Concurrent fences may share syncs, but no fence syncs more than its
  // batch: never more calls than one per flushed range.
  CHECK(recorder.calls() <= threads * rounds * 2);
}
