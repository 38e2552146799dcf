// The fixed part of a pool file, read and verified with the checks the
// runtime makes at open (pschema/format/header_check.hpp), but without
// writing anything: the superblock, the two PoolState copies, the schema
// text and a read-only scan of every lane's journal (what recovery would
// roll back).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pool/pool_file.hpp"
#include "pschema/format/layout.hpp"

namespace pschema::pool {

struct LaneJournal {
  std::uint32_t index = 0;
  std::uint64_t committed_sequence = 0;
  // Undo entries that verify for the transaction in flight: recovery would
  // restore them. Non-zero means a transaction was interrupted.
  std::uint64_t pending_entries = 0;
  std::uint64_t pending_bytes = 0;
  // A verifying entry with an impossible value (the file was tampered
  // with); the runtime refuses to open such a pool.
  std::string damage;
};

struct PoolHeader {
  format::Superblock superblock{};
  std::string schema_name;
  std::string schema_text;
  std::array<bool, 2> state_copy_valid{};
  int state_copy = -1;  // the current PoolState copy, -1 when both are damaged
  format::PoolState state{};
  std::vector<LaneJournal> lanes;

  std::uint64_t heap_begin() const { return superblock.heap_offset; }
  std::uint64_t heap_end() const { return superblock.heap_offset + superblock.heap_size; }
  bool interrupted_transaction() const;
  bool journal_damaged() const;
};

// Reads and verifies the header; throws Unreadable (with the format
// checks' words) for anything that makes the runtime refuse the file before
// looking at the heap. Damaged PoolState copies and journals are reported
// in the result instead: the heap can still be read.
PoolHeader read_header(const PoolBytes& bytes);

std::string hex(std::uint64_t value);      // 0x1f
std::string hex16(std::uint64_t value);    // 0x000000000000001f

}  // namespace pschema::pool
