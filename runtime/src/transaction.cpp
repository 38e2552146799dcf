// Running transactions: begin, logging, allocation, commit and rollback.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <random>
#include <thread>
#include <utility>

#include "pool_impl.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/type_ids.hpp"

namespace pschema {

namespace detail {

namespace {

// The transactions this thread is running, one per pool at most. Nested
// Pool::transaction calls find the running one here and join it.
thread_local std::vector<std::pair<const PoolImpl*, Lane*>> running_here;

// The calling thread's transaction on `pool` is over (or waits for its sync
// outside the pool's gate): it is no longer this thread's running one.
void forget_running_here(const PoolImpl* pool) {
  auto it =
      std::find_if(running_here.begin(), running_here.end(), [&](const auto& entry) { return entry.first == pool; });
  if (it != running_here.end()) running_here.erase(it);
}

// The reads this thread is in that took a pool's gate, innermost first
// (each ReadScope links to the one around it: no allocation per read).
thread_local ReadScope* innermost_read = nullptr;

// Undo entries hold at most this many bytes; bigger ranges are split.
constexpr std::uint64_t max_entry_data = 1 << 20;

}  // namespace

// ---- LoggedRanges ----------------------------------------------------------

LoggedRanges::LoggedRanges() : slots_(256) {}

bool LoggedRanges::covers(std::uint64_t offset, std::uint64_t size) const {
  return exactly(offset, size) || ((!small_wholes_.empty() || !many_wholes_.empty()) && inside_whole(offset, size));
}

bool LoggedRanges::exactly(std::uint64_t offset, std::uint64_t size) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = (offset * 0x9E3779B97F4A7C15ULL) >> 40 & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.key == 0) return false;
    if (slot.key == offset + 1) return size <= slot.size;
  }
}

void LoggedRanges::insert(std::uint64_t offset, std::uint64_t size) {
  if ((used_.size() + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = (offset * 0x9E3779B97F4A7C15ULL) >> 40 & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.key == offset + 1) {
      slot.size = std::max(slot.size, size);
      return;
    }
    if (slot.key == 0) {
      slot = Slot{offset + 1, size};
      used_.push_back(static_cast<std::uint32_t>(i));
      return;
    }
  }
}

bool LoggedRanges::inside_whole(std::uint64_t offset, std::uint64_t size) const {
  // The end of the last range beginning at or before `offset`.
  std::uint64_t end;
  if (many_wholes_.empty()) {
    auto after = std::upper_bound(small_wholes_.begin(), small_wholes_.end(), offset,
                                  [](std::uint64_t value, const auto& range) { return value < range.first; });
    if (after == small_wholes_.begin()) return false;
    end = std::prev(after)->second;
  } else {
    auto after = many_wholes_.upper_bound(offset);
    if (after == many_wholes_.begin()) return false;
    end = std::prev(after)->second;
  }
  // Nested whole ranges are not merged: a miss then only logs again (safe).
  return offset < end && size <= end - offset;
}

void LoggedRanges::insert_whole(std::uint64_t offset, std::uint64_t size) {
  if (many_wholes_.empty()) {
    auto at = std::lower_bound(small_wholes_.begin(), small_wholes_.end(), offset,
                               [](const auto& range, std::uint64_t value) { return range.first < value; });
    if (at != small_wholes_.end() && at->first == offset) {
      at->second = std::max(at->second, offset + size);
      return;
    }
    if (small_wholes_.size() < small_wholes) {
      small_wholes_.insert(at, {offset, offset + size});
      return;
    }
    // Many: from now on (until the transaction ends) the tree holds them all.
    many_wholes_.insert(small_wholes_.begin(), small_wholes_.end());
    small_wholes_.clear();
  }
  auto [at, inserted] = many_wholes_.try_emplace(offset, offset + size);
  if (!inserted) at->second = std::max(at->second, offset + size);
}

void LoggedRanges::grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, Slot{});
  used_.clear();
  for (const Slot& slot : old) {
    if (slot.key != 0) insert(slot.key - 1, slot.size);
  }
}

void LoggedRanges::clear() {
  for (std::uint32_t i : used_) slots_[i] = Slot{};
  used_.clear();
  small_wholes_.clear();
  many_wholes_.clear();
}

// ---- Lane ------------------------------------------------------------------

Lane::Lane(PoolImpl& pool, std::uint32_t index, std::uint64_t lane_offset, std::uint64_t lane_size)
    : pool_(pool),
      index_(index),
      journal_(pool.base(), lane_offset, lane_size, index, pool.persistence(), counters_),
      transaction_(*this) {
  pool.heap().register_cache(cache_);
}

