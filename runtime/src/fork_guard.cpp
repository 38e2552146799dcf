#include "fork_guard.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace pschema::detail {

namespace {

struct SharedMapping {
  std::byte* base;
  std::size_t size;
  int fd;
};

std::atomic<std::uint64_t> fork_epoch{0};
// Held across fork by the prepare handler, so that no other thread is
// halfway through changing the list when the child's copy of it is made.
std::mutex registry_mutex;
std::vector<SharedMapping>& registry() {
  static std::vector<SharedMapping> mappings;
  return mappings;
}

void before_fork() { registry_mutex.lock(); }
void in_parent() { registry_mutex.unlock(); }
void in_child() {
  fork_epoch.fetch_add(1, std::memory_order_relaxed);
  // Same address, same bytes (the page cache the shared mapping showed),
  // but copy-on-write from now on. If this fails the mapping stays shared;
  // the epoch still makes every use of the pool throw.
  for (const SharedMapping& m : registry()) {
    ::mmap(m.base, m.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, m.fd, 0);
  }
  registry().clear();
  registry_mutex.unlock();
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] { ::pthread_atfork(before_fork, in_parent, in_child); });
}

}  // namespace

std::uint64_t current_fork_epoch() noexcept { return fork_epoch.load(std::memory_order_relaxed); }

void register_shared_mapping(std::byte* base, std::size_t size, int fd) {
  install_handlers();
  std::lock_guard lock(registry_mutex);
  registry().push_back({base, size, fd});
}

void unregister_shared_mapping(std::byte* base) noexcept {
  std::lock_guard lock(registry_mutex);
  auto& mappings = registry();
  mappings.erase(
      std::remove_if(mappings.begin(), mappings.end(), [&](const SharedMapping& m) { return m.base == base; }),
      mappings.end());
}

}  // namespace pschema::detail
