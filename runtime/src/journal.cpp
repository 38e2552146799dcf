#include "journal.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <utility>

#include "pschema/errors.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/journal_reader.hpp"

namespace pschema::detail {

namespace {

constexpr std::uint64_t entry_header_size = sizeof(format::EntryHeader);
// Overflow segments are at least this big, so a large transaction does not
// reserve one per entry (the heap's journal reserve keeps a block for one).
constexpr std::uint64_t min_segment_size = Heap::min_segment_payload;

std::uint64_t padded(std::uint64_t size) { return format::round_up(size, 8); }

}  // namespace

Journal::Journal(std::byte* base, std::uint64_t lane_offset, std::uint64_t lane_size, std::uint32_t lane_index,
                 Persistence& persistence, LaneCounters& counters)
    : base_(base),
      lane_offset_(lane_offset),
      lane_size_(lane_size),
      header_(reinterpret_cast<format::LaneHeader*>(base + lane_offset)),
      lane_area_begin_(base + lane_offset + sizeof(format::LaneHeader)),
      lane_area_end_(base + lane_offset + lane_size),
      area_begin_(lane_area_begin_),
      area_end_(lane_area_end_),
      cursor_(area_begin_),
      persistence_(persistence),
      counters_(counters),
      lane_index_(lane_index) {}

std::uint64_t Journal::entry_checksum(const format::EntryHeader& header, const void* data) const {
  // Seeded with the sequence number: an entry left over from an earlier
  // transaction of this lane never verifies for the current one.
  return format::entry_checksum(header, static_cast<const std::byte*>(data), sequence(), lane_index_);
}

void Journal::write_entry(format::EntryKind kind, std::uint64_t offset, std::uint32_t size, const void* data) {
  // The first entry after a fence carries the count that fence made
  // durable into the lane header, flushed with it: no fence of its own.
  record_durable(Site::log_entry);
  auto* header = reinterpret_cast<format::EntryHeader*>(cursor_);
  header->offset = offset;
  header->size = size;
  header->kind = static_cast<std::uint32_t>(kind);
  std::uint64_t data_bytes = 0;
  if (kind == format::EntryKind::undo) {
    data_bytes = padded(size);
    std::memcpy(cursor_ + entry_header_size, data, size);
    entries_.push_back(Undo{offset, size, cursor_ + entry_header_size});
  }
  header->checksum = entry_checksum(*header, cursor_ + entry_header_size);
  const std::uint64_t total = entry_header_size + data_bytes;
  persistence_.stored(cursor_, total);
  flush(cursor_, total, Site::log_entry);
  counters_.bytes_logged.add(total);
  cursor_ += total;
  ++written_entries_;
}

void Journal::record_durable(Site site) {
  if (fenced_entries_ == recorded_entries_) return;
  // Written only after the fence that made those entries durable: whenever
  // a crash lets this count reach the medium, they are there too. Torn, it
  // does not verify and vouches for nothing.
  header_->durable_entries = fenced_entries_;
  header_->durable_check = format::durable_entries_checksum(fenced_entries_, sequence(), lane_index_);
  persistence_.stored(&header_->durable_entries, 16);
  flush(&header_->durable_entries, 16, site);
  recorded_entries_ = fenced_entries_;
}

void Journal::append_undo(std::uint64_t offset, std::uint32_t size, const ReserveSegment& reserve) {
  const std::uint64_t needed = entry_header_size + padded(size);
  // Always keep room for a `continue_` entry behind the last entry.
  if (static_cast<std::uint64_t>(area_end_ - cursor_) < needed + entry_header_size) {
    continue_in_new_segment(needed, reserve);
  }
  write_entry(format::EntryKind::undo, offset, size, base_ + offset);
}

void Journal::continue_in_new_segment(std::uint64_t needed, const ReserveSegment& reserve) {
  Block segment = reserve(std::max(min_segment_size, needed + entry_header_size));
  segments_.push_back(segment);
  write_entry(format::EntryKind::continue_, segment.payload(),
              static_cast<std::uint32_t>(std::min<std::uint64_t>(segment.payload_size(), UINT32_MAX & ~7ULL)), nullptr);
  area_begin_ = base_ + segment.payload();
  area_end_ = area_begin_ + std::min<std::uint64_t>(segment.payload_size(), UINT32_MAX & ~7ULL);
  cursor_ = area_begin_;
}

void Journal::mark_committed() {
  header_->committed_sequence = sequence();
  persistence_.stored(&header_->committed_sequence, 8);
  flush(&header_->committed_sequence, 8, Site::commit_mark);
}

void Journal::mark_done(Site site) {
  header_->committed_sequence = sequence();
  persistence_.stored(&header_->committed_sequence, 8);
  flush(&header_->committed_sequence, 8, site);
}

void Journal::apply_undo_entries(const std::vector<Undo>& entries, Site site) {
  // Newest first: where a range was logged twice, the oldest copy (the
  // value before the transaction) is written last.
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    std::byte* target = base_ + it->offset;
    std::memmove(target, it->data, it->size);
    persistence_.stored(target, it->size);
    flush(target, it->size, site);
  }
  // The restored data must be durable before the log is declared done.
  fence(site);
  mark_done(Site::rollback_mark);
  fence(Site::rollback_mark);
}

void Journal::roll_back() { apply_undo_entries(entries_, Site::rollback_data); }

std::vector<Block> Journal::reset() {
  entries_.clear();
  // The lane header's count goes stale with the sequence number.
  written_entries_ = fenced_entries_ = recorded_entries_ = 0;
  area_begin_ = lane_area_begin_;
  area_end_ = lane_area_end_;
  cursor_ = area_begin_;
  return std::exchange(segments_, {});
}

bool Journal::recover(std::uint64_t heap_begin, std::uint64_t heap_end, const std::string& path) {
  // Everything the log may point at lies before the end of the heap.
  format::JournalReader reader({base_, heap_end}, lane_offset_, lane_size_, lane_index_, heap_begin, heap_end);
  std::vector<Undo> entries;
  while (const auto entry = reader.next()) entries.push_back(Undo{entry->offset, entry->size, entry->data});
  if (!reader.damage().empty()) {
    throw corrupt_pool(path, "journal of lane " + std::to_string(lane_index_) + ": " + reader.damage());
  }
  if (entries.empty()) {
    mark_done(Site::rollback_mark);
    return false;
  }
  apply_undo_entries(entries, Site::rollback_data);
  return true;
}

}  // namespace pschema::detail
