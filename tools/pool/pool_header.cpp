#include "pool/pool_header.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

#include "pschema/format/checksum.hpp"
#include "pschema/format/header_check.hpp"

namespace pschema::pool {

namespace {

constexpr std::uint64_t entry_header_size = sizeof(format::EntryHeader);

// The read-only twin of Journal::recover: counts what recovery would roll
// back. Every position is checked against the file before it is read.
LaneJournal scan_lane(const PoolBytes& bytes, const format::Superblock& sb, std::uint32_t index) {
  LaneJournal lane;
  lane.index = index;
  const std::uint64_t lane_offset = sb.lanes_offset + index * sb.lane_size;
  lane.committed_sequence = bytes.load<format::LaneHeader>(lane_offset).value().committed_sequence;
  const std::uint64_t sequence = lane.committed_sequence + 1;
  const std::uint64_t heap_begin = sb.heap_offset;
  const std::uint64_t heap_end = sb.heap_offset + sb.heap_size;
  std::uint64_t at = lane_offset + sizeof(format::LaneHeader);
  std::uint64_t end = lane_offset + sb.lane_size;
  std::uint64_t budget = sb.heap_size + sb.lane_size;
  while (end - at >= entry_header_size) {
    const auto header = bytes.load<format::EntryHeader>(at);
    if (!header) break;
    std::uint64_t data_bytes = 0;
    if (header->kind == static_cast<std::uint32_t>(format::EntryKind::undo)) {
      data_bytes = format::round_up(header->size, 8);
      if (data_bytes > end - at - entry_header_size) break;
    } else if (header->kind != static_cast<std::uint32_t>(format::EntryKind::continue_)) {
      break;
    }
    const std::byte* data = bytes.at(at + entry_header_size, header->size);
    if (header->kind == static_cast<std::uint32_t>(format::EntryKind::undo) && data == nullptr) break;
    if (header->checksum != format::entry_checksum(*header, data, sequence, index)) break;
    if (header->offset < heap_begin || header->offset > heap_end || header->size > heap_end - header->offset) {
      lane.damage = fmt::format("entry points outside the heap (offset {}, size {})", header->offset, header->size);
      break;
    }
    const std::uint64_t step = entry_header_size + data_bytes;
    if (step > budget) {
      lane.damage = "log is longer than the pool can hold";
      break;
    }
    budget -= step;
    if (header->kind == static_cast<std::uint32_t>(format::EntryKind::undo)) {
      ++lane.pending_entries;
      lane.pending_bytes += header->size;
      at += step;
    } else {
      if (header->offset % 8 != 0) {
        lane.damage = "misaligned log segment";
        break;
      }
      at = header->offset;
      end = header->offset + header->size;  // inside the heap: checked above
    }
  }
  return lane;
}

}  // namespace

bool PoolHeader::interrupted_transaction() const {
  for (const LaneJournal& lane : lanes) {
    if (lane.pending_entries > 0) return true;
  }
  return false;
}

bool PoolHeader::journal_damaged() const {
  for (const LaneJournal& lane : lanes) {
    if (!lane.damage.empty()) return true;
  }
  return false;
}

PoolHeader read_header(const PoolBytes& bytes) {
  const std::string& name = bytes.name();
  const std::uint64_t head_size = std::min<std::uint64_t>(bytes.size(), sizeof(format::Superblock));
  if (auto problem = format::check_superblock({bytes.at(0, head_size), head_size}, bytes.size())) {
    throw Unreadable(name + ": " + problem->message);
  }
  PoolHeader header;
  header.superblock = bytes.load<format::Superblock>(0).value();  // checked above
  const format::Superblock& sb = header.superblock;
  header.schema_name = sb.schema_name;  // terminated: check_superblock checked
  const std::byte* text = bytes.at(sb.schema_text_offset, sb.schema_text_size);
  if (text == nullptr) throw Unreadable(name + ": the schema text runs past the end of the file");
  if (auto problem = format::check_schema_text(sb, {text, sb.schema_text_size})) {
    throw Unreadable(name + ": " + problem->message);
  }
  header.schema_text.assign(reinterpret_cast<const char*>(text), sb.schema_text_size);

  format::PoolState states[2];
  for (unsigned copy = 0; copy < 2; ++copy) {
    states[copy] = bytes.load<format::PoolState>(format::state_offset + copy * sizeof(format::PoolState)).value();
  }
  const format::StateCopies copies = format::check_state_copies(states);
  header.state_copy_valid = copies.valid;
  header.state_copy = copies.current;
  if (copies.current >= 0) header.state = states[copies.current];
  for (std::uint32_t i = 0; i < sb.lane_count; ++i) header.lanes.push_back(scan_lane(bytes, sb, i));
  return header;
}

std::string hex(std::uint64_t value) { return fmt::format("{:#x}", value); }
std::string hex16(std::uint64_t value) { return fmt::format("{:#018x}", value); }

std::string uuid_text(const std::uint8_t (&u)[16]) {
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

}  // namespace pschema::pool
