#include "pschema/persistence.hpp"

#include "msync_persistence.hpp"
#include "pschema/errors.hpp"

#include <libpmem.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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

// Pages touched since the last fence are msync'ed at the fence. Several
// lanes may flush at once, hence the mutex; the system call dominates.
class MsyncPersistence final : public Persistence {
 public:
  MsyncPersistence(detail::SyncRange sync, std::uintptr_t page) : sync_(std::move(sync)), page_(page) {}

  std::size_t flush(const void* addr, std::size_t size, Site) override {
    if (size == 0) return 0;
    auto begin = reinterpret_cast<std::uintptr_t>(addr) & ~(page_ - 1);
    auto end = (reinterpret_cast<std::uintptr_t>(addr) + size + page_ - 1) & ~(page_ - 1);
    std::lock_guard lock(mutex_);
    pending_.emplace_back(begin, end);
    return (end - begin) / page_;
  }

  void fence(Site) override {
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;
    {
      std::lock_guard lock(mutex_);
      ranges.swap(pending_);
    }
    if (ranges.empty()) return;
    std::sort(ranges.begin(), ranges.end());
    std::uintptr_t begin = ranges[0].first, end = ranges[0].second;
    auto sync = [this](std::uintptr_t b, std::uintptr_t e) {
      if (const int error = sync_(b, e); error != 0) {
        // msync fails only for an invalid range or an I/O error; either way
        // durability cannot be promised, so the transaction must not
        // report success.
        throw io_error("", std::string("msync failed: ") + std::strerror(error) +
                               "; the data may not be durable");
      }
    };
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
  }

  std::string_view name() const noexcept override { return "msync"; }

 private:
  detail::SyncRange sync_;
  std::uintptr_t page_;
  std::mutex mutex_;
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> pending_;
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
