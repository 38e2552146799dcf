// The heap's blocks, found by walking their headers from the start of the
// heap (docs/runtime.md 1.6, 4.3): at least a minimal block left before the
// heap's end, the tag of the header's own offset, and a size that is a
// multiple of 16, at least 32 and fits in the heap. The first header that
// fails ends the walk: where the next block starts is then unknown. The
// runtime rebuilds its free lists from this walk at open (and throws
// corrupt_pool at a damaged header); the pool tool lists the blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "pschema/format/layout.hpp"

namespace pschema::format {

struct HeapBlock {
  std::uint64_t offset = 0;  // of the header; the payload follows it
  std::uint64_t size = 0;    // header included
  std::uint32_t type_id = 0;
  bool allocated = false;

  std::uint64_t payload() const { return offset + sizeof(BlockHeader); }
  std::uint64_t payload_size() const { return size - sizeof(BlockHeader); }
};

class HeapWalk {
 public:
  // `pool` holds the pool's bytes from offset 0 at least to `heap_end`
  // (bounds from a superblock that passed check_superblock). The walk only
  // reads, one header at a time, so the caller may rewrite headers it has
  // already been given.
  HeapWalk(std::span<const std::byte> pool, std::uint64_t heap_begin, std::uint64_t heap_end);

  // The next block, in heap order, or nothing at the end of the heap or at
  // a damaged header (then damage() says what).
  std::optional<HeapBlock> next();
  // Where the next header is expected: after a damaged one, its offset.
  std::uint64_t position() const { return offset_; }
  const std::string& damage() const { return damage_; }

 private:
  std::span<const std::byte> pool_;
  std::uint64_t offset_;
  std::uint64_t end_;
  std::string damage_;
};

}  // namespace pschema::format
