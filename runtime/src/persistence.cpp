#include "pschema/persistence.hpp"

#include "msync_persistence.hpp"
#include "pschema/errors.hpp"

#include <libpmem.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace pschema {

std::string_view site_name(Site site) noexcept {
  switch (site) {
    case Site::create_pool: return "create_pool";
    case Site::create_commit: return "create_commit";
    case Site::state_update: return "state_update";
    case Site::log_entry: return "log_entry";
    case Site::log_before_headers: return "log_before_headers";
    case Site::commit_headers: return "commit_headers";
    case Site::commit_data: return "commit_data";
    case Site::commit_mark: return "commit_mark";
    case Site::rollback_data: return "rollback_data";
    case Site::rollback_mark: return "rollback_mark";
    case Site::heap_carve: return "heap_carve";
    case Site::count_: break;
  }
  return "unknown";
}

namespace {

constexpr std::uintptr_t cache_line = 64;

std::size_t lines_in(const void* addr, std::size_t size) {
  auto begin = reinterpret_cast<std::uintptr_t>(addr) & ~(cache_line - 1);
  auto end = reinterpret_cast<std::uintptr_t>(addr) + size;
  return size == 0 ? 0 : (end - begin + cache_line - 1) / cache_line;
}

class PmemPersistence final : public Persistence {
 public:
  std::size_t flush(const void* addr, std::size_t size, Site) override {
    pmem_flush(addr, size);
    return lines_in(addr, size);
  }
  void fence(Site) override { pmem_drain(); }
  std::string_view name() const noexcept override { return "pmem"; }
};

// Pages flushed are msync'ed at a fence, in batches. A flush joins the
// open batch; a fence waits until every batch its own thread flushed into
// since its last fence is synced. Whichever fence finds the open batch
// still unsynced and no sync running closes it and syncs it, with every
// thread's ranges in it; fences that come meanwhile wait for that sync
// and, if their ranges came too late for it, the next fence among them
// syncs the next batch. So a fence never returns while a range of its
// thread is still being synced by another thread's fence, and concurrent
// fences share one round of msync calls.
//
// A fence covers its own thread's flushes only, like the pmem backend's
// sfence, which orders only the calling CPU's flushes; the runtime never
// relies on another thread's fence.
class MsyncPersistence final : public Persistence {
 public:
  MsyncPersistence(detail::SyncRange sync, std::uintptr_t page) : sync_(std::move(sync)), page_(page) {}

  std::size_t flush(const void* addr, std::size_t size, Site) override {
    if (size == 0) return 0;
    auto begin = reinterpret_cast<std::uintptr_t>(addr) & ~(page_ - 1);
    auto end = (reinterpret_cast<std::uintptr_t>(addr) + size + page_ - 1) & ~(page_ - 1);
    std::uint64_t batch;
    {
      std::lock_guard lock(mutex_);
      pending_.emplace_back(begin, end);
      batch = open_;
    }
    Unfenced& mine = unfenced_of_this_thread();
    if (mine.first == 0) mine.first = batch;
    mine.last = batch;
    return (end - begin) / page_;
  }

  void fence(Site) override {
    Unfenced& mine = unfenced_of_this_thread();
    const std::uint64_t first = mine.first, last = mine.last;
    forget_this_thread();
    if (first == 0) return;  // this thread flushed nothing since its last fence

    std::unique_lock lock(mutex_);
    while (synced_ < last) {
      if (syncing_) {
        // Another fence is syncing: this thread's ranges are in its batch,
        // or in the open one, which the next round takes.
        synced_changed_.wait(lock);
        continue;
      }
      // No sync running, so every closed batch is synced and `last` is the
      // open batch: close it and sync it, whoever flushed into it.
      std::vector<Range> batch;
      batch.swap(pending_);
      const std::uint64_t number = open_++;
      syncing_ = true;
      lock.unlock();
      const int error = sync_all(batch);
      lock.lock();
      syncing_ = false;
      synced_ = number;
      if (error != 0) failures_.emplace_back(number, error);
      synced_changed_.notify_all();
    }
    // A failed batch in [first, last] may have held ranges of this thread
    // (perhaps it failed in another thread's fence, which reported it too).
    for (const auto& [number, error] : failures_) {
      if (number >= first && number <= last) {
        // msync fails only for an invalid range or an I/O error; either way
        // durability cannot be promised, so the transaction must not
        // report success.
        throw io_error("", std::string("msync failed: ") + std::strerror(error) + "; the data may not be durable");
      }
    }
  }

