// Every block of a pool's heap, in a table the walker and the commands look
// blocks up in. The blocks come from the heap walk the runtime's
// Heap::rebuild uses (format::HeapWalk), without merging anything. A
// damaged header ends the walk; what lies after it is unknown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pool/pool_file.hpp"
#include "pool/pool_header.hpp"
#include "pool/progress.hpp"
#include "pschema/format/heap_walk.hpp"

namespace pschema::pool {

using format::HeapBlock;

struct HeapTable {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  std::vector<HeapBlock> blocks;  // in heap order
  bool damaged = false;           // the walk stopped at a bad header
  std::uint64_t damaged_at = 0;
  std::string damage;
  std::uint64_t allocated_blocks = 0;
  std::uint64_t allocated_bytes = 0;  // headers included
  std::uint64_t free_blocks = 0;
  std::uint64_t free_bytes = 0;
  std::uint64_t unknown_bytes = 0;  // after a damaged header

  // The index of the block whose payload starts at `payload`, or npos.
  std::size_t find_payload(std::uint64_t payload) const;
};

HeapTable walk_heap(const PoolBytes& bytes, const PoolHeader& header, Progress* progress = nullptr);

}  // namespace pschema::pool
