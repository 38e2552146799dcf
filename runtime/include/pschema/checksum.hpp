// Checksums for everything the runtime must be able to distrust after a
// crash: the pool header, journal entries. Not cryptographic: it detects
// torn and stale writes and random corruption, not an adversary.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pschema {

// A 64-bit checksum of `size` bytes, seeded so that the same bytes in a
// different context (another transaction, another header copy) give a
// different value.
std::uint64_t checksum64(const void* data, std::size_t size, std::uint64_t seed = 0) noexcept;

}  // namespace pschema