const std::string& Lane::pool_path() const { return pool_.path(); }

void Lane::begin() {
  transaction_.base_ = pool_.base();
  transaction_.mapping_ = pool_.mapping();
  transaction_.root_offset_ = pool_.root_offset();
  transaction_.pool_instance_ = pool_.instance_id();
  transaction_.observed_ = pool_.persistence().observes_stores();
  transaction_.concurrent_ = pool_.concurrent();
  transaction_.recent_begin_ = transaction_.recent_end_ = 0;
  // References made from here on belong to this transaction and thread.
  transaction_.version_ += 1;  // odd: running
  transaction_.begin_version_ = transaction_.version_;
  transaction_.thread_ = &this_thread;
  depth = 1;
  doomed = false;
  wrote_record = false;
  sync_after_release = 0;
}

const Block* Lane::fresh_block(std::uint64_t offset, bool inside) const {
  auto holds = [&](const Block& block) {
    return inside ? offset - block.payload() < block.payload_size() : offset == block.payload();
  };
  if (fresh_.empty()) {
    // Newest first: objects are usually written right after they are made.
    for (auto it = allocated_.rbegin(); it != allocated_.rend(); ++it) {
      if (holds(*it)) return &*it;
    }
    return nullptr;
  }
  // Blocks do not overlap: only the last one starting at or before
  // `offset` can hold it.
  auto after = fresh_.upper_bound(offset);
  if (after == fresh_.begin()) return nullptr;
  const Block& block = std::prev(after)->second;
  return holds(block) ? &block : nullptr;
}

bool Lane::inside_fresh(std::uint64_t offset, std::uint64_t size) const {
  const Block* block = fresh_block(offset, true);
  return block != nullptr && size <= block->payload_size() - (offset - block->payload());
}

void Lane::add(std::uint64_t offset, std::size_t size) {
  if (!needs_log(offset, size)) return;
  append_range(offset, size);
  // The old contents must be durable before the caller overwrites them.
  journal_.fence(Site::log_entry);
  unfenced_entries_ = false;
  transaction_.recent_begin_ = offset;
  transaction_.recent_end_ = offset + size;
}

void Lane::add(std::uint64_t first, std::size_t first_size, std::uint64_t second, std::size_t second_size) {
  const bool log_first = needs_log(first, first_size);
  const bool log_second = needs_log(second, second_size);
  if (log_first) append_range(first, first_size);
  if (log_second) append_range(second, second_size);
  if (!log_first && !log_second) return;
  journal_.fence(Site::log_entry);  // one fence for both entries
  unfenced_entries_ = false;
  transaction_.recent_begin_ = second;
  transaction_.recent_end_ = second + second_size;
}

void Lane::log_whole(std::span<const Transaction::Range> ranges) {
  bool appended = false;
  for (const Transaction::Range& range : ranges) {
    const std::uint64_t offset = transaction_.offset_of(range.p);
    if (range.size == 0 || inside_fresh(offset, range.size)) continue;
    check_in_heap(offset, range.size);
    if (!logged_.covers(offset, range.size)) {
      append_range(offset, range.size);
      appended = true;
    }
    // Logged now or earlier from the same offset: either way its old
    // contents are in the journal, so writes anywhere inside need nothing.
    logged_.insert_whole(offset, range.size);
    transaction_.recent_begin_ = offset;
    transaction_.recent_end_ = offset + range.size;
  }
  if (appended) {
    journal_.fence(Site::log_entry);  // one fence for every entry
    unfenced_entries_ = false;
  }
}

bool Lane::needs_log(std::uint64_t offset, std::size_t size) const {
  if (size == 0) return false;
  check_in_heap(offset, size);
  return !logged_.covers(offset, size) && !inside_fresh(offset, size);
}

Block Lane::reserve(std::uint64_t size, Heap::Purpose purpose) {
  try {
    return pool_.heap().reserve(size, cache_, purpose);
  } catch (const pool_full&) {
    pool_.reclaim_free_space(*this);
  }
  return pool_.heap().reserve(size, cache_, purpose);
}

void Lane::append_header_undo(const Block& block) {
  journal_.append_undo(block.offset, sizeof(format::BlockHeader),
                       [this](std::uint64_t bytes) { return reserve(bytes, Heap::Purpose::journal); });
  // Durable with the next fence, which always comes before the header is
  // written at commit.
  unfenced_entries_ = true;
}

void Lane::check_in_heap(std::uint64_t offset, std::size_t size) const {
  const std::uint64_t heap_begin = pool_.heap().begin(), heap_end = pool_.heap().end();
  if (offset < heap_begin || offset > heap_end || size > heap_end - offset) {
    throw usage_error(pool_.path(), "write outside the pool's heap (offset " + std::to_string(offset) + ", " +
                                        std::to_string(size) + " bytes)");
  }
}

