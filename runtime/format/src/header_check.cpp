#include "pschema/format/header_check.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "pschema/format/checksum.hpp"

namespace pschema::format {

namespace {

std::string hex64(std::uint64_t value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%016" PRIx64, value);
  return buffer;
}

HeaderError corrupt(const std::string& what) { return {HeaderFault::corrupt, "header offsets out of range: " + what}; }

// Every structural field of a superblock whose checksum verified.
// Comparisons are arranged so that no sum of fields can overflow.
std::optional<HeaderError> check_layout(const Superblock& sb) {
  const std::uint64_t size = sb.pool_size;
  if (sb.superblock_size != sizeof(Superblock)) {
    return corrupt("superblock size " + std::to_string(sb.superblock_size) + ", expected " +
                   std::to_string(sizeof(Superblock)));
  }
  if (size < min_pool_size) return corrupt("pool size " + std::to_string(size) + " is below the minimum");
  if (sb.state_offset != state_offset) return corrupt("state at " + std::to_string(sb.state_offset));
  if (sb.schema_text_offset != schema_text_offset) {
    return corrupt("schema text at " + std::to_string(sb.schema_text_offset));
  }
  if (sb.schema_text_size > size || sb.lanes_offset < sb.schema_text_offset + sb.schema_text_size ||
      sb.lanes_offset > size) {
    return corrupt("schema text (" + std::to_string(sb.schema_text_size) + " bytes) overlaps the lanes at " +
                   std::to_string(sb.lanes_offset));
  }
  if (sb.lane_count == 0 || sb.lane_count > max_lanes) return corrupt("lane count " + std::to_string(sb.lane_count));
  // Lane headers are cache lines, and a lane holds at least a page.
  if (sb.lane_size < page || sb.lane_size % 64 != 0 || sb.lane_size > size / sb.lane_count) {
    return corrupt("lane size " + std::to_string(sb.lane_size));
  }
  if (sb.lanes_offset % 64 != 0 || sb.heap_offset < sb.lanes_offset ||
      sb.heap_offset - sb.lanes_offset < sb.lane_count * sb.lane_size) {
    return corrupt("heap at " + std::to_string(sb.heap_offset) + " overlaps the lanes");
  }
  if (sb.heap_offset % block_alignment != 0 || sb.heap_offset > size || sb.heap_size > size - sb.heap_offset ||
      sb.heap_size < min_block_size || sb.heap_size % block_alignment != 0) {
    return corrupt("heap of " + std::to_string(sb.heap_size) + " bytes at " + std::to_string(sb.heap_offset) +
                   " in a pool of " + std::to_string(size));
  }
  const std::uint64_t heap_end = sb.heap_offset + sb.heap_size;
  if (sb.root_offset < sb.heap_offset + sizeof(BlockHeader) || sb.root_offset >= heap_end ||
      sb.root_size > heap_end - sb.root_offset || sb.root_offset % block_alignment != 0) {
    return corrupt("root object at " + std::to_string(sb.root_offset));
  }
  if (std::memchr(sb.schema_name, '\0', sizeof sb.schema_name) == nullptr) {
    return corrupt("schema name is not terminated");
  }
  return std::nullopt;
}

}  // namespace

std::optional<HeaderError> check_superblock(std::span<const std::byte> head, std::uint64_t file_size) {
  // Fewer bytes than the file should have: it shrank while being read.
  if (head.size() < std::min<std::uint64_t>(file_size, sizeof(Superblock))) {
    return HeaderError{HeaderFault::truncated, "the file ends at byte " + std::to_string(head.size())};
  }
  std::uint64_t found_magic = 0;
  if (file_size < sizeof found_magic) {
    return HeaderError{HeaderFault::not_a_pool,
                       "the file is " + std::to_string(file_size) + " bytes long, too short to be a pool"};
  }
  std::memcpy(&found_magic, head.data(), sizeof found_magic);
  if (found_magic != magic) {
    return HeaderError{HeaderFault::not_a_pool,
                       "not a pschema pool: expected magic " + hex64(magic) + ", found " + hex64(found_magic) +
                           (found_magic == 0 ? " (an interrupted create leaves a zero magic; delete the file)" : "")};
  }
  if (file_size < sizeof(Superblock)) {
    return HeaderError{HeaderFault::truncated,
                       "the file is " + std::to_string(file_size) + " bytes long, shorter than a pool header"};
  }
  Superblock sb;
  std::memcpy(&sb, head.data(), sizeof sb);
  // The version before the checksum: a later format may lay its superblock
  // out differently, and its reader should hear "upgrade", not "damaged".
  if (sb.format_version > version) {
    return HeaderError{HeaderFault::version_too_new, "pool format version " + std::to_string(sb.format_version) +
                                                         " is newer than this library's (" + std::to_string(version) +
                                                         "); upgrade pschema to open it"};
  }
  const std::uint64_t expected = superblock_checksum(sb);
  if (sb.checksum != expected) {
    return HeaderError{HeaderFault::damaged, "pool header checksum is " + hex64(sb.checksum) + ", expected " +
                                                 hex64(expected) + ": the header is damaged"};
  }
  if (sb.format_version != version) {
    return HeaderError{HeaderFault::corrupt, "unknown pool format version " + std::to_string(sb.format_version)};
  }
  if (sb.pool_size > file_size) {
    return HeaderError{HeaderFault::truncated, "the header says the pool is " + std::to_string(sb.pool_size) +
                                                   " bytes, but the file is only " + std::to_string(file_size)};
  }
  return check_layout(sb);
}

std::optional<HeaderError> check_schema_text(const Superblock& superblock, std::span<const std::byte> text) {
  if (text.size() != superblock.schema_text_size ||
      schema_text_checksum(text.data(), text.size()) != superblock.schema_text_checksum) {
    return HeaderError{HeaderFault::damaged, "the schema text stored in the pool does not match its checksum"};
  }
  return std::nullopt;
}

StateCopies check_state_copies(const PoolState (&copies)[2]) {
  StateCopies result;
  for (unsigned copy = 0; copy < 2; ++copy) {
    result.valid[copy] = copies[copy].checksum == state_checksum(copies[copy], copy);
    if (!result.valid[copy]) continue;
    if (result.current < 0 || copies[copy].sequence > copies[result.current].sequence) {
      result.current = static_cast<int>(copy);
    }
  }
  return result;
}

}  // namespace pschema::format
