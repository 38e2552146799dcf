// The on-media layout of a pool file: every persistent struct and constant.
// Everything here is read from a file that may be damaged or hostile:
// nothing is trusted until validated (the superblock and PoolState checks,
// journal checksums, the heap walk).
//
//   0        Superblock (immutable after creation, checksummed)
//   4096     PoolState copy 0, PoolState copy 1 (64 bytes each; the valid
//            one with the higher sequence number is current)
//   8192     schema source text (checksummed), padded to 4 KiB
//   lanes    lane_count x lane_size: LaneHeader + undo log area
//   heap     blocks, each a 16-byte BlockHeader + payload, back to back
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace pschema::format {

constexpr std::uint64_t magic = 0x314D454843535050ULL;  // "PPSCHEM1" little-endian
constexpr std::uint32_t version = 1;
constexpr std::uint64_t page = 4096;
constexpr std::uint64_t state_offset = page;
constexpr std::uint64_t schema_text_offset = 2 * page;
constexpr std::size_t schema_name_capacity = 64;  // including the terminating NUL
// Limits every pool obeys: create refuses to go outside them, and open
// refuses a header that does.
constexpr std::uint64_t min_pool_size = 1 << 20;
constexpr std::uint32_t max_lanes = 64;

struct Superblock {
  std::uint64_t magic;
  std::uint32_t format_version;
  std::uint32_t superblock_size;
  std::uint8_t uuid[16];
  std::uint64_t creation_time;  // seconds since the Unix epoch
  std::uint64_t pool_size;
  char schema_name[schema_name_capacity];
  std::uint64_t schema_fingerprint;
  std::uint64_t schema_text_offset;
  std::uint64_t schema_text_size;
  std::uint64_t schema_text_checksum;
  std::uint64_t state_offset;
  std::uint64_t lanes_offset;
  std::uint32_t lane_count;
  std::uint32_t reserved0;
  std::uint64_t lane_size;
  std::uint64_t heap_offset;
  std::uint64_t heap_size;
  std::uint64_t root_offset;  // payload offset of the root object
  std::uint32_t root_type_id;
  std::uint32_t root_size;
  std::uint64_t checksum;  // of every byte above
};
static_assert(std::is_standard_layout_v<Superblock> && std::is_trivially_copyable_v<Superblock>);
static_assert(sizeof(Superblock) == 216);
static_assert(offsetof(Superblock, checksum) == sizeof(Superblock) - 8);

// The part of the header that changes after creation. Two copies: an update
// writes the older copy with a higher sequence number, so a torn update
// leaves the other copy intact.
struct PoolState {
  std::uint64_t sequence;
  std::uint64_t generation;  // bumped at every open; resets volatile state kept in the pool
  std::uint64_t clean;       // 1 after a clean close, 0 while open
  // The session (generation) of the file engine whose log `<pool>.wal` may
  // hold committed transactions that this file does not: set once that log
  // exists and is durable, 0 when no log is needed (a clean close, the
  // other backends). An open that finds it set and no log refuses to go on
  // without the committed data (docs/runtime.md 11.7).
  std::uint64_t log_generation;
  std::uint64_t reserved[3];
  std::uint64_t checksum;  // of the 56 bytes above, seeded with the copy's index
};
static_assert(sizeof(PoolState) == 64);

// One per lane, in its own cache line. An undo entry belongs to the
// transaction in flight only if its checksum verifies with the seed
// committed_sequence + 1; after commit or rollback, the sequence advances
// and every entry of the log is stale at once.
//
// durable_entries: how many entries of the transaction in flight (in log
// order, `continue_` entries included) a fence had made durable when it was
// written, valid only if durable_check verifies for that transaction
// (durable_entries_checksum). Recovery treats an entry below it that does
// not verify as damage, not as a torn tail (docs/runtime.md 1.5, 4.2).
// Zero in a pool written before the field existed: no entry is vouched for.
struct LaneHeader {
  std::uint64_t committed_sequence;
  std::uint64_t durable_entries;
  std::uint64_t durable_check;
  std::uint64_t reserved[5];
};
static_assert(sizeof(LaneHeader) == 64);

enum class EntryKind : std::uint32_t {
  undo = 1,      // restore `size` bytes at `offset` from the data that follows
  continue_ = 2, // the log goes on in the heap block at `offset`, of `size` bytes
};

// An entry is a header, then `size` data bytes (undo) padded to 8.
struct EntryHeader {
  std::uint64_t offset;
  std::uint32_t size;
  std::uint32_t kind;
  std::uint64_t checksum;  // of offset, size, kind and the data, seeded with the sequence
};
static_assert(sizeof(EntryHeader) == 24);

// Heap blocks. `size_and_state` holds the block size (header included,
// a multiple of 16) and bit 0 = allocated. `type_id` says what the block
// holds (pschema/format/type_ids.hpp). `tag` depends only on the block's
// offset: a header that is not where the walk expects fails it.
struct BlockHeader {
  std::uint64_t size_and_state;
  std::uint32_t type_id;
  std::uint32_t tag;
};
static_assert(sizeof(BlockHeader) == 16);

constexpr std::uint64_t block_alignment = 16;
constexpr std::uint64_t min_block_size = 32;
constexpr std::uint64_t allocated_bit = 1;

constexpr std::uint32_t block_tag(std::uint64_t block_offset) {
  std::uint64_t x = block_offset * 0x9E3779B97F4A7C15ULL;
  return static_cast<std::uint32_t>((x >> 32) ^ 0x50534348u);
}

constexpr std::uint64_t round_up(std::uint64_t value, std::uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

}  // namespace pschema::format