void Lane::append_range(std::uint64_t offset, std::size_t size) {
  auto reserve_segment = [this](std::uint64_t bytes) { return reserve(bytes, Heap::Purpose::journal); };
  for (std::uint64_t done = 0; done < size;) {
    auto piece = static_cast<std::uint32_t>(std::min<std::uint64_t>(size - done, max_entry_data));
    journal_.append_undo(offset + done, piece, reserve_segment);
    counters_.ranges_logged.add(1);
    done += piece;
  }
  logged_.insert(offset, size);
  dirty_.emplace_back(offset, size);
}

std::uint64_t Lane::allocate(std::size_t size, std::uint32_t type_id) {
  Block block = reserve(size, Heap::Purpose::object);
  // The header is written at commit; its undo entry goes into the log now.
  try {
    append_header_undo(block);
  } catch (...) {
    pool_.heap().release(block, cache_);
    throw;
  }
  allocated_.push_back(block);
  try {
    if (!fresh_.empty()) {
      fresh_.emplace(block.payload(), block);
    } else if (allocated_.size() > few_allocations) {
      for (const Block& made : allocated_) fresh_.emplace(made.payload(), made);
    }
  } catch (...) {
    // Out of memory: without the tree, the walk of allocated_ still answers.
    fresh_.clear();
  }
  header_updates_.push_back({block.offset, block.size | format::allocated_bit, type_id});
  std::byte* payload = pool_.base() + block.payload();
  std::memset(payload, 0, block.payload_size());
  if (transaction_.observed_) transaction_.stored(payload, block.payload_size());
  transaction_.recent_begin_ = block.payload();
  transaction_.recent_end_ = block.payload() + block.payload_size();
  return block.payload();
}

void Lane::stored(const void* p, std::size_t size) { pool_.persistence().stored(p, size); }

void Lane::mark_new(std::uint64_t offset, std::size_t size) { new_elements_.emplace_back(offset, offset + size); }

bool Lane::inside_new_element(std::uint64_t offset) const {
  return std::any_of(new_elements_.begin(), new_elements_.end(),
                     [&](const auto& range) { return offset >= range.first && offset < range.second; });
}

Block Lane::block_of(std::uint64_t offset) const {
  // One of this transaction's: its header is not written until commit.
  if (const Block* block = fresh_block(offset, false)) return *block;
  return pool_.heap().allocated_block_at(offset);
}

void Lane::free(std::uint64_t offset) {
  if (offset == pool_.root_offset()) throw usage_error(pool_.path(), "the root object cannot be freed");
  if (freed_set_.count(offset) != 0) {
    throw usage_error(pool_.path(), "object at offset " + std::to_string(offset) + " freed twice in one transaction");
  }
  const Block block = block_of(offset);
  append_header_undo(block);
  // References into the block (elements of a vec buffer that grew, of a
  // container destroyed with its owner) must not write into it any more.
  transaction_.moved(pool_.base() + block.payload(), block.payload_size());
  freed_.push_back(block);
  freed_set_.insert(offset);
  header_updates_.push_back({block.offset, block.size, format::type_ids::no_type});
  if (transaction_.recent_begin_ <= offset && offset < transaction_.recent_end_) {
    transaction_.recent_begin_ = transaction_.recent_end_ = 0;
  }
}

void Lane::commit() {
  if (journal_.empty() && allocated_.empty()) {
    // Nothing was written: no fence, nothing to make durable.
    counters_.transactions_committed.add(1);
    finish();
    return;
  }
  if (FileEngine* engine = pool_.file_engine()) return commit_to_log(*engine);
  try {
    if (unfenced_entries_) journal_.fence(Site::log_before_headers);
    // Every entry is durable now: the lane header says so from the
    // commit_data fence on, so that damage to the last batch is caught too.
    journal_.record_durable(Site::commit_headers);
    std::byte* base = pool_.base();
    for (const HeaderUpdate& update : header_updates_) {
      auto* header = reinterpret_cast<format::BlockHeader*>(base + update.block_offset);
      header->size_and_state = update.size_and_state;
      header->type_id = update.type_id;
      if (transaction_.observed_) transaction_.stored(header, sizeof *header);
      journal_.flush(header, sizeof *header, Site::commit_headers);
    }
    for (const auto& [offset, size] : dirty_) journal_.flush(base + offset, size, Site::commit_data);
    for (const Block& block : allocated_) {
      if (freed_set_.count(block.payload()) == 0) {
        journal_.flush(base + block.payload(), block.payload_size(), Site::commit_data);
      }
    }
    journal_.fence(Site::commit_data);
  } catch (...) {
    // Not committed: undo it (roll_back marks the pool broken if even
    // that fails) and report the original error.
    try {
      roll_back();
    } catch (...) {}
    throw;
  }
  journal_.mark_committed();
  try {
    journal_.fence(Site::commit_mark);
  } catch (...) {
    // The commit mark is written but may or may not be durable: neither
    // "committed" nor "rolled back" can be promised. Leave the mapping as
    // it is and refuse further transactions; the next open decides.
    pool_.mark_broken();
    finish();
    throw;
  }
  after_commit();
}

