// The one narrow interface through which every persistent write of the
// runtime becomes durable. The runtime writes into the mapping, then calls
// `stored` (so an observer can see the write), `flush` (write the range back
// from the CPU caches or page cache) and `fence` (wait until everything
// flushed before is durable). Backends: `pmem` (libpmem cache-line flush +
// drain), `msync` (ordinary files), the file engine (runtime/src/
// file_engine.hpp, which sees the same calls but makes commits durable
// through its redo log), and the power-failure simulator used by the
// tests, which implements this interface itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace pschema {

// Where in the runtime a flush or fence comes from. The power-failure
// simulator can drop one site at a time to check that a test notices.
enum class Site : std::uint16_t {
  create_pool,          // writing a new pool's layout
  create_commit,        // the superblock's magic, written last
  state_update,         // a copy of the mutable pool state (clean flag, generation)
  log_entry,            // an undo entry, flushed and fenced before the data it protects is written
  log_before_headers,   // fence before deferred allocator headers are written at commit
  commit_headers,       // allocator block headers written at commit
  commit_data,          // the ranges a transaction modified, then the fence before the commit mark
  commit_mark,          // the lane's committed sequence number
  rollback_data,        // undo entries applied on abort or recovery
  rollback_mark,        // the lane marked done after a rollback
  heap_carve,           // free block headers written when a free block is split
  count_                // number of sites, not a site
};

std::string_view site_name(Site site) noexcept;

class Persistence {
 public:
  virtual ~Persistence() = default;

  // The runtime has just written [addr, addr + size) in the mapping.
  // Backends that do not need to know keep the default.
  virtual void stored(const void* addr, std::size_t size) { (void)addr, (void)size; }
  // Starts writing [addr, addr + size) back to the medium. Returns the
  // number of flush units (cache lines or pages) it covered.
  virtual std::size_t flush(const void* addr, std::size_t size, Site site) = 0;
  // Returns when everything the calling thread flushed before it is
  // durable. Flushes of other threads need their own fence (as with an
  // sfence, which orders only its own CPU's flushes); the runtime always
  // flushes and fences a range on the same thread.
  virtual void fence(Site site) = 0;
  // Called once the pool is mapped, before anything is written: the
  // simulator needs the mapping to compare and copy it.
  virtual void attach(std::byte* base, std::size_t size) { (void)base, (void)size; }
  // The heap merged adjacent free blocks by storing [addr, addr + size) (a
  // header's size word). Such a store needs neither flush nor fence (the
  // heap walks cleanly either way, docs/runtime.md 4.3); the file engine
  // records it, so that its log and checkpoints describe the same blocks
  // as its private copy of the heap.
  virtual void merged(const void* addr, std::size_t size) { (void)addr, (void)size; }
  // Whether `stored` must be called (only observers need it; the runtime
  // skips the call otherwise).
  virtual bool observes_stores() const noexcept { return false; }
  virtual std::string_view name() const noexcept = 0;
};

// libpmem: cache-line flush (clwb/clflushopt) and sfence. Use it where
// pmem_is_pmem() says the mapping is persistent memory, or
// PMEM_IS_PMEM_FORCE=1 for emulated PM (a file in /dev/shm).
std::unique_ptr<Persistence> make_pmem_persistence();
// Ordinary files: flush remembers the touched pages, fence msyncs them
// (concurrent fences share one round of msync calls).
std::unique_ptr<Persistence> make_msync_persistence();

}  // namespace pschema
