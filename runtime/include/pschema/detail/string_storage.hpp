// How string and bytes fields are stored (pschema/string.hpp): StringRep,
// the 24-byte field, and the functions that replace and free its contents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

// 24 bytes. Inline: bytes[0..22) hold the data, bytes[23] = 0x80 | size.
// Heap: {offset, size, capacity} as three u64, capacity < 2^56 so that
// bytes[23] (capacity's top byte) is 0. All zero = the empty string.
struct alignas(8) StringRep {
  unsigned char raw[24];

  static constexpr std::size_t inline_capacity = 22;

  bool is_inline() const noexcept { return (raw[23] & 0x80) != 0; }
  std::size_t size() const noexcept {
    if (is_inline()) return raw[23] & 0x7F;
    return word(1);
  }
  std::uint64_t word(int i) const noexcept {
    std::uint64_t w;
    std::memcpy(&w, raw + 8 * i, 8);
    return w;
  }
  struct Contents {
    const unsigned char* data;
    std::size_t size;
  };
  // The stored bytes, checked (the sizes and offset come from the pool):
  // an inline size of at most 22, a buffer that lies in the heap. Throws
  // corrupt_pool otherwise.
  Contents contents(const Mapping* mapping) const {
    const std::size_t n = size();
    if (is_inline()) {
      if (n > inline_capacity) [[unlikely]] {
        mapping->corrupt(this, "string of inline size " + std::to_string(n) + " (at most 22)");
      }
      return {raw, n};
    }
    return {mapping->bytes(word(0), n, this), n};
  }
};
static_assert(sizeof(StringRep) == 24 && alignof(StringRep) == 8);

namespace detail {

// Replaces the contents of `rep` with `size` bytes from `data`.
inline void assign_string(Transaction& tx, StringRep* rep, const void* data, std::size_t size) {
  StringRep next{};
  const bool had_buffer = !rep->is_inline() && rep->word(0) != 0;
  if (size <= StringRep::inline_capacity) {
    if (size > 0) std::memcpy(next.raw, data, size);
    next.raw[23] = static_cast<unsigned char>(0x80 | size);
    if (had_buffer) tx.free(rep->word(0));
  } else if (had_buffer && rep->word(2) >= size) {
    // Fits the buffer it has: log and overwrite only what is written, and
    // the field (its size changes) behind the same fence. The capacity
    // comes from the pool: the buffer's block must really be that large.
    if (rep->word(2) > tx.allocation_size(rep->word(0))) {
      tx.mapping()->corrupt(rep, "string capacity " + std::to_string(rep->word(2)) + " exceeds its buffer's block");
    }
    void* buffer = tx.base() + rep->word(0);
    tx.log_whole({{buffer, size}, {rep, sizeof *rep}});
    tx.write_bytes(buffer, data, size);
    std::memcpy(next.raw, rep->raw, sizeof next.raw);
    const std::uint64_t new_size = size;
    std::memcpy(next.raw + 8, &new_size, 8);
  } else {
    const std::uint64_t buffer = tx.allocate(size, type_ids::string_buffer);
    tx.write_bytes(tx.base() + buffer, data, size);  // a new block: nothing to log
    if (had_buffer) tx.free(rep->word(0));
    const std::uint64_t words[3] = {buffer, size, tx.allocation_size(buffer)};
    std::memcpy(next.raw, words, sizeof words);
  }
  tx.write(*rep, next);
}

inline void destroy_string(Transaction& tx, StringRep* rep) {
  if (!rep->is_inline() && rep->word(0) != 0) tx.free(rep->word(0));
}

}  // namespace detail

}  // namespace pschema
