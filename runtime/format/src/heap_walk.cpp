#include "pschema/format/heap_walk.hpp"

#include <cstring>

namespace pschema::format {

HeapWalk::HeapWalk(std::span<const std::byte> pool, std::uint64_t heap_begin, std::uint64_t heap_end)
    : pool_(pool), offset_(heap_begin), end_(heap_end) {}

std::optional<HeapBlock> HeapWalk::next() {
  if (offset_ >= end_ || !damage_.empty()) return std::nullopt;
  if (end_ - offset_ < min_block_size) {
    damage_ = "header runs past the end of the heap";
    return std::nullopt;
  }
  // Fewer bytes than the heap needs (the caller's bounds are wrong): read
  // nothing outside them.
  if (offset_ > pool_.size() || pool_.size() - offset_ < sizeof(BlockHeader)) {
    damage_ = "header lies outside the pool";
    return std::nullopt;
  }
  BlockHeader header;
  std::memcpy(&header, pool_.data() + offset_, sizeof header);
  if (header.tag != block_tag(offset_)) {
    damage_ = "damaged header (tag does not match its position)";
    return std::nullopt;
  }
  const std::uint64_t size = header.size_and_state & ~allocated_bit;
  if (size < min_block_size || size % block_alignment != 0 || size > end_ - offset_) {
    damage_ = "impossible size " + std::to_string(size);
    return std::nullopt;
  }
  const HeapBlock block{offset_, size, header.type_id, (header.size_and_state & allocated_bit) != 0};
  offset_ += size;
  return block;
}

}  // namespace pschema::format
