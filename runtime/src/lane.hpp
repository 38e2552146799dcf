// A lane: the journal, allocator cache, counters and volatile bookkeeping
// of one running transaction. A pool has a fixed number of lanes; a
// transaction takes a free one for its duration, so transactions of
// different threads never share a log.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "heap.hpp"
#include "journal.hpp"
#include "lane_counters.hpp"
#include "lock_table.hpp"
#include "node_recycler.hpp"
#include "pschema/transaction.hpp"

namespace pschema::detail {

class FileEngine;
class PoolImpl;

// Offsets already logged by the running transaction, with the size logged
// at each: open addressing, cleared in O(entries used). Ranges logged
// whole (Transaction::log_whole) also cover every range inside them; they
// are few (whole objects), kept sorted in a vector that keeps its capacity
// from one transaction to the next (no allocation per transaction).
class LoggedRanges {
 public:
  LoggedRanges();
  // Whether [offset, offset + size) was logged from exactly `offset`, or
  // lies inside a range logged whole.
  bool covers(std::uint64_t offset, std::uint64_t size) const;
  void insert(std::uint64_t offset, std::uint64_t size);
  void insert_whole(std::uint64_t offset, std::uint64_t size);
  void clear();

 private:
  bool exactly(std::uint64_t offset, std::uint64_t size) const;
  bool inside_whole(std::uint64_t offset, std::uint64_t size) const;
  struct Slot {
    std::uint64_t key = 0;  // offset + 1; 0 = empty
    std::uint64_t size = 0;
  };
  void grow();
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> used_;
  // Ranges logged whole, [begin, end). Most transactions log a few: they
  // stay in a sorted vector (kept between transactions, cheapest to search
  // and insert into while short). Past `small_wholes` they move to a tree,
  // for a transaction of many container operations adds ranges all over
  // the heap, and inserting into the middle of a long vector is quadratic.
  static constexpr std::size_t small_wholes = 64;
  using Wholes = std::map<std::uint64_t, std::uint64_t, std::less<>,
                          RecyclingAllocator<std::pair<const std::uint64_t, std::uint64_t>>>;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> small_wholes_;  // sorted by begin
  NodeRecycler whole_nodes_;  // the tree's nodes, recycled between transactions
  Wholes many_wholes_{Wholes::allocator_type(whole_nodes_)};  // used once it is not empty
};

class Lane {
 public:
  Lane(PoolImpl& pool, std::uint32_t index, std::uint64_t lane_offset, std::uint64_t lane_size);

  std::uint32_t index() const { return index_; }
  const std::string& pool_path() const;
  PoolImpl& pool() const { return pool_; }
  Journal& journal() { return journal_; }
  LaneCounters& counters() { return counters_; }
  const LaneCounters& counters() const { return counters_; }
  LaneCache& cache() { return cache_; }
  Transaction& transaction() { return transaction_; }

  void begin();
  // Whether the running transaction changed anything (logged a write,
  // allocated or freed): only such a commit wakes Pool::wait_for_commit.
  bool changed_anything() const { return !journal_.empty() || !allocated_.empty(); }
  // Makes the transaction durable, then does the volatile bookkeeping. If a
  // flush or fence fails before the commit mark, it rolls back and
  // rethrows; if the commit mark's own fence fails, it marks the pool
  // broken (durability unknown) and rethrows.
  void commit();
  // Undoes the transaction. If that fails the pool is marked broken and the
  // exception propagates; the lane is ready for reuse either way.
  void roll_back();

