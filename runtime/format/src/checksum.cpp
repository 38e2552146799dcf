#include "pschema/format/checksum.hpp"

#include <cstddef>
#include <cstring>

namespace pschema::format {

namespace {

constexpr std::uint64_t prime1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t prime2 = 0xC2B2AE3D27D4EB4FULL;

inline std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// Final avalanche so every input bit affects every output bit.
inline std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= prime2;
  h ^= h >> 29;
  h *= prime1;
  h ^= h >> 32;
  return h;
}

}  // namespace

std::uint64_t checksum64(const void* data, std::size_t size, std::uint64_t seed) noexcept {
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint64_t h = seed ^ (size * prime1);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    h = rotl(h ^ (word * prime2), 31) * prime1;
  }
  if (i < size) {
    std::uint64_t tail = 0;
    std::memcpy(&tail, bytes + i, size - i);
    h = rotl(h ^ (tail * prime2), 31) * prime1;
  }
  return mix(h);
}

std::uint64_t superblock_checksum(const Superblock& superblock) noexcept {
  return checksum64(&superblock, offsetof(Superblock, checksum), magic);
}

std::uint64_t schema_text_checksum(const void* text, std::size_t size) noexcept { return checksum64(text, size); }

std::uint64_t state_checksum(const PoolState& state, unsigned copy) noexcept {
  return checksum64(&state, offsetof(PoolState, checksum), copy + 1);
}

std::uint64_t entry_checksum(const EntryHeader& header, const std::byte* data, std::uint64_t sequence,
                             std::uint32_t lane) noexcept {
  const std::uint64_t seed = sequence * 0x9E3779B97F4A7C15ULL + lane;
  const std::uint64_t h = checksum64(&header, offsetof(EntryHeader, checksum), seed);
  return header.kind == static_cast<std::uint32_t>(EntryKind::undo) ? checksum64(data, header.size, h) : h;
}

std::uint64_t durable_entries_checksum(std::uint64_t durable_entries, std::uint64_t sequence,
                                       std::uint32_t lane) noexcept {
  // The constant ("durable" in ASCII) keeps the seed apart from the entries'.
  const std::uint64_t seed = (sequence * 0x9E3779B97F4A7C15ULL + lane) ^ 0x656C626172756400ULL;
  return checksum64(&durable_entries, sizeof durable_entries, seed);
}

}  // namespace pschema::format