void Lane::after_commit() noexcept {
  // Committed and durable: from here nothing may undo it. Only volatile
  // bookkeeping is left, and if it cannot be done (out of memory), freed
  // blocks merely stay unused until the pool is reopened.
  try {
    std::int64_t bytes = 0, blocks = 0;
    for (const Block& block : allocated_) bytes += static_cast<std::int64_t>(block.size), ++blocks;
    for (const Block& block : freed_) bytes -= static_cast<std::int64_t>(block.size), --blocks;
    if (blocks != 0 || bytes != 0) Heap::account(bytes, blocks, cache_);
    counters_.allocations.add(allocated_.size());
    counters_.frees.add(freed_.size());
    for (const Block& block : freed_) pool_.heap().release(block, cache_);
    pool_.blocks_gone(freed_);
    counters_.transactions_committed.add(1);
  } catch (...) {}
  finish();
}

void Lane::roll_back() {
  try {
    if (!journal_.empty()) journal_.roll_back();
  } catch (...) {
    // The undo entries are still in the journal: the next open finishes
    // the rollback. Until then the pool must not run another transaction
    // on top of half-restored data.
    pool_.mark_broken();
    finish();
    throw;
  }
  for (const Block& block : allocated_) {
    // New objects were written in private memory that no record covers.
    if (FileEngine* engine = pool_.file_engine()) engine->touch(block.payload(), block.payload_size());
    pool_.heap().release(block, cache_);
  }
  try {
    // An object made and given a handle in this transaction never existed.
    pool_.blocks_gone(allocated_);
  } catch (...) {}
  counters_.transactions_aborted.add(1);
  finish();
}

std::uint32_t Lane::type_of(std::uint64_t offset) const {
  for (auto it = header_updates_.rbegin(); it != header_updates_.rend(); ++it) {
    if (it->block_offset + sizeof(format::BlockHeader) == offset) return it->type_id;
  }
  const Block block = pool_.heap().allocated_block_at(offset);
  return reinterpret_cast<const format::BlockHeader*>(pool_.base() + block.offset)->type_id;
}

void Lane::reserve_lock() {
  // Room first, so that recording the lock cannot fail once it is taken
  // (grown geometrically: a transaction may take thousands).
  if (held_locks_.size() == held_locks_.capacity())
    held_locks_.reserve(std::max<std::size_t>(16, 2 * held_locks_.size()));
}

std::uint64_t* Lane::container_word(const void* container) {
  auto [at, made] = container_words_.try_emplace(container, nullptr);
  if (made) {
    try {
      at->second = pool_.locks().container_word(container);
    } catch (...) {
      container_words_.erase(at);
      throw;
    }
  }
  return at->second;
}

void Lane::lock(std::uint64_t* word, LockMode mode, const void* container) {
  if (!pool_.concurrent()) return;  // the writer gate already excludes everyone else
  // (Reads use the lane without begin(): compute the offset from the pool.)
  check_in_heap(static_cast<std::uint64_t>(reinterpret_cast<const std::byte*>(word) - pool_.base()), sizeof *word);
  if (reinterpret_cast<std::uintptr_t>(word) % alignof(std::uint64_t) != 0) {
    throw usage_error(pool_.path(), "a mutex word must be 8-byte aligned");
  }
  std::uint64_t* guard = nullptr;
  if (container != nullptr) {
    guard = container_word(container);
    if (pool_.locks().holds_exclusively(guard, index_)) return;  // every entry is this transaction's
    lock_container(container, LockMode::shared);
  }
  reserve_lock();
  if (pool_.locks().lock(word, index_, mode, counters_, pool_.path())) {
    held_locks_.push_back({word, guard});
    if (guard != nullptr) ++entry_locks_;
  }
}

