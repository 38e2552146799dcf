// Every block of a pool's heap, found by walking the block headers from the
// start of the heap as the runtime's Heap::rebuild does, without merging
// anything. A damaged header ends the walk; what lies after it is unknown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pool/pool_file.hpp"
#include "pool/pool_header.hpp"
#include "pool/progress.hpp"

namespace pschema::pool {

struct HeapBlock {
  std::uint64_t offset = 0;  // of the header; the payload is 16 bytes later
  std::uint64_t size = 0;    // header included
  std::uint32_t type_id = 0;
  bool allocated = false;

  std::uint64_t payload() const { return offset + sizeof(format::BlockHeader); }
  std::uint64_t payload_size() const { return size - sizeof(format::BlockHeader); }
};

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
