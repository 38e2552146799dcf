#include "pool/heap_table.hpp"

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
  format::HeapWalk walk({bytes.at(0, end), end}, begin, end);
  while (walk.position() < end) {
    if (progress != nullptr) progress->update(walk.position() - begin);
    const auto block = walk.next();
    if (!block) break;  // a damaged header
    if (block->allocated) {
      ++table.allocated_blocks;
      table.allocated_bytes += block->size;
    } else {
      ++table.free_blocks;
      table.free_bytes += block->size;
    }
    table.blocks.push_back(*block);
  }
  if (!walk.damage().empty()) {
    table.damaged = true;
    table.damaged_at = walk.position();
    table.damage = walk.damage();
    table.unknown_bytes = end - walk.position();
  }
  return table;
}

}  // namespace pschema::pool