void Lane::lock_container(const void* container, LockMode mode) {
  if (!pool_.concurrent()) return;
  check_in_heap(static_cast<std::uint64_t>(static_cast<const std::byte*>(container) - pool_.base()), 1);
  LockTable& locks = pool_.locks();
  std::uint64_t* guard = container_word(container);
  reserve_lock();
  if (locks.lock(guard, index_, mode, counters_, pool_.path())) held_locks_.push_back({guard, nullptr});
  if (mode == LockMode::exclusive && entry_locks_ != 0) {
    std::erase_if(held_locks_, [&](const HeldLock& held) {
      if (held.container != guard) return false;
      locks.release_early(held.word, index_);
      --entry_locks_;
      return true;
    });
  }
}

void Lane::release_locks() noexcept {
  if (held_locks_.empty()) return;
  // Newest first: the entries of a map of mutexes before the map's own
  // lock, taken before them; released the other way round, an insert could
  // move an entry whose word a reader is still releasing.
  for (auto held = held_locks_.rbegin(); held != held_locks_.rend(); ++held) pool_.locks().unlock(held->word, index_);
  held_locks_.clear();
  entry_locks_ = 0;
  pool_.locks().ended(index_);  // a transaction that aborted waiting for this one may retry
}

void Lane::finish() noexcept {
  // Committed durably or rolled back: only now may others see the data.
  release_locks();
  std::vector<Block> segments = journal_.reset();
  logged_.clear();
  dirty_.clear();
  allocated_.clear();
  fresh_.clear();
  freed_.clear();
  freed_set_.clear();
  header_updates_.clear();
  new_elements_.clear();
  unfenced_entries_ = false;
  transaction_.recent_begin_ = transaction_.recent_end_ = 0;
  // Every reference made in the transaction is stale from now on.
  transaction_.version_ += 1;  // even: not running
  transaction_.moved_.clear();
  depth = 0;
  doomed = false;
  try {
    for (const Block& segment : segments) pool_.heap().release(segment, cache_);
  } catch (...) {
    // Out of memory for the free lists: the segments stay unused until
    // the pool is reopened (they are free on the medium).
  }
}

// ---- PoolImpl: lanes and the writer gate -----------------------------------

Lane* PoolImpl::current_lane() const {
  for (const auto& [pool, lane] : running_here) {
    if (pool == this) return lane;
  }
  return nullptr;
}

bool PoolImpl::reading_here() const {
  for (const ReadScope* scope = innermost_read; scope != nullptr; scope = scope->outer_) {
    if (&scope->pool_ == this) return true;
  }
  return false;
}

void PoolImpl::mark_broken() noexcept { broken_.store(true); }

Lane& PoolImpl::begin_transaction() {
  if (read_only_) {
    throw read_only_pool(path_,
                         "the pool was opened read-only (PoolOptions::read_only): it runs no transactions; "
                         "open it without read_only, with write permission, to change it");
  }
  Lane& lane = acquire_lane();
  running_here.emplace_back(this, &lane);
  lane.begin();
  if (redo_ != nullptr) redo_->transaction_started(lane.index());
  return lane;
}

Lane& PoolImpl::acquire_lane() const {
  // A concurrent pool's transactions take no gate (a shared one would be a
  // cache line every commit of every thread writes): holding a lane is
  // what close() waits for.
  if (!concurrent_) gate_.lock();
  if (broken_.load()) {
    release_gate();
    throw io_error(path_, "an earlier rollback failed (an I/O error); close and reopen the pool to recover it");
  }
  // Each thread keeps to the lane it had last (its log and allocator cache
  // stay warm); with the writer gate held exclusively any lane is free.
  thread_local std::uint32_t preferred = 0;
  Lane* lane = nullptr;
  for (std::size_t k = 0; k < lanes_.size() && lane == nullptr; ++k) {
    Lane& candidate = *lanes_[(preferred + k) % lanes_.size()];
    if (candidate.in_use.try_lock()) lane = &candidate;
  }
  if (lane == nullptr) {
    lane = lanes_[preferred % lanes_.size()].get();
    lane->in_use.lock();
  }
  preferred = lane->index();
  return *lane;
}

void PoolImpl::release_gate() const {
  if (!concurrent_) gate_.unlock();
}

void PoolImpl::release_lane(Lane& lane) const {
  // What close() waits for must be released last: once it is, the pool may
  // be closed and freed by another thread.
  if (concurrent_) {
    lane.in_use.unlock();
  } else {
    lane.in_use.unlock();
    gate_.unlock();
  }
}

void PoolImpl::reclaim_free_space(Lane& current) {
  heap_->drain(current.cache());
  for (auto& lane : lanes_) {
    if (lane.get() == &current || !lane->in_use.try_lock()) continue;  // busy lanes keep their caches
    heap_->drain(lane->cache());
    lane->in_use.unlock();
  }
  heap_->coalesce();
}