  // Transaction operations (see pschema/transaction.hpp).
  void add(std::uint64_t offset, std::size_t size);
  void add(std::uint64_t first, std::size_t first_size, std::uint64_t second, std::size_t second_size);
  // Logs each range whole (see Transaction::log_whole), behind one fence.
  void log_whole(std::span<const Transaction::Range> ranges);
  std::uint64_t allocate(std::size_t size, std::uint32_t type_id);
  void free(std::uint64_t offset);
  // The block of an object allocated before or by this transaction.
  Block block_of(std::uint64_t offset) const;
  // Its type id (also for objects allocated by this transaction).
  std::uint32_t type_of(std::uint64_t offset) const;
  // Whether the range lies inside an object this transaction allocated.
  bool inside_fresh(std::uint64_t offset, std::uint64_t size) const;
  // Elements a container added in this transaction (for const fields).
  void mark_new(std::uint64_t offset, std::size_t size);
  bool inside_new_element(std::uint64_t offset) const;
  // Tells an observing persistence backend about a store.
  void stored(const void* p, std::size_t size);
  // Holds the mutex of `word` in `mode` until finish() (concurrent pools
  // only; exclusive after shared upgrades). `container`: the map the
  // mutex is an entry of, or null; it is taken shared first, and if this
  // transaction holds it exclusively the entry needs no lock of its own.
  void lock(std::uint64_t* word, LockMode mode, const void* container = nullptr);
  // Holds the lock of the container of mutexes at `container` in `mode`
  // until finish(). Exclusive (to insert or erase, which move entries and
  // their lock words): the entries' own locks this transaction holds are
  // given back, since the container's lock now covers them, and must not
  // stay recorded at addresses the entries leave.
  void lock_container(const void* container, LockMode mode);
  // The end of a read of a concurrent pool: releases its mutexes (a read
  // logs and allocates nothing, so there is nothing else to reset).
  void end_read() noexcept { release_locks(); }

  // Nesting: how many scopes share the running transaction; `doomed` once
  // a nested body threw (the outermost must roll back).
  int depth = 0;
  bool doomed = false;
  std::mutex in_use;
  // The file engine: whether this transaction's commit wrote a record, and
  // for an immediate commit of a pool that is not concurrent, the log
  // position its record ends at, to be made durable once the writer gate
  // is released (TransactionScope::commit takes it; 0: nothing to wait for).
  bool wrote_record = false;
  std::uint64_t sync_after_release = 0;

 private:
  struct HeaderUpdate {
    std::uint64_t block_offset;
    std::uint64_t size_and_state;
    std::uint32_t type_id;
  };
  // Whether the range must be logged before it is written.
  bool needs_log(std::uint64_t offset, std::size_t size) const;
  // Appends undo entries for the range (no fence: the caller fences).
  void append_range(std::uint64_t offset, std::size_t size);
  // Heap::reserve, retried once after the pool reclaims fragmented free space.
  Block reserve(std::uint64_t size, Heap::Purpose purpose);
  void append_header_undo(const Block& block);
  // The file engine's commit: one log record instead of flushes and fences
  // (file_engine.cpp).
  void commit_to_log(FileEngine& engine);
  void check_in_heap(std::uint64_t offset, std::size_t size) const;
  void after_commit() noexcept;
  void finish() noexcept;
  void release_locks() noexcept;

  PoolImpl& pool_;
  std::uint32_t index_;
  LaneCounters counters_;
  Journal journal_;
  LaneCache cache_;
  Transaction transaction_;

  LoggedRanges logged_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dirty_;  // logged ranges, flushed at commit
  std::vector<Block> allocated_;                                // reserved by this transaction
  // The same blocks by payload offset, once there are more than
  // `few_allocations`: inside_fresh and block_of run for almost every
  // logged range, and a big transaction allocates thousands. Below that,
  // a walk of allocated_ costs less than keeping the tree.
  static constexpr std::size_t few_allocations = 16;
  using Fresh = std::map<std::uint64_t, Block, std::less<>, RecyclingAllocator<std::pair<const std::uint64_t, Block>>>;
  NodeRecycler fresh_nodes_;
  Fresh fresh_{Fresh::allocator_type(fresh_nodes_)};
  // The allocation of allocated_ holding `offset` (a payload offset, or any
  // offset inside a payload with `inside`), or null.
  const Block* fresh_block(std::uint64_t offset, bool inside) const;
  std::vector<Block> freed_;                                    // to free at commit
  std::unordered_set<std::uint64_t> freed_set_;                 // payload offsets, catches double frees
  std::vector<HeaderUpdate> header_updates_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> new_elements_;  // [begin, end)
  bool unfenced_entries_ = false;
  struct HeldLock {
    std::uint64_t* word;
    std::uint64_t* container;  // the word of the container it is an entry of, or null
  };
  std::vector<HeldLock> held_locks_;  // mutex words, released at finish()
  std::size_t entry_locks_ = 0;       // how many of them have a container
  void reserve_lock();
  // LockTable::container_word, remembered: the table's map of words is
  // behind one mutex that every lookup of every thread would take.
  std::unordered_map<const void*, std::uint64_t*> container_words_;
  std::uint64_t* container_word(const void* container);
};

}  // namespace pschema::detail
