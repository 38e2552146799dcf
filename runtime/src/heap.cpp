#include "heap.hpp"

#include <algorithm>
#include <cstring>

#include "pschema/errors.hpp"
#include "pschema/format/heap_walk.hpp"
#include "pschema/format/type_ids.hpp"

namespace pschema::detail {

namespace {

// Class sizes: 32..256 by 16, then eight steps per doubling up to 4 KiB.
constexpr std::array<std::uint64_t, SizeClasses::count> class_sizes = [] {
  std::array<std::uint64_t, SizeClasses::count> sizes{};
  std::size_t i = 0;
  for (std::uint64_t s = 32; s <= 256; s += 16) sizes[i++] = s;
  for (std::uint64_t base = 256; base < SizeClasses::largest_small; base *= 2) {
    for (std::uint64_t step = 1; step <= 8; ++step) sizes[i++] = base + step * base / 8;
  }
  return sizes;
}();
static_assert(class_sizes.back() == SizeClasses::largest_small);

// index_table[size / 16] = smallest class whose size is >= size.
constexpr auto index_table = [] {
  std::array<std::uint8_t, SizeClasses::largest_small / 16 + 1> table{};
  std::size_t cls = 0;
  for (std::size_t slot = 0; slot < table.size(); ++slot) {
    while (class_sizes[cls] < slot * 16) ++cls;
    table[slot] = static_cast<std::uint8_t>(cls);
  }
  return table;
}();

// How many bytes a lane takes from the shared lists (or carves) at once.
constexpr std::uint64_t refill_bytes = 16 * 1024;
constexpr std::size_t refill_max_blocks = 64;
// A lane cache holding more than this many blocks of a class gives half back.
constexpr std::size_t lane_cache_limit = 256;

}  // namespace

std::size_t SizeClasses::index_for(std::uint64_t size) {
  if (size > largest_small) return count;
  return index_table[(size + 15) / 16];
}

std::uint64_t SizeClasses::block_size(std::size_t index) { return class_sizes[index]; }

bool SizeClasses::is_class_size(std::uint64_t size) {
  std::size_t index = index_for(size);
  return index < count && class_sizes[index] == size;
}

Heap::Heap(std::byte* base, std::uint64_t begin, std::uint64_t end, Persistence& persistence, std::string path)
    : base_(base), begin_(begin), end_(end), persistence_(persistence), path_(std::move(path)) {
  usage_.heap_size = end - begin;
  journal_reserve_ = std::clamp<std::uint64_t>((end - begin) / 16, 64 * 1024, 4 * 1024 * 1024);
  // Counted in bytes alone, the reserve can be scattered over blocks too
  // small for any segment; so objects also keep one block that holds at
  // least the reserve and one whole segment, its header included.
  journal_block_ = format::round_up(std::max(journal_reserve_, min_segment_payload + sizeof(format::BlockHeader)),
                                    format::block_alignment);
}

std::uint64_t Heap::object_room_locked(std::uint64_t block_size) const {
  if (block_size < journal_block_) return block_size;
  // Another block that big keeps the reserve whole, whatever this one gives.
  if (std::next(large_free_.lower_bound(journal_block_)) != large_free_.end()) return block_size;
  return block_size - journal_block_;
}

format::BlockHeader* Heap::header_at(std::uint64_t offset) const {
  return reinterpret_cast<format::BlockHeader*>(base_ + offset);
}

void Heap::write_free_header(std::uint64_t offset, std::uint64_t size) {
  format::BlockHeader* h = header_at(offset);
  h->size_and_state = size;
  h->type_id = format::type_ids::no_type;
  h->tag = format::block_tag(offset);
  persistence_.stored(h, sizeof *h);
}

void Heap::rebuild() {
  std::lock_guard lock(mutex_);
  for (auto& list : small_free_) list.clear();
  large_free_.clear();
  large_free_bytes_ = 0;
  usage_ = HeapUsage{};
  usage_.heap_size = end_ - begin_;
  // Only at open, before any transaction: the caches have counted nothing.

  format::HeapWalk walk({base_, end_}, begin_, end_);
  std::uint64_t free_run = 0;  // offset of the free block being extended, or 0
  while (const auto block = walk.next()) {
    if (block->allocated) {
      if (free_run != 0) add_free_locked(free_run, header_at(free_run)->size_and_state);
      free_run = 0;
      usage_.allocated_bytes += block->size;
      usage_.allocated_blocks += 1;
    } else if (free_run != 0) {
      // Merge into the preceding free block: one 8-byte store; the merged
      // header becomes free space. Not flushed or fenced: see coalesce().
      format::BlockHeader* run = header_at(free_run);
      run->size_and_state += block->size;
      persistence_.stored(&run->size_and_state, 8);
    } else {
      free_run = block->offset;
    }
  }
  if (!walk.damage().empty()) {
    throw corrupt_pool(path_, "heap block at offset " + std::to_string(walk.position()) + ": " + walk.damage());
  }
  if (free_run != 0) add_free_locked(free_run, header_at(free_run)->size_and_state);
}

void Heap::add_free_locked(std::uint64_t offset, std::uint64_t size) {
  if (SizeClasses::is_class_size(size)) {
    small_free_[SizeClasses::index_for(size)].push_back(offset);
  } else {
    large_free_.emplace(size, offset);
    large_free_bytes_ += size;
  }
}

void Heap::erase_large_locked(std::multimap<std::uint64_t, std::uint64_t>::iterator it) {
  large_free_bytes_ -= it->first;
  large_free_.erase(it);
}

Block Heap::reserve(std::uint64_t payload_size, LaneCache& cache, Purpose purpose) {
  if (payload_size > end_ - begin_) {
    std::lock_guard lock(mutex_);
    throw_full(payload_size);
  }
  std::uint64_t size = std::max(format::min_block_size,
                                format::round_up(payload_size + sizeof(format::BlockHeader), format::block_alignment));
  std::size_t index = SizeClasses::index_for(size);
  if (index < SizeClasses::count) {
    auto& local = cache.free[index];
    if (local.empty()) {
      std::lock_guard lock(mutex_);
      if (!refill_locked(index, cache) && !carve_locked(index, cache)) throw_full(payload_size);
    }
    std::uint64_t offset = local.back();
    local.pop_back();
    return Block{offset, SizeClasses::block_size(index)};
  }
  std::lock_guard lock(mutex_);
  return reserve_large_locked(size, purpose);
}

bool Heap::refill_locked(std::size_t index, LaneCache& cache) {
  auto& shared = small_free_[index];
  if (shared.empty()) return false;
  std::size_t want = std::clamp<std::size_t>(refill_bytes / SizeClasses::block_size(index), 1, refill_max_blocks);
  std::size_t take = std::min(want, shared.size());
  auto& local = cache.free[index];
  local.insert(local.end(), shared.end() - static_cast<std::ptrdiff_t>(take), shared.end());
  shared.resize(shared.size() - take);
  return true;
}

bool Heap::carve_locked(std::size_t index, LaneCache& cache) {
  const std::uint64_t piece = SizeClasses::block_size(index);
  std::uint64_t want = std::clamp<std::uint64_t>(refill_bytes / piece, 1, refill_max_blocks) * piece;
  // Objects leave the journal reserve alone.
  const std::uint64_t available = large_free_bytes_ > journal_reserve_ ? large_free_bytes_ - journal_reserve_ : 0;
  want = std::min(want, available / piece * piece);

  // Prefer the smallest large block that holds a whole batch; else any
  // large block that yields a piece; else a free block of a bigger class.
  // From a large block, no more than object_room_locked allows.
  std::uint64_t source = 0, source_size = 0, take = 0;
  bool from_large = false;
  if (want > 0) {
    // Any block of at least piece + min_block_size yields one piece and a
    // remainder that is still a valid block.
    for (const std::uint64_t at_least : {want + format::min_block_size, piece + format::min_block_size}) {
      const auto it = large_free_.lower_bound(at_least);
      if (it == large_free_.end()) continue;
      take = std::min(want, object_room_locked(it->first)) / piece * piece;
      if (take == 0) continue;
      source_size = it->first;
      source = it->second;
      from_large = true;
      erase_large_locked(it);
      break;
    }
  }
  if (!from_large) {
    for (std::size_t bigger = index + 1; bigger < SizeClasses::count && source == 0; ++bigger) {
      // It must leave either nothing or a valid block behind.
      const std::uint64_t size = SizeClasses::block_size(bigger);
      const bool usable = size % piece == 0 || size >= piece + format::min_block_size;
      if (usable && !small_free_[bigger].empty()) {
        source = small_free_[bigger].back();
        source_size = SizeClasses::block_size(bigger);
        small_free_[bigger].pop_back();
      }
    }
    if (source == 0) return false;
  }

  // A large source gives at most `take` (the journal reserve stays); a
  // block of a bigger class is cut up whole.
  std::uint64_t count = (from_large ? take : source_size) / piece;
  std::uint64_t remainder = source_size - count * piece;
  if (remainder != 0 && remainder < format::min_block_size) {
    // Too small to be a block of its own: leave one more piece behind.
    --count;
    remainder += piece;
  }
  if (count == 0) {
    add_free_locked(source, source_size);
    return false;
  }
  split_tail_locked(source, source_size, count * piece, piece);
  if (remainder != 0) add_free_locked(source, remainder);
  auto& local = cache.free[index];
  for (std::uint64_t k = 0; k < count; ++k) local.push_back(source + remainder + k * piece);
  return true;
}

void Heap::split_tail_locked(std::uint64_t offset, std::uint64_t size, std::uint64_t tail_size, std::uint64_t piece) {
  const std::uint64_t tail = offset + size - tail_size;
  // 1. Headers of the new blocks, in what is still free space of the
  //    source block, made durable before anything points at them.
  bool wrote_any = false;
  for (std::uint64_t at = tail; at < offset + size; at += piece) {
    if (at == offset) continue;  // the source's own header is step 2
    write_free_header(at, piece);
    lines_flushed_.add(persistence_.flush(header_at(at), sizeof(format::BlockHeader), Site::heap_carve));
    wrote_any = true;
  }
  if (wrote_any) {
    persistence_.fence(Site::heap_carve);
    fences_.add(1);
  }
  // 2. Shrink the source block (one 8-byte store). Whether or not it is
  //    durable before a crash, the heap walks cleanly: either the old big
  //    block or the shrunk one followed by the new blocks. It is fenced
  //    here, not left to the next transaction's fences: the new blocks may
  //    be committed by another lane, whose fences do not cover this store.
  format::BlockHeader* h = header_at(offset);
  h->size_and_state = tail == offset ? piece : tail - offset;
  persistence_.stored(&h->size_and_state, 8);
  lines_flushed_.add(persistence_.flush(&h->size_and_state, 8, Site::heap_carve));
  persistence_.fence(Site::heap_carve);
  fences_.add(1);
}

Block Heap::reserve_large_locked(std::uint64_t size, Purpose purpose) {
  auto it = large_free_.lower_bound(size);
  // The best fit is the smallest block that holds `size`: if objects may
  // not take it, no other block would do either.
  if (it == large_free_.end() || (purpose == Purpose::object && (large_free_bytes_ < size + journal_reserve_ ||
                                                                 object_room_locked(it->first) < size))) {
    throw_full(size - sizeof(format::BlockHeader));
  }
  std::uint64_t block_size = it->first, offset = it->second;
  erase_large_locked(it);
  std::uint64_t remainder = block_size - size;
  if (remainder < format::min_block_size) return Block{offset, block_size};  // take it whole
  split_tail_locked(offset, block_size, size, size);
  add_free_locked(offset, remainder);
  return Block{offset + remainder, size};
}

void Heap::release(Block block, LaneCache& cache) {
  std::size_t index = SizeClasses::index_for(block.size);
  if (index < SizeClasses::count && SizeClasses::block_size(index) == block.size) {
    auto& local = cache.free[index];
    local.push_back(block.offset);
    if (local.size() > lane_cache_limit) {
      std::lock_guard lock(mutex_);
      auto& shared = small_free_[index];
      std::size_t give = local.size() / 2;
      shared.insert(shared.end(), local.end() - static_cast<std::ptrdiff_t>(give), local.end());
      local.resize(local.size() - give);
    }
    return;
  }
  std::lock_guard lock(mutex_);
  add_free_locked(block.offset, block.size);
}

void Heap::drain(LaneCache& cache) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < SizeClasses::count; ++i) {
    auto& shared = small_free_[i];
    shared.insert(shared.end(), cache.free[i].begin(), cache.free[i].end());
    cache.free[i].clear();
  }
}