void PoolImpl::end_transaction(Lane& lane) {
  forget_running_here(this);
  if (redo_ != nullptr) {
    if (!concurrent_ && !lane.wrote_record && awaiting_sync_.load(std::memory_order_relaxed) != 0) {
      // A transaction that wrote nothing or aborted may have read a commit
      // whose sync is still running (await_durable): it returns no sooner
      // than a reader would see that commit (ReadScope). A failed sync is
      // reported to that commit's committer and breaks the pool.
      try {
        redo_->sync();
      } catch (...) {}
    }
    redo_->transaction_ended();
  }
  release_lane(lane);
}

void PoolImpl::await_durable(Lane& lane, std::uint64_t end) {
  forget_running_here(this);
  // Counted before the gate opens: a reader that gets the gate next sees
  // the count and waits for the sync (ReadScope), so no read returns data
  // that is not durable yet. The lane stays held until the sync is done,
  // which keeps close() (it takes every lane) from freeing the log, and the
  // committer still counts as a writer, which the sync leader waits for.
  awaiting_sync_.fetch_add(1, std::memory_order_relaxed);
  gate_.unlock();
  struct Release {
    const PoolImpl& pool;
    Lane& lane;
    ~Release() {
      pool.awaiting_sync_.fetch_sub(1, std::memory_order_relaxed);
      pool.redo_->transaction_ended();
      lane.in_use.unlock();  // last: the pool may be closed once it is free
    }
  } release{*this, lane};
  try {
    redo_->sync_to(end);
  } catch (...) {
    // In the log but perhaps not durable (as in Lane::commit_to_log): the
    // pool refuses further work; the next open replays what reached the disk.
    mark_broken();
    throw;
  }
}

void PoolImpl::wait_for_awaited_commits() const {
  // Called with the gate held shared, so no record is appended meanwhile:
  // syncing to the log's end covers every commit awaiting its sync.
  redo_->sync();
}

// ---- Scopes used by the Pool templates -------------------------------------

TransactionScope::TransactionScope(PoolImpl& pool, const TransactionOptions* options) : pool_(pool) {
  pool.refuse_if_forked();
  if (pool.reading_here()) {
    throw usage_error(pool.path(),
                      "cannot start a transaction inside a read of the same pool; "
                      "run the whole body as a transaction instead");
  }
  lane_ = pool.current_lane();
  if (lane_ != nullptr) {
    joined_ = true;
    ++lane_->depth;
  } else {
    lane_ = &pool.begin_transaction();
  }
  if (FileEngine* engine = pool.file_engine()) engine->note_options(lane_->index(), options, joined_);
  transaction_ = &lane_->transaction();
}

void TransactionScope::commit() {
  finished_ = true;
  // Forked inside the transaction: the lane, its log and the commit are
  // the parent's; the child touches none of them.
  pool_.refuse_if_forked();
  if (joined_) {
    --lane_->depth;
    return;
  }
  // Whatever happens below, the lane and the writer gate are given back.
  struct End {
    PoolImpl& pool;
    Lane& lane;
    bool pending = true;
    ~End() {
      if (pending) pool.end_transaction(lane);
    }
  } end{pool_, *lane_};
  if (lane_->doomed) {
    lane_->roll_back();
    throw usage_error(pool_.path(), "a nested transaction failed, so the whole transaction was rolled back");
  }
  const bool changed = lane_->changed_anything();
  lane_->commit();  // on failure it has rolled back or marked the pool broken
  if (const std::uint64_t sync_end = std::exchange(lane_->sync_after_release, 0); sync_end != 0) {
    // Committed in memory and written to the log; durable (and returned)
    // only once a sync covers the record, awaited outside the writer gate.
    end.pending = false;
    pool_.await_durable(*lane_, sync_end);
  }
  if (changed) pool_.note_commit();
}

void PoolImpl::note_commit() noexcept {
  commits_.fetch_add(1, std::memory_order_acq_rel);
  if (commit_waiters_.load(std::memory_order_acquire) != 0) {
    // Taken and released so that a waiter between its check of commits_
    // and its sleep (it holds the mutex then) cannot miss this wake-up.
    { std::lock_guard lock(commit_wait_mutex_); }
    commit_waited_.notify_all();
  }
}

bool PoolImpl::wait_for_commit(std::uint64_t after, std::chrono::nanoseconds timeout) const {
  if (current_lane() != nullptr) {
    throw usage_error(path_,
                      "wait_for_commit inside a transaction of the same pool: the transaction would hold "
                      "what other writers need; end it first");
  }
  std::unique_lock lock(commit_wait_mutex_);
  commit_waiters_.fetch_add(1, std::memory_order_acq_rel);
  const bool changed = commit_waited_.wait_for(lock, timeout, [&] { return commit_count() > after; });
  commit_waiters_.fetch_sub(1, std::memory_order_acq_rel);
  return changed;
}

