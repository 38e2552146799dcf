#include "pool/pool_header.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

#include "pschema/format/header_check.hpp"
#include "pschema/format/journal_reader.hpp"

namespace pschema::pool {

namespace {

// Counts what recovery would roll back on one lane (the same reader as
// Journal::recover), without writing anything.
LaneJournal scan_lane(const PoolBytes& bytes, const format::Superblock& sb, std::uint32_t index) {
  const std::uint64_t heap_end = sb.heap_offset + sb.heap_size;  // inside the file: check_superblock checked
  format::JournalReader reader({bytes.at(0, heap_end), heap_end}, sb.lanes_offset + index * sb.lane_size, sb.lane_size,
                               index, sb.heap_offset, heap_end);
  LaneJournal lane;
  lane.index = index;
  lane.committed_sequence = reader.committed_sequence();
  while (const auto entry = reader.next()) {
    ++lane.pending_entries;
    lane.pending_bytes += entry->size;
  }
  lane.damage = reader.damage();
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

}  // namespace pschema::pool