void Heap::coalesce() {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks;  // offset, size
  for (std::size_t i = 0; i < SizeClasses::count; ++i) {
    for (std::uint64_t offset : small_free_[i]) blocks.emplace_back(offset, SizeClasses::block_size(i));
    small_free_[i].clear();
  }
  for (const auto& [size, offset] : large_free_) blocks.emplace_back(offset, size);
  large_free_.clear();
  large_free_bytes_ = 0;
  std::sort(blocks.begin(), blocks.end());

  for (std::size_t i = 0; i < blocks.size();) {
    auto [offset, size] = blocks[i];
    std::size_t j = i + 1;
    while (j < blocks.size() && blocks[j].first == offset + size) size += blocks[j++].second;
    if (j > i + 1) {
      // One 8-byte store: every block it swallows is free and says so.
      // Merges are not flushed or fenced: whether one is durable or not,
      // the heap walks cleanly (the merged headers are still valid free
      // blocks), and any later use of the merged block rewrites this word
      // through a site that is flushed and fenced (a split, or a commit).
      // The crash simulator's mutation check confirmed the flush and fence
      // that used to be here were redundant.
      format::BlockHeader* h = header_at(offset);
      h->size_and_state = size;
      persistence_.stored(&h->size_and_state, 8);
      persistence_.merged(&h->size_and_state, 8);
    }
    add_free_locked(offset, size);
    i = j;
  }
}

