#include "pschema/format/journal_reader.hpp"

#include <cstring>
#include <utility>

#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"

namespace pschema::format {

namespace {

constexpr std::uint64_t entry_header_size = sizeof(EntryHeader);
constexpr auto undo_kind = static_cast<std::uint32_t>(EntryKind::undo);
constexpr auto continue_kind = static_cast<std::uint32_t>(EntryKind::continue_);

}  // namespace

JournalReader::JournalReader(std::span<const std::byte> pool, std::uint64_t lane_offset, std::uint64_t lane_size,
                             std::uint32_t lane_index, std::uint64_t heap_begin, std::uint64_t heap_end)
    : pool_(pool), lane_index_(lane_index), heap_begin_(heap_begin), heap_end_(heap_end) {
  LaneHeader lane{};
  if (const std::byte* p = bytes_at(lane_offset, sizeof lane)) {
    std::memcpy(&lane, p, sizeof lane);
  } else {
    ended_ = true;  // not a lane of this pool: there is no log to read
  }
  sequence_ = lane.committed_sequence + 1;
  // A count that does not verify (stale from an earlier transaction, torn,
  // or from a pool written before the field existed) vouches for nothing.
  if (!ended_ && lane.durable_check == durable_entries_checksum(lane.durable_entries, sequence_, lane_index_)) {
    durable_ = lane.durable_entries;
  }
  at_ = lane_offset + sizeof(LaneHeader);
  end_ = ended_ ? at_ : lane_offset + lane_size;
  // A hostile file could chain segments into a loop; no honest log is
  // longer than the heap plus the lane's own area.
  budget_ = (heap_end - heap_begin) + (lane_size - sizeof(LaneHeader));
}

const std::byte* JournalReader::bytes_at(std::uint64_t offset, std::uint64_t length) const {
  if (offset > pool_.size() || length > pool_.size() - offset) return nullptr;
  return pool_.data() + offset;
}

std::nullopt_t JournalReader::stop(std::string damage) {
  ended_ = true;
  damage_ = std::move(damage);
  return std::nullopt;
}

std::optional<JournalReader::UndoEntry> JournalReader::next() {
  if (ended_) return std::nullopt;
  while (!ended_ && end_ - at_ >= entry_header_size) {
    const std::byte* at = bytes_at(at_, entry_header_size);
    if (at == nullptr) break;
    EntryHeader header;
    std::memcpy(&header, at, sizeof header);
    std::uint64_t data_bytes = 0;
    if (header.kind == undo_kind) {
      data_bytes = round_up(header.size, 8);
      // Data running past the area: torn, not the transaction's.
      if (data_bytes > end_ - at_ - entry_header_size) break;
      if (bytes_at(at_, entry_header_size + data_bytes) == nullptr) break;
    } else if (header.kind != continue_kind) {
      break;  // stale or torn: the log of the transaction in flight ends here
    }
    const std::byte* data = at + entry_header_size;
    if (header.checksum != entry_checksum(header, data, sequence_, lane_index_)) break;

    // From here on the entry verifies: it was written by the transaction in
    // flight, so an impossible value means the file was tampered with.
    if (header.offset < heap_begin_ || header.offset > heap_end_ || header.size > heap_end_ - header.offset) {
      return stop("entry points outside the heap (offset " + std::to_string(header.offset) + ", size " +
                  std::to_string(header.size) + ")");
    }
    const std::uint64_t step = entry_header_size + data_bytes;
    if (step > budget_) return stop("log is longer than the pool can hold");
    budget_ -= step;
    ++count_;
    if (header.kind == undo_kind) {
      at_ += step;
      return UndoEntry{header.offset, header.size, data};
    }
    if (header.offset % 8 != 0) return stop("misaligned log segment");
    at_ = header.offset;
    end_ = header.offset + header.size;  // inside the heap: checked above
  }
  // The log ends here. Where it ends before the entries the lane vouches
  // for, the entry here was durable once and no crash tears a durable
  // entry: it was damaged since, and rolling back only the entries before
  // it would leave the ranges of the later ones half-written.
  if (count_ < durable_) {
    return stop("entry " + std::to_string(count_) + " (at offset " + std::to_string(at_) +
                ") is damaged: it does not verify, but the lane records that its first " + std::to_string(durable_) +
                " entries had been made durable");
  }
  ended_ = true;
  return std::nullopt;
}

}  // namespace pschema::format
