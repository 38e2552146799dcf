// Checksums for everything in a pool file that must be distrusted after a
// crash: the superblock, the schema text, the PoolState copies, journal
// entries. Not cryptographic: they detect torn and stale writes and random
// corruption, not an adversary.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pschema/format/layout.hpp"

namespace pschema::format {

// A 64-bit checksum of `size` bytes, seeded so that the same bytes in a
// different context (another transaction, another header copy) give a
// different value.
std::uint64_t checksum64(const void* data, std::size_t size, std::uint64_t seed = 0) noexcept;

// What each checksummed structure covers and how it is seeded (the table
// in docs/runtime.md 1.7). Writers store these values; readers compare.

// Every superblock byte before `checksum`, seeded with the magic.
std::uint64_t superblock_checksum(const Superblock& superblock) noexcept;
// The schema text, unseeded.
std::uint64_t schema_text_checksum(const void* text, std::size_t size) noexcept;
// Every PoolState byte before `checksum`, seeded with the copy's index + 1,
// so that a copy written into the other copy's slot does not verify.
std::uint64_t state_checksum(const PoolState& state, unsigned copy) noexcept;
// A journal entry: its header fields, then (undo entries) its `size` data
// bytes, seeded with the sequence number of the transaction that wrote it
// and its lane, so that an entry verifies only for the transaction in
// flight on its own lane.
std::uint64_t entry_checksum(const EntryHeader& header, const std::byte* data, std::uint64_t sequence,
                             std::uint32_t lane) noexcept;
// A lane's durable_entries, seeded like the entries of the transaction
// that wrote it (and told apart from them), so that a count left over from
// an earlier transaction of the lane never verifies for the current one.
std::uint64_t durable_entries_checksum(std::uint64_t durable_entries, std::uint64_t sequence,
                                       std::uint32_t lane) noexcept;

}  // namespace pschema::format
