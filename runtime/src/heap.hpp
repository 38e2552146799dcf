// The persistent heap: blocks with 16-byte headers laid back to back, so
// the whole heap can be walked and checked. The only persistent allocator
// state is the block headers; the free lists are volatile and rebuilt by
// walking the heap at open.
//
// Transactions do not change headers themselves: they reserve a free block
// here (volatile only), and at commit write its header through the undo
// journal. An aborted or crashed transaction therefore leaks nothing: the
// header still says free. The heap itself writes headers only to split a
// free block (carving) or merge free neighbours (at open, and when an
// allocation finds no room), each step a single 8-byte store made after
// the new headers it exposes are durable.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "lane_counters.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/persistence.hpp"

namespace pschema::detail {

// A free block handed to a transaction.
struct Block {
  std::uint64_t offset = 0;  // of the header, from the pool base
  std::uint64_t size = 0;    // header included
  std::uint64_t payload() const { return offset + sizeof(format::BlockHeader); }
  std::uint64_t payload_size() const { return size - sizeof(format::BlockHeader); }
};

// Small blocks come in fixed sizes; everything bigger is a large block.
class SizeClasses {
 public:
  static constexpr std::uint64_t largest_small = 4096;
  static constexpr std::size_t count = 15 + 8 + 8 + 8 + 8;

  // The class index for a block of `size` bytes (header included), or
  // `count` when it is a large block.
  static std::size_t index_for(std::uint64_t size);
  static std::uint64_t block_size(std::size_t index);
  // Whether a free block of exactly `size` bytes belongs to a class list.
  static bool is_class_size(std::uint64_t size);
};

// Free small blocks kept by one lane, so most allocations take no lock;
// and what the lane's committed transactions allocated and freed, counted
// there so that commits of different lanes share no lock nor cache line.
struct LaneCache {
  std::array<std::vector<std::uint64_t>, SizeClasses::count> free;
  // Written by the lane's owner only; read by Heap::usage() from any thread.
  std::atomic<std::int64_t> allocated_bytes{0};
  std::atomic<std::int64_t> allocated_blocks{0};
};

struct HeapUsage {
  std::uint64_t heap_size = 0;
  std::uint64_t allocated_bytes = 0;  // blocks marked allocated, headers included
  std::uint64_t allocated_blocks = 0;
};

class Heap {
 public:
  Heap(std::byte* base, std::uint64_t begin, std::uint64_t end, Persistence& persistence, std::string path);

  // Walks every block from the start of the heap (format::HeapWalk, which
  // checks each header), merges adjacent free blocks and rebuilds the free
  // lists. Throws corrupt_pool naming the offset of the first bad header.
  void rebuild();

  // Who a block is for. Journal overflow segments may use the journal
  // reserve that objects may not (docs/runtime.md 5.4): however full the
  // pool, a transaction that frees many objects can still log it.
  enum class Purpose { object, journal };
  // The smallest overflow segment's payload (Journal reserves at least this).
  static constexpr std::uint64_t min_segment_payload = 64 * 1024;

  // A free block with at least `payload_size` usable bytes. Throws pool_full.
  Block reserve(std::uint64_t payload_size, LaneCache& cache, Purpose purpose = Purpose::object);
  // Gives a reserved block back (abort), or a block whose free committed.
  void release(Block block, LaneCache& cache);
  // Returns every block a lane cached to the shared lists.
  void drain(LaneCache& cache);
  // Merges free blocks that lie next to each other in the shared lists, so
  // that space freed as many small blocks can serve a large request. Only
  // blocks in the shared lists take part: blocks reserved by running
  // transactions (whose headers still say free) are not in them.
  void coalesce();

  // Every lane's cache, for usage() (lanes register theirs when made).
  void register_cache(const LaneCache& cache);
  // A transaction of the lane owning `cache` committed: `bytes` (headers
  // included) in `blocks` blocks were allocated (positive) or freed (negative).
  static void account(std::int64_t bytes, std::int64_t blocks, LaneCache& cache);
  HeapUsage usage() const;

  // Reads the header of the block whose payload starts at `payload`; throws
  // usage_error unless it is an allocated block of this heap.
  Block allocated_block_at(std::uint64_t payload) const;

  std::uint64_t begin() const { return begin_; }
  std::uint64_t end() const { return end_; }

  void add_maintenance_counters(Counters& out) const;

 private:
  format::BlockHeader* header_at(std::uint64_t offset) const;
  void write_free_header(std::uint64_t offset, std::uint64_t size);
  void add_free_locked(std::uint64_t offset, std::uint64_t size);
  bool refill_locked(std::size_t index, LaneCache& cache);
  bool carve_locked(std::size_t index, LaneCache& cache);
  Block reserve_large_locked(std::uint64_t size, Purpose purpose);
  // How many bytes an object may take from the large free block of
  // `block_size` bytes (still in large_free_): all of them, unless it is
  // the last free block of at least journal_block_ bytes; then all but
  // journal_block_, which stay a free block at its front.
  std::uint64_t object_room_locked(std::uint64_t block_size) const;
  void erase_large_locked(std::multimap<std::uint64_t, std::uint64_t>::iterator it);
  // Splits the free block [offset, offset+size) so that its last
  // `tail_size` bytes become separate blocks of `piece` bytes each.
  void split_tail_locked(std::uint64_t offset, std::uint64_t size, std::uint64_t tail_size, std::uint64_t piece);
  [[noreturn]] void throw_full(std::uint64_t payload_size) const;

  std::byte* base_;
  std::uint64_t begin_;
  std::uint64_t end_;
  Persistence& persistence_;
  std::string path_;

  mutable std::mutex mutex_;
  std::array<std::vector<std::uint64_t>, SizeClasses::count> small_free_;
  std::multimap<std::uint64_t, std::uint64_t> large_free_;  // block size -> block offset
  std::uint64_t large_free_bytes_ = 0;
  std::uint64_t journal_reserve_ = 0;  // large free bytes objects leave alone
  std::uint64_t journal_block_ = 0;    // ... and the contiguous block they keep, if there is one
  HeapUsage usage_locked() const;
  HeapUsage usage_;  // as of the last rebuild; the lanes' caches count the changes since
  std::vector<const LaneCache*> caches_;

  SharedCounter fences_;
  SharedCounter lines_flushed_;
};

}  // namespace pschema::detail
