#include "file_engine.hpp"

#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "back_off.hpp"
#include "file_io_util.hpp"
#include "pool_impl.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/checksum.hpp"

namespace pschema::detail {

namespace {

constexpr std::uint64_t page = format::page;
// A lane keeps at most this much record buffer between transactions.
constexpr std::size_t kept_record_capacity = 1 << 20;
const std::byte zero_padding[8] = {};

}  // namespace

// ---- FileEngine ---------------------------------------------------------------

FileEngine::FileEngine(PoolImpl& pool, const PoolOptions& options, std::shared_ptr<FileIo> io, SharedCounter& syncs)
    : pool_(pool),
      io_(std::move(io)),
      syncs_(syncs),
      durability_(options.durability),
      checkpoint_log_bytes_(std::max<std::uint64_t>(options.checkpoint_log_bytes, 1)),
      checkpoint_private_pages_(std::max<std::uint64_t>(options.checkpoint_private_bytes / page, 1)) {
  const format::Superblock& sb = pool.superblock_;
  heap_begin_ = sb.heap_offset;
  heap_end_ = sb.heap_offset + sb.heap_size;
  lanes_.resize(sb.lane_count);
  page_words_ = ((sb.heap_size + page - 1) / page + 63) / 64;
  pages_ = std::make_unique<std::atomic<std::uint64_t>[]>(page_words_);
}

FileEngine::~FileEngine() = default;

void FileEngine::attach(std::byte* base, std::size_t size) {
  (void)size;
  base_ = base;
}

void FileEngine::stored(const void* addr, std::size_t size) {
  if (!running_) return;
  // The heap's own stores and rollbacks: private pages to count and drop.
  touch(static_cast<std::uint64_t>(static_cast<const std::byte*>(addr) - base_), size);
}

std::size_t FileEngine::flush(const void* addr, std::size_t size, Site site) {
  if (!running_) return 0;  // the next fence syncs every dirty page of the shared mapping
  // Carving turns one free block into several. The undo engine fences it
  // at once; here it goes into the next record, ahead of the transaction
  // that may allocate one of the new blocks (possibly on another lane).
  if (site == Site::heap_carve) capture(addr, size);
  return 0;
}

void FileEngine::fence(Site site) {
  (void)site;
  if (!running_) {
    // Recovery and creation on the shared mapping: fdatasync writes back
    // every page the mapping dirtied, which is what msync of the flushed
    // ranges would do, and more.
    io_sync(*io_, pool_.fd_, pool_.path(), "the pool file", SyncSite::undo_fence);
    syncs_.add(1);
  }
  // Running: undo entries need no ordering against the data in private
  // memory, and commits are made durable by the log.
}

void FileEngine::merged(const void* addr, std::size_t size) {
  if (running_) capture(addr, size);
}

void FileEngine::capture(const void* addr, std::size_t size) {
  const auto offset = static_cast<std::uint64_t>(static_cast<const std::byte*>(addr) - base_);
  const logformat::RangeHeader header{offset, size};
  std::lock_guard lock(capture_mutex_);
  captured_.append(&header, sizeof header);
  captured_.append(addr, size);
  captured_.append(zero_padding, logformat::padded(size) - size);
  captured_ranges_.emplace_back(offset, size);
}

void FileEngine::start(std::uint64_t generation) {
  log_ = std::make_unique<RedoLog>(*io_, log_path_for(pool_.path()), pool_.superblock_.uuid, syncs_);
  struct stat pool_file{};
  if (::fstat(pool_.fd_, &pool_file) != 0)
    throw io_error(pool_.path(), "cannot stat the pool: " + errno_message(errno));
  log_->open(pool_file.st_mode & 0777);
  log_->reset(generation, 2 * checkpoint_log_bytes_);
  // From here on the file changes only by pwrite. The shared mapping's
  // writes are in the page cache, which the private mapping reads.
  void* address =
      ::mmap(pool_.base_, pool_.mapped_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, pool_.fd_, 0);
  if (address == MAP_FAILED) {
    throw io_error(pool_.path(), "cannot map the pool privately: " + errno_message(errno));
  }
  // No read-ahead on the private copy. A transaction's first write to a
  // page that is not in the page cache (typically the fresh part of the
  // heap, where new objects go) would otherwise make the kernel read a
  // large window around it first: 1.4-4 ms on the first transaction of a
  // fresh pool on this project's test disk, for 8 pages (docs/runtime.md
  // 11.1). Opening the pool has already read every block header through
  // the shared mapping, so a warm read path loses nothing; only a cold
  // sequential read of a large object faults one page at a time. Advice
  // only: a failure changes nothing but speed.
  ::madvise(pool_.base_, pool_.mapped_size_, MADV_RANDOM);
  unregister_shared_mapping(pool_.base_);  // private already: a forked child gets a copy-on-write copy
  running_ = true;
}

void FileEngine::transaction_started(std::uint32_t lane) noexcept {
  lanes_[lane].durability.reset();
  log_->writer_started();
}

void FileEngine::note_options(std::uint32_t lane, const TransactionOptions* options, bool joined) noexcept {
  std::optional<Durability>& durability = lanes_[lane].durability;
  const std::optional<Durability> asked = options != nullptr ? options->durability : std::nullopt;
  if (!joined) {
    durability = asked.value_or(durability_);
  } else if (asked == Durability::immediate) {
    durability = Durability::immediate;  // a nested body that needs durability gets it
  }
}

bool FileEngine::commits_immediately(std::uint32_t lane) const {
  return lanes_[lane].durability.value_or(durability_) == Durability::immediate;
}

std::uint64_t FileEngine::append(std::uint32_t lane, bool& reached_file) {
  reached_file = false;
  LaneState& state = lanes_[lane];
  std::uint64_t bytes = sizeof(logformat::RecordHeader);
  for (const auto& [offset, size] : state.ranges) bytes += sizeof(logformat::RangeHeader) + logformat::padded(size);
  RecordBuffer& record = state.record;
  record.resize(bytes);
  // The after-images: what the undo engine would flush at commit. Stable
  // while copied: the writer gate, or the transaction's own mutexes, keep
  // every other writer away from them.
  std::byte* at = record.data() + sizeof(logformat::RecordHeader);
  for (const auto& [offset, size] : state.ranges) {
    const logformat::RangeHeader header{offset, size};
    std::memcpy(at, &header, sizeof header);
    at += sizeof header;
    std::memcpy(at, base_ + offset, size);
    std::memset(at + size, 0, logformat::padded(size) - size);
    at += logformat::padded(size);
  }
  const std::uint64_t checksum = format::checksum64(record.data() + sizeof(logformat::RecordHeader),
                                                    bytes - sizeof(logformat::RecordHeader), log_->salt());
  const std::uint64_t end = write_record(record, state.ranges, checksum, reached_file);
  record.trim(kept_record_capacity);
  return end;
}

std::uint64_t FileEngine::write_record(RecordBuffer& record, const Ranges& ranges, std::uint64_t transaction_checksum,
                                       bool& reached_file) {
  std::lock_guard lock(log_->mutex());
  // Heap maintenance since the previous record goes into this one, taken
  // under the log's lock: a record that allocates a carved block can never
  // reach the log before the record holding the carving.
  RecordBuffer taken;
  Ranges taken_ranges;
  {
    std::lock_guard captures(capture_mutex_);
    std::swap(taken, captured_);
    std::swap(taken_ranges, captured_ranges_);
  }
  const std::uint64_t maintenance_offset = record.size();
  record.append(taken.data(), taken.size());
  const std::uint64_t checksum =
      format::checksum64(record.data() + maintenance_offset, record.size() - maintenance_offset, transaction_checksum);
  std::uint64_t end = 0;
  try {
    end =
        log_->write_locked(record, static_cast<std::uint32_t>(ranges.size()),
                           static_cast<std::uint32_t>(taken_ranges.size()), maintenance_offset, checksum, reached_file);
  } catch (...) {
    if (!reached_file) {
      // Not in the log: the maintenance goes with the next record, ahead
      // of whatever was captured meanwhile.
      std::lock_guard captures(capture_mutex_);
      taken.append(captured_.data(), captured_.size());
      taken_ranges.insert(taken_ranges.end(), captured_ranges_.begin(), captured_ranges_.end());
      std::swap(taken, captured_);
      std::swap(taken_ranges, captured_ranges_);
    }
    throw;
  }
  for (const auto& range : taken_ranges) {
    checkpoint_ranges_.push_back(range);
    touch(range.first, range.second);
  }
  for (const auto& range : ranges) {
    checkpoint_ranges_.push_back(range);
    touch(range.first, range.second);
  }
  return end;
}

void FileEngine::touch(std::uint64_t offset, std::uint64_t size) noexcept {
  if (size == 0 || offset >= heap_end_ || offset + size <= heap_begin_) return;
  const std::uint64_t first = (std::max(offset, heap_begin_) - heap_begin_) / page;
  const std::uint64_t last = (std::min(offset + size, heap_end_) - 1 - heap_begin_) / page;
  for (std::uint64_t p = first; p <= last; ++p) {
    std::atomic<std::uint64_t>& word = pages_[p / 64];
    const std::uint64_t bit = std::uint64_t{1} << (p % 64);
    if ((word.load(std::memory_order_relaxed) & bit) != 0) continue;
    if ((word.fetch_or(bit, std::memory_order_relaxed) & bit) == 0)
      touched_pages_.fetch_add(1, std::memory_order_relaxed);
  }
}

bool FileEngine::checkpoint_due(std::uint64_t factor) const {
  return log_->record_bytes() >= factor * checkpoint_log_bytes_ ||
         touched_pages_.load(std::memory_order_relaxed) >= factor * checkpoint_private_pages_;
}

void FileEngine::after_commit(Lane& lane) noexcept {
  if (!checkpoint_due(1)) return;
  try {
    if (pool_.concurrent()) {
      checkpoint_concurrent(lane, checkpoint_due(4));
    } else {
      checkpoint();  // the writer gate is held: no transaction or read runs
    }
  } catch (...) {
    // The transaction is committed and durable; the checkpoint's writes
    // may not be. The log still holds everything, but after a failed write
    // or sync the page cache cannot be trusted: refuse further work until
    // the pool is reopened (which replays the log).
    pool_.mark_broken();
  }
}

void FileEngine::checkpoint_concurrent(Lane& mine, bool wait) {
  std::unique_lock one(checkpointing_, std::try_to_lock);
  if (!one.owns_lock()) return;  // another lane is at it
  std::vector<Lane*> taken;
  struct Release {
    std::vector<Lane*>& lanes;
    ~Release() {
      for (Lane* lane : lanes) lane->in_use.unlock();
    }
  } release{taken};
  // Every transaction and read holds a lane: holding all of them, the
  // private copy is exactly the committed state.
  for (auto& lane : pool_.lanes_) {
    if (lane.get() == &mine) continue;
    for (unsigned round = 0; !lane->in_use.try_lock(); ++round) {
      // Give up rather than wait for close(), which takes every lane and
      // would wait for ours.
      if (!wait || pool_.closing_.load()) return;
      back_off(round);
    }
    taken.push_back(lane.get());
  }
  if (checkpoint_due(1)) checkpoint();
}

void FileEngine::checkpoint() {
  bool maintenance = false;
  {
    std::lock_guard lock(capture_mutex_);
    maintenance = !captured_ranges_.empty();
  }
  if (maintenance) {
    // Carving or merging with no record after it: log it like a
    // transaction, so that its pages can be dropped below.
    maintenance_record_.resize(sizeof(logformat::RecordHeader));
    bool reached_file = false;
    write_record(maintenance_record_, {}, format::checksum64(maintenance_record_.data(), 0, log_->salt()),
                 reached_file);
  }
  Ranges ranges;
  {
    std::lock_guard lock(log_->mutex());
    ranges.swap(checkpoint_ranges_);
  }
  if (ranges.empty()) {
    // Nothing committed since the log was reset: the file already holds
    // the committed state, and pages aborted transactions wrote can go.
    drop_private_pages();
    return;
  }
  // Every record must be durable before the pool file holds its data: a
  // crash would otherwise leave the file ahead of the log's durable prefix.
  log_->sync_all();

  std::sort(ranges.begin(), ranges.end());
  const int fd = pool_.fd_;
  const std::string& path = pool_.path();
  // Exactly the bytes the records hold (merged where they overlap), taken
  // from the private copy, which with no transaction running is the
  // committed state. Nothing else of the private copy reaches the file.
  for (std::size_t i = 0; i < ranges.size();) {
    const std::uint64_t begin = ranges[i].first;
    std::uint64_t end = begin + ranges[i].second;
    for (++i; i < ranges.size() && ranges[i].first <= end; ++i) end = std::max(end, ranges[i].first + ranges[i].second);
    io_write(*io_, fd, base_ + begin, end - begin, begin, path, "the pool file (checkpoint)");
  }
  io_sync(*io_, fd, path, "the pool file (checkpoint)", SyncSite::checkpoint_pool);
  syncs_.add(1);
  log_->reset(pool_.generation(), 2 * checkpoint_log_bytes_);
  drop_private_pages();
  checkpoints_.add(1);
}

void FileEngine::drop_private_pages() noexcept {
  // The file now holds what the private pages hold (where it matters), so
  // they can go back to being read from the page cache.
  const std::uint64_t mapping_end = (pool_.mapped_size_ + page - 1) / page * page;
  auto drop = [&](std::uint64_t begin, std::uint64_t end) {
    end = std::min(end, mapping_end);
    if (begin < end) ::madvise(base_ + begin, end - begin, MADV_DONTNEED);  // a failure only keeps memory
  };
  std::uint64_t run_begin = 0;
  bool in_run = false;
  const std::uint64_t pages = page_words_ * 64;
  for (std::uint64_t p = 0; p <= pages; ++p) {
    const bool set = p < pages && (pages_[p / 64].load(std::memory_order_relaxed) >> (p % 64) & 1) != 0;
    if (set && !in_run) {
      run_begin = p;
      in_run = true;
    } else if (!set && in_run) {
      drop(heap_begin_ + run_begin * page, heap_begin_ + p * page);
      in_run = false;
    }
  }
  for (std::size_t w = 0; w < page_words_; ++w) pages_[w].store(0, std::memory_order_relaxed);
  touched_pages_.store(0, std::memory_order_relaxed);
  // The lanes' log areas (undo entries of finished transactions), but not
  // the page of each lane header: its sequence number must not go back.
  const format::Superblock& sb = pool_.superblock_;
  for (std::uint32_t i = 0; i < sb.lane_count; ++i) {
    const std::uint64_t lane = sb.lanes_offset + i * sb.lane_size;
    drop(lane + page, lane + sb.lane_size);
  }
}

void FileEngine::write_through(const void* at, std::size_t size) {
  const auto offset = static_cast<std::uint64_t>(static_cast<const std::byte*>(at) - base_);
  io_write(*io_, pool_.fd_, at, size, offset, pool_.path(), "the pool state");
  io_sync(*io_, pool_.fd_, pool_.path(), "the pool state", SyncSite::pool_state);
  syncs_.add(1);
}

void FileEngine::add_counters(Counters& out) const { out.checkpoints += checkpoints_.get(); }

// ---- Lane: commit through the log ---------------------------------------------

void Lane::commit_to_log(FileEngine& engine) {
  std::byte* base = pool_.base();
  for (const HeaderUpdate& update : header_updates_) {
    auto* header = reinterpret_cast<format::BlockHeader*>(base + update.block_offset);
    header->size_and_state = update.size_and_state;
    header->type_id = update.type_id;
  }
  // The record holds exactly what the undo engine's commit makes durable.
  Ranges& ranges = engine.commit_ranges(index_);
  ranges.assign(dirty_.begin(), dirty_.end());
  for (const Block& block : allocated_) {
    if (freed_set_.count(block.payload()) == 0) ranges.emplace_back(block.payload(), block.payload_size());
  }
  for (const HeaderUpdate& update : header_updates_)
    ranges.emplace_back(update.block_offset, sizeof(format::BlockHeader));

  bool reached_file = false;
  try {
    const std::uint64_t end = engine.append(index_, reached_file);
    wrote_record = true;
    if (engine.commits_immediately(index_)) {
      if (pool_.concurrent()) {
        // The transaction's mutexes are held until the record is durable,
        // so no other transaction sees its data before. Committers of other
        // mutexes share the sync (group commit, runtime.md 11.4).
        engine.sync_to(end);
      } else {
        // The writer gate is given back first and the sync awaited outside
        // it, so that the next writer's record can share the sync
        // (TransactionScope::commit, PoolImpl::await_durable; runtime.md 11.4).
        sync_after_release = end;
      }
    }
  } catch (...) {
    if (!reached_file) {
      // Not in the log: an ordinary abort, nothing on the disk changed.
      try {
        roll_back();
      } catch (...) {}
      throw;
    }
    // In the log but perhaps not durable: neither committed nor rolled
    // back can be promised. Keep the private copy as it is and refuse
    // further transactions; the next open replays what reached the disk.
    pool_.mark_broken();
    finish();
    throw;
  }
  // The lane is done with this sequence number (private memory only: the
  // next transaction's number differs, as Transaction::sequence promises).
  journal_.mark_committed();
  after_commit();
  engine.after_commit(*this);
}

}  // namespace pschema::detail