  std::string_view name() const noexcept override { return "msync"; }

 private:
  using Range = std::pair<std::uintptr_t, std::uintptr_t>;

  // The batches a thread flushed into since its last fence on this backend
  // (batch numbers start at 1; 0: none).
  struct Unfenced {
    std::uint64_t backend = 0;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
  };
  // One entry per backend the thread flushed into and has not fenced yet:
  // a short list (a thread works on few pools at a time).
  static std::vector<Unfenced>& unfenced_list() {
    thread_local std::vector<Unfenced> list;
    return list;
  }
  Unfenced& unfenced_of_this_thread() {
    std::vector<Unfenced>& list = unfenced_list();
    for (Unfenced& entry : list) {
      if (entry.backend == id_) return entry;
    }
    return list.emplace_back(Unfenced{id_, 0, 0});
  }
  void forget_this_thread() {
    std::vector<Unfenced>& list = unfenced_list();
    std::erase_if(list, [&](const Unfenced& entry) { return entry.backend == id_; });
  }

  // Syncs a batch, touching and overlapping ranges merged. Goes on after a
  // failure, so that what can be made durable is; returns the first errno
  // (0 if none).
  int sync_all(std::vector<Range>& ranges) noexcept {
    int first_error = 0;
    auto sync = [&](std::uintptr_t b, std::uintptr_t e) {
      int error;
      try {
        error = sync_(b, e);
      } catch (...) {
        error = EIO;  // a sync function that throws must not strand the waiting fences
      }
      if (first_error == 0) first_error = error;
    };
    if (ranges.empty()) return 0;
    std::sort(ranges.begin(), ranges.end());
    std::uintptr_t begin = ranges[0].first, end = ranges[0].second;
    for (std::size_t i = 1; i < ranges.size(); ++i) {
      if (ranges[i].first <= end) {
        end = std::max(end, ranges[i].second);
      } else {
        sync(begin, end);
        begin = ranges[i].first;
        end = ranges[i].second;
      }
    }
    sync(begin, end);
    return first_error;
  }

  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> ids{0};
    return ++ids;
  }

  const std::uint64_t id_ = next_id();  // tells this backend's entries in the thread lists apart
  detail::SyncRange sync_;
  std::uintptr_t page_;
  std::mutex mutex_;
  std::condition_variable synced_changed_;
  std::vector<Range> pending_;  // the open batch
  std::uint64_t open_ = 1;      // number of the open batch
  std::uint64_t synced_ = 0;    // every batch up to this one is synced (or failed)
  bool syncing_ = false;        // batch synced_ + 1 is being synced
  std::vector<std::pair<std::uint64_t, int>> failures_;  // failed batches and their errno
};

}  // namespace

std::unique_ptr<Persistence> make_pmem_persistence() { return std::make_unique<PmemPersistence>(); }
std::unique_ptr<Persistence> make_msync_persistence() {
  return detail::make_msync_persistence(
      [](std::uintptr_t begin, std::uintptr_t end) {
        return msync(reinterpret_cast<void*>(begin), end - begin, MS_SYNC) == 0 ? 0 : errno;
      },
      static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE)));
}

namespace detail {

std::unique_ptr<Persistence> make_msync_persistence(SyncRange sync, std::uintptr_t page_size) {
  return std::make_unique<MsyncPersistence>(std::move(sync), page_size);
}

}  // namespace detail

}  // namespace pschema
