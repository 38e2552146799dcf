// The on-disk layout of the file engine's redo log, `<pool>.wal` next to
// the pool file (docs/runtime.md section 11.2). Like the pool file (layout.hpp),
// everything here is read from a file that may be torn, stale or hostile:
// nothing is trusted until its checksum verifies.
//
//   0        LogHeader (checksummed), rest of the first 4 KiB unused
//   4096     records, back to back, each a RecordHeader, then the
//            transaction's ranges, then the heap maintenance ranges (each
//            range a RangeHeader and its bytes padded to 8)
//
// A record belongs to the log generation whose salt it carries: resetting
// the log writes a new header with a new random salt, after which every
// older record fails its checksum, so the file is reused from its start
// and never needs truncating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace pschema::logformat {

constexpr std::uint64_t magic = 0x314C415748435350ULL;  // "PSCHWAL1" little-endian
constexpr std::uint32_t version = 1;
constexpr std::uint64_t records_begin = 4096;

struct LogHeader {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t header_size;
  std::uint8_t pool_uuid[16];      // the pool this log belongs to (its superblock's uuid)
  std::uint64_t pool_generation;   // the pool session (PoolState generation) that writes it
  std::uint64_t salt;              // random, new at every reset
  std::uint64_t reserved[3];
  std::uint64_t checksum;          // of every byte above, seeded with `magic`
};
static_assert(std::is_standard_layout_v<LogHeader> && std::is_trivially_copyable_v<LogHeader>);
static_assert(sizeof(LogHeader) == 80);

struct RecordHeader {
  std::uint64_t salt;                // the log generation's salt: scanning rejects other records with one compare
  std::uint64_t sequence;            // 1, 2, ... within the log generation
  std::uint64_t size;                // the whole record, header included; a multiple of 8
  std::uint64_t durable_before;      // the log was durable up to this offset when the record was written
  std::uint32_t ranges;              // ranges of the transaction
  std::uint32_t maintenance_ranges;  // ranges of heap maintenance since the previous record (applied first)
  std::uint64_t maintenance_offset;  // where those start, from the start of the record
  std::uint64_t body_checksum;       // transaction section (seed: salt), then maintenance section
  std::uint64_t header_checksum;     // of the 56 bytes above, seeded with the salt
};
static_assert(sizeof(RecordHeader) == 64);
static_assert(offsetof(RecordHeader, header_checksum) == 56);

struct RangeHeader {
  std::uint64_t offset;  // from the start of the pool file, inside the heap
  std::uint64_t size;    // bytes that follow, then zero padding to a multiple of 8
};
static_assert(sizeof(RangeHeader) == 16);

inline std::uint64_t padded(std::uint64_t size) { return (size + 7) / 8 * 8; }

}  // namespace pschema::logformat