TransactionScope::~TransactionScope() {
  // Forked inside the transaction: rolling back here would undo, in the
  // parent's file, what the parent is committing.
  if (finished_ || pool_.forked()) return;
  // The body threw.
  if (joined_) {
    --lane_->depth;
    lane_->doomed = true;
    return;
  }
  try {
    lane_->roll_back();
  } catch (...) {
    // Rolling back failed midway: the pool is marked broken, recovery at
    // the next open completes the rollback.
  }
  pool_.end_transaction(*lane_);
}

ReadScope::ReadScope(const PoolImpl& pool) : pool_(pool), view_(pool) {
  pool.refuse_if_forked();
  // Inside this thread's own transaction or read of the pool, the gate is
  // already held (locking it again could deadlock).
  if (pool.current_lane() != nullptr || pool.reading_here()) return;
  if (pool.concurrent()) {
    lane_ = &pool.acquire_lane();  // no gate: the lane holds the read's mutexes (and keeps close() out)
  } else {
    pool.gate().lock_shared();
    if (pool.awaiting_sync()) {
      // A commit whose sync is still running (PoolImpl::await_durable): its
      // data must not be read before it is durable.
      try {
        pool.wait_for_awaited_commits();
      } catch (...) {
        pool.gate().unlock_shared();
        throw;
      }
    }
  }
  locked_ = true;
  outer_ = innermost_read;
  innermost_read = this;
}

ReadScope::~ReadScope() {
  if (!locked_) return;
  // Scopes end in reverse order of construction (they live on the stack).
  innermost_read = outer_;
  if (lane_ != nullptr) {
    lane_->end_read();
    pool_.release_lane(*lane_);
  } else {
    pool_.gate().unlock_shared();
  }
}

// The lane of the transaction or read this thread runs on the pool holding
// `p` (null: a read of a pool that is not concurrent, whose gate already
// keeps the writer out). Throws usage_error outside of one.
Lane* lane_for_current(const void* p) {
  for (const auto& [pool, lane] : running_here) {
    if (pool->contains(p)) return lane;
  }
  for (const ReadScope* scope = innermost_read; scope != nullptr; scope = scope->outer_) {
    if (scope->pool_.contains(p)) return scope->lane_;
  }
  throw usage_error("", "a mutex can only be locked inside a transaction or read of its pool");
}

void lock_shared_for_current(const std::uint64_t* word, const void* container) {
  if (Lane* lane = lane_for_current(word)) lane->lock(const_cast<std::uint64_t*>(word), LockMode::shared, container);
}

void lock_container_shared_for_current(const void* container) {
  if (Lane* lane = lane_for_current(container)) lane->lock_container(container, LockMode::shared);
}

}  // namespace detail

