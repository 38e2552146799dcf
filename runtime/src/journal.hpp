// One lane's undo journal. A transaction appends an entry with the old
// contents of every range before it first writes it; entries are
// checksummed with the transaction's sequence number, so a batch of
// entries needs one fence and a torn or stale entry is recognised by its
// checksum. Committing or rolling back advances the lane's committed
// sequence number, which makes every entry stale at once: the log is never
// erased.
//
// When the lane's own area is full the log goes on in a block reserved from
// the heap (a `continue_` entry points to it). The block is never marked
// allocated, so after a crash the heap walk sees it as free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "heap.hpp"
#include "lane_counters.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/persistence.hpp"

namespace pschema::detail {

class Journal {
 public:
  // Reserves a heap block of at least `size` bytes for an overflow segment.
  using ReserveSegment = std::function<Block(std::uint64_t size)>;

  Journal(std::byte* base, std::uint64_t lane_offset, std::uint64_t lane_size, std::uint32_t lane_index,
          Persistence& persistence, LaneCounters& counters);

  // Recovery at open: rolls back the transaction in flight, if any (the
  // entries format::JournalReader finds), and advances the lane's sequence
  // number in any case (flushed; the caller fences), so that entries a
  // crash left behind past the first torn one can never be taken for a
  // later transaction's. Entries must point inside [heap_begin, heap_end);
  // a valid entry pointing elsewhere means a hostile or corrupt file
  // (corrupt_pool). Returns whether anything was rolled back.
  bool recover(std::uint64_t heap_begin, std::uint64_t heap_end, const std::string& path);

  // The sequence number of the next (or current) transaction.
  std::uint64_t sequence() const { return header_->committed_sequence + 1; }

  // Appends an undo entry with the current contents of [offset, offset+size)
  // and flushes it; the caller fences before writing the range.
  void append_undo(std::uint64_t offset, std::uint32_t size, const ReserveSegment& reserve);
  bool empty() const { return entries_.empty(); }

  // Records in the lane header how many entries the last fence made
  // durable, if that is more than it says (stored and flushed at `site`,
  // made durable by the next fence). Recovery then takes an entry below
  // that count which does not verify for damage (corrupt_pool), not for
  // the torn tail of a crash. Called before each entry is written and at
  // commit once the entries are fenced.
  void record_durable(Site site);

  // Marks the transaction committed (flushed, not fenced: the caller fences).
  void mark_committed();
  // Applies every undo entry in reverse order, fences, marks the lane done.
  void roll_back();
  // Forgets the transaction's entries (after commit or rollback) and
  // returns the overflow segments it used, for the caller to release.
  std::vector<Block> reset();

  std::size_t flush(const void* addr, std::size_t size, Site site) {
    std::size_t lines = persistence_.flush(addr, size, site);
    counters_.lines_flushed.add(lines);
    return lines;
  }
  void fence(Site site) {
    persistence_.fence(site);
    counters_.fences.add(1);
    // Every entry is flushed as it is written: all of them are durable now.
    fenced_entries_ = written_entries_;
  }

 private:
  // An undo entry as validated when it was written or scanned: offset and
  // size are copied out, so applying one entry can never change where
  // another one writes (a hostile log could otherwise make it).
  struct Undo {
    std::uint64_t offset;
    std::uint32_t size;
    const std::byte* data;
  };

  std::uint64_t entry_checksum(const format::EntryHeader& header, const void* data) const;
  void write_entry(format::EntryKind kind, std::uint64_t offset, std::uint32_t size, const void* data);
  void continue_in_new_segment(std::uint64_t needed, const ReserveSegment& reserve);
  void apply_undo_entries(const std::vector<Undo>& entries, Site site);
  // Advances the committed sequence: every entry in the log becomes stale.
  void mark_done(Site site);

  std::byte* base_;
  const std::uint64_t lane_offset_;
  const std::uint64_t lane_size_;
  format::LaneHeader* header_;
  std::byte* const lane_area_begin_;
  std::byte* const lane_area_end_;
  // Where entries go now: the lane's own area or an overflow segment.
  std::byte* area_begin_;
  std::byte* area_end_;  // `continue_` entries always fit: appends keep room for one
  std::byte* cursor_;
  Persistence& persistence_;
  LaneCounters& counters_;
  std::uint32_t lane_index_;

  std::vector<Undo> entries_;  // undo entries of the transaction in flight
  std::vector<Block> segments_;
  // Entries (undo and continue_) of the transaction in flight: written,
  // made durable by a fence, and recorded as durable in the lane header.
  std::uint64_t written_entries_ = 0;
  std::uint64_t fenced_entries_ = 0;
  std::uint64_t recorded_entries_ = 0;
};

}  // namespace pschema::detail
