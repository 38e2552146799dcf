#include "pool/pool_header.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstring>

#include "pschema/format/checksum.hpp"

namespace pschema::pool {

namespace {

// The runtime's limits (runtime/src/pool.cpp); a header outside them is
// refused at open, so the tools refuse it too.
constexpr std::uint64_t min_pool_size = 1 << 20;
constexpr std::uint32_t max_lanes = 64;
constexpr std::uint64_t entry_header_size = sizeof(format::EntryHeader);

void validate_layout(const format::Superblock& sb, const std::string& name) {
  auto bad = [&](const std::string& what) { throw Unreadable(name + ": header offsets out of range: " + what); };
  const std::uint64_t size = sb.pool_size;
  if (sb.superblock_size != sizeof(format::Superblock)) bad(fmt::format("superblock size {}", sb.superblock_size));
  if (size < min_pool_size) bad(fmt::format("pool size {} is below the minimum", size));
  if (sb.state_offset != format::state_offset) bad(fmt::format("state at {}", sb.state_offset));
  if (sb.schema_text_offset != format::schema_text_offset) bad(fmt::format("schema text at {}", sb.schema_text_offset));
  if (sb.schema_text_size > size || sb.lanes_offset < sb.schema_text_offset + sb.schema_text_size ||
      sb.lanes_offset > size) {
    bad(fmt::format("schema text ({} bytes) overlaps the lanes at {}", sb.schema_text_size, sb.lanes_offset));
  }
  if (sb.lane_count == 0 || sb.lane_count > max_lanes) bad(fmt::format("lane count {}", sb.lane_count));
  if (sb.lane_size < 4096 || sb.lane_size % 64 != 0 || sb.lane_size > size / sb.lane_count) {
    bad(fmt::format("lane size {}", sb.lane_size));
  }
  if (sb.lanes_offset % 64 != 0 || sb.heap_offset < sb.lanes_offset ||
      sb.heap_offset - sb.lanes_offset < sb.lane_count * sb.lane_size) {
    bad(fmt::format("heap at {} overlaps the lanes", sb.heap_offset));
  }
  if (sb.heap_offset % format::block_alignment != 0 || sb.heap_offset > size || sb.heap_size > size - sb.heap_offset ||
      sb.heap_size < format::min_block_size || sb.heap_size % format::block_alignment != 0) {
    bad(fmt::format("heap of {} bytes at {} in a pool of {}", sb.heap_size, sb.heap_offset, size));
  }
  const std::uint64_t heap_end = sb.heap_offset + sb.heap_size;
  if (sb.root_offset < sb.heap_offset + sizeof(format::BlockHeader) || sb.root_offset >= heap_end ||
      sb.root_size > heap_end - sb.root_offset || sb.root_offset % format::block_alignment != 0) {
    bad(fmt::format("root object at {}", sb.root_offset));
  }
  if (std::memchr(sb.schema_name, '\0', sizeof sb.schema_name) == nullptr) bad("schema name is not terminated");
  if (sb.schema_name[0] == '\0') bad("empty schema name");
}

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
  if (bytes.size() < 8) {
    throw Unreadable(fmt::format("{}: the file is {} bytes long, too short to be a pool", name, bytes.size()));
  }
  const std::uint64_t magic = bytes.load<std::uint64_t>(0).value();
  if (magic != format::magic) {
    throw Unreadable(fmt::format("{}: not a pschema pool: expected magic {}, found {}{}", name, hex16(format::magic),
                                 hex16(magic),
                                 magic == 0 ? " (an interrupted create leaves a zero magic; delete the file)" : ""));
  }
  const auto sb = bytes.load<format::Superblock>(0);
  if (!sb) throw Unreadable(fmt::format("{}: the file is {} bytes long, shorter than a pool header", name, bytes.size()));
  if (sb->format_version > format::version) {
    throw Unreadable(fmt::format("{}: pool format version {} is newer than this tool's ({}); upgrade pschema", name,
                                 sb->format_version, format::version));
  }
  const std::uint64_t expected = format::superblock_checksum(*sb);
  if (sb->checksum != expected) {
    throw Unreadable(fmt::format("{}: pool header checksum is {}, expected {}: the header is damaged", name,
                                 hex16(sb->checksum), hex16(expected)));
  }
  if (sb->format_version != format::version) {
    throw Unreadable(fmt::format("{}: unknown pool format version {}", name, sb->format_version));
  }
  if (sb->pool_size > bytes.size()) {
    throw Unreadable(fmt::format("{}: the header says the pool is {} bytes, but the file is only {}", name,
                                 sb->pool_size, bytes.size()));
  }
  validate_layout(*sb, name);

  PoolHeader header;
  header.superblock = *sb;
  header.schema_name = sb->schema_name;  // terminated: validate_layout checked
  const std::byte* text = bytes.at(sb->schema_text_offset, sb->schema_text_size);
  if (text == nullptr) throw Unreadable(name + ": the schema text runs past the end of the file");
  if (format::schema_text_checksum(text, sb->schema_text_size) != sb->schema_text_checksum) {
    throw Unreadable(name + ": the schema text stored in the pool does not match its checksum");
  }
  header.schema_text.assign(reinterpret_cast<const char*>(text), sb->schema_text_size);

  for (int copy = 0; copy < 2; ++copy) {
    const auto state = bytes.load<format::PoolState>(format::state_offset + copy * sizeof(format::PoolState)).value();
    const std::uint64_t sum = format::state_checksum(state, static_cast<unsigned>(copy));
    header.state_copy_valid[static_cast<std::size_t>(copy)] = state.checksum == sum;
    if (state.checksum != sum) continue;
    if (header.state_copy < 0 || state.sequence > header.state.sequence) {
      header.state_copy = copy;
      header.state = state;
    }
  }
  for (std::uint32_t i = 0; i < sb->lane_count; ++i) header.lanes.push_back(scan_lane(bytes, *sb, i));
  return header;
}

std::string hex(std::uint64_t value) { return fmt::format("{:#x}", value); }
std::string hex16(std::uint64_t value) { return fmt::format("{:#018x}", value); }

std::string uuid_text(const std::uint8_t (&u)[16]) {
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

}  // namespace pschema::pool
