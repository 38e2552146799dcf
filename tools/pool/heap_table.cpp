#include "pool/heap_table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace pschema::pool {

std::size_t HeapTable::find_payload(std::uint64_t payload) const {
  const std::uint64_t offset = payload - sizeof(format::BlockHeader);
  auto it = std::lower_bound(blocks.begin(), blocks.end(), offset,
                             [](const HeapBlock& b, std::uint64_t o) { return b.offset < o; });
  if (payload < sizeof(format::BlockHeader) || it == blocks.end() || it->offset != offset) return npos;
  return static_cast<std::size_t>(it - blocks.begin());
}

HeapTable walk_heap(const PoolBytes& bytes, const PoolHeader& header, Progress* progress) {
  HeapTable table;
  const std::uint64_t begin = header.heap_begin();
  const std::uint64_t end = header.heap_end();  // inside the file: read_header checked
  std::uint64_t offset = begin;
  auto stop = [&](const std::string& what) {
    table.damaged = true;
    table.damaged_at = offset;
    table.damage = what;
    table.unknown_bytes = end - offset;
  };
  while (offset < end) {
    if (progress != nullptr) progress->update(offset - begin);
    if (end - offset < format::min_block_size) {
      stop("header runs past the end of the heap");
      break;
    }
    const auto h = bytes.load<format::BlockHeader>(offset).value();
    if (h.tag != format::block_tag(offset)) {
      stop("damaged header (tag does not match its position)");
      break;
    }
    const std::uint64_t size = h.size_and_state & ~format::allocated_bit;
    if (size < format::min_block_size || size % format::block_alignment != 0 || size > end - offset) {
      stop(fmt::format("impossible size {}", size));
      break;
    }
    HeapBlock block{offset, size, h.type_id, (h.size_and_state & format::allocated_bit) != 0};
    if (block.allocated) {
      ++table.allocated_blocks;
      table.allocated_bytes += size;
    } else {
      ++table.free_blocks;
      table.free_bytes += size;
    }
    table.blocks.push_back(block);
    offset += size;
  }
  return table;
}

}  // namespace pschema::pool