void Pool::pause_before_retry(unsigned attempt) const {
  // First let the transaction this one waited for finish, then a random
  // pause, so that the transactions of a cycle do not meet again.
  const detail::PoolImpl& pool = checked_impl();
  if (pool.concurrent()) pool.locks().wait_for_conflict();
  thread_local std::minstd_rand random(static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  const unsigned ceiling = 50u << std::min(attempt, 6u);  // microseconds: 50, 100, ... 3200
  std::this_thread::sleep_for(std::chrono::microseconds(random() % ceiling + 1));
}

// ---- Transaction -----------------------------------------------------------

void Transaction::add_slow(std::uint64_t offset, std::size_t size) { lane_.add(offset, size); }

void Transaction::log_whole(std::initializer_list<Range> ranges) {
  lane_.log_whole(std::span<const Range>(ranges.begin(), ranges.size()));
}

void Transaction::log_whole(std::span<const Range> ranges) { lane_.log_whole(ranges); }

void Transaction::stored(const void* p, std::size_t size) { lane_.stored(p, size); }

bool Transaction::allocated_here(const void* p) const {
  const std::uint64_t offset = offset_of(p);
  return lane_.inside_fresh(offset, 1) || lane_.inside_new_element(offset);
}

void Transaction::mark_new(const void* p, std::size_t size) { lane_.mark_new(offset_of(p), size); }

void Transaction::add(const void* first, std::size_t first_size, const void* second, std::size_t second_size) {
  lane_.add(offset_of(first), first_size, offset_of(second), second_size);
}

std::size_t Transaction::allocation_size(std::uint64_t offset) const { return lane_.block_of(offset).payload_size(); }

std::uint32_t Transaction::allocation_type(std::uint64_t offset) const { return lane_.type_of(offset); }

namespace {
// An object held by rc<T> sits after the two counts of its shared block.
constexpr std::uint64_t shared_prefix = 16;
}  // namespace

bool Transaction::holds_object(std::uint64_t offset, std::uint32_t type_id) const noexcept {
  try {
    return lane_.type_of(offset) == type_id;
  } catch (...) {}
  try {
    return offset > shared_prefix &&
           lane_.type_of(offset - shared_prefix) == format::type_ids::shared_block_id(type_id);
  } catch (...) {
    return false;
  }
}

ReadView::ReadView(const detail::PoolImpl& pool)
    : pool_(&pool), base_(pool.base()), mapping_(pool.mapping()), root_offset_(pool.root_offset()) {}

std::uint64_t ReadView::pool_instance() const noexcept { return pool_->instance_id(); }
bool ReadView::concurrent() const noexcept { return pool_->concurrent(); }

void Transaction::lock(std::uint64_t* word, const void* container) {
  lane_.lock(word, detail::LockMode::exclusive, container);
}

void Transaction::lock_shared(std::uint64_t* word, const void* container) {
  lane_.lock(word, detail::LockMode::shared, container);
}

void Transaction::lock_container(const void* container) {
  lane_.lock_container(container, detail::LockMode::exclusive);
}

void Transaction::lock_container_shared(const void* container) {
  lane_.lock_container(container, detail::LockMode::shared);
}

std::uint64_t Transaction::handle_generation(std::uint64_t offset, bool track) const {
  return lane_.pool().handle_generation(offset, track);
}

std::uint64_t ReadView::handle_generation(std::uint64_t offset, bool track) const {
  return pool_->handle_generation(offset, track);
}

bool ReadView::holds_object(std::uint64_t offset, std::uint32_t type_id) const noexcept {
  auto type_at = [&](std::uint64_t at, std::uint32_t expected) {
    try {
      const detail::Block block = pool_->heap().allocated_block_at(at);
      return reinterpret_cast<const format::BlockHeader*>(base_ + block.offset)->type_id == expected;
    } catch (...) {
      return false;
    }
  };
  return type_at(offset, type_id) ||
         (offset > shared_prefix && type_at(offset - shared_prefix, format::type_ids::shared_block_id(type_id)));
}

std::uint64_t Transaction::allocate(std::size_t size, std::uint32_t type_id) { return lane_.allocate(size, type_id); }
void Transaction::free(std::uint64_t offset) { lane_.free(offset); }
std::uint64_t Transaction::sequence() const noexcept { return lane_.journal().sequence(); }

void Transaction::check_reference(std::uint64_t& version, const void* element) const {
  if ((version_ & 1) == 0 || version < begin_version_) {
    throw stale_reference(lane_.pool_path(),
                          "a Mut, container Mut, iterator or Owned<T> was used after the transaction that made it "
                          "ended (committed or rolled back); take it again inside the transaction that uses it");
  }
  if (!on_this_thread()) {
    throw stale_reference(lane_.pool_path(),
                          "a Mut, container Mut, iterator or Owned<T> was used on another thread than the one "
                          "running the transaction that made it");
  }
  if (element != nullptr) {
    const auto at = reinterpret_cast<std::uintptr_t>(element);
    for (auto it = moved_.rbegin(); it != moved_.rend() && it->version > version; ++it) {
      if (at - it->begin < it->end - it->begin) {
        throw stale_reference(lane_.pool_path(),
                              "an element of a vec or map (or an iterator over one) was used after the container "
                              "moved or removed it (a vec grew, shrank, inserted or erased; a map inserted or "
                              "erased); take the element again after changing the container");
      }
    }
  }
  version = version_;
}

// ---- Handle generations ----------------------------------------------------

namespace detail {

std::uint64_t PoolImpl::handle_generation(std::uint64_t offset, bool track) const {
  if (!track && !any_handles_.load(std::memory_order_acquire)) return 0;
  std::lock_guard<std::mutex> lock(generations_mutex_);
  if (!track) {
    auto it = generations_.find(offset);
    return it == generations_.end() ? 0 : it->second;
  }
  any_handles_.store(true, std::memory_order_release);
  return generations_[offset];
}

void PoolImpl::blocks_gone(std::span<const Block> blocks) {
  if (blocks.empty() || !any_handles_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(generations_mutex_);
  for (const Block& block : blocks) {
    // A handle is taken of a block's payload, or of the value behind an
    // rc block's count (shared_prefix bytes in).
    for (std::uint64_t at : {block.payload(), block.payload() + shared_prefix}) {
      auto it = generations_.find(at);
      if (it != generations_.end()) ++it->second;
    }
  }
}

}  // namespace detail

}  // namespace pschema
