// The checks a pool's header must pass before anything in the file is
// trusted, in the order open makes them (docs/runtime.md 4.1): the
// superblock, the schema text, the two PoolState copies. They only read;
// each says what is wrong in words, and of which kind, so that the runtime
// throws the matching exception and the pool tool prints the same words.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "pschema/format/layout.hpp"

namespace pschema::format {

enum class HeaderFault {
  not_a_pool,       // too short for a magic number, or not the magic
  truncated,        // shorter than a superblock, or than the pool it describes
  version_too_new,  // a later format version: upgrade to read it
  damaged,          // a checksum does not verify
  corrupt,          // the checksum verifies, but a field is impossible
};

struct HeaderError {
  HeaderFault fault;
  std::string message;  // without the file's name
};

// The superblock at the start of a file of `file_size` bytes: its size and
// magic, version, checksum, then every structural field, with no sum of
// fields that can overflow. `head` holds the file's first bytes, at least
// min(file_size, sizeof(Superblock)) of them. Nothing when it can be used.
std::optional<HeaderError> check_superblock(std::span<const std::byte> head, std::uint64_t file_size);

// The schema text of a superblock that passed check_superblock.
std::optional<HeaderError> check_schema_text(const Superblock& superblock, std::span<const std::byte> text);

// Which PoolState copies verify, and which is current: the valid one with
// the higher sequence number. `current` is -1 when both are damaged (the
// runtime refuses such a pool).
struct StateCopies {
  std::array<bool, 2> valid{};
  int current = -1;
};
StateCopies check_state_copies(const PoolState (&copies)[2]);

}  // namespace pschema::format