void Heap::register_cache(const LaneCache& cache) {
  std::lock_guard lock(mutex_);
  caches_.push_back(&cache);
}

void Heap::account(std::int64_t bytes, std::int64_t blocks, LaneCache& cache) {
  // One writer per cache: a plain read-add-store, no locked instruction.
  cache.allocated_bytes.store(cache.allocated_bytes.load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
  cache.allocated_blocks.store(cache.allocated_blocks.load(std::memory_order_relaxed) + blocks,
                               std::memory_order_relaxed);
}

HeapUsage Heap::usage() const {
  std::lock_guard lock(mutex_);
  return usage_locked();
}

HeapUsage Heap::usage_locked() const {
  HeapUsage u = usage_;
  for (const LaneCache* cache : caches_) {
    u.allocated_bytes += static_cast<std::uint64_t>(cache->allocated_bytes.load(std::memory_order_relaxed));
    u.allocated_blocks += static_cast<std::uint64_t>(cache->allocated_blocks.load(std::memory_order_relaxed));
  }
  return u;
}

Block Heap::allocated_block_at(std::uint64_t payload) const {
  const std::uint64_t offset = payload - sizeof(format::BlockHeader);
  if (payload < begin_ + sizeof(format::BlockHeader) || payload >= end_ || payload % format::block_alignment != 0) {
    throw usage_error(path_, "offset " + std::to_string(payload) + " is not an object in this pool");
  }
  const format::BlockHeader* h = header_at(offset);
  std::uint64_t size = h->size_and_state & ~format::allocated_bit;
  if (h->tag != format::block_tag(offset) || (h->size_and_state & format::allocated_bit) == 0 ||
      size < format::min_block_size || size > end_ - offset) {
    throw usage_error(path_, "offset " + std::to_string(payload) + " is not an allocated object");
  }
  return Block{offset, size};
}

void Heap::throw_full(std::uint64_t payload_size) const {
  HeapUsage u = usage_locked();
  throw pool_full(path_, "no room for an allocation of " + std::to_string(payload_size) + " bytes (heap of " +
                             std::to_string(u.heap_size) + " bytes, " + std::to_string(u.allocated_bytes) +
                             " bytes in " + std::to_string(u.allocated_blocks) + " allocated blocks)");
}

void Heap::add_maintenance_counters(Counters& out) const {
  out.fences += fences_.get();
  out.lines_flushed += lines_flushed_.get();
}

}  // namespace pschema::detail
