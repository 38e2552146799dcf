// A pool built in memory from the format alone, as Pool::create lays it
// out before the root is initialised: the tests of the format module need
// no file, no runtime and no libpmem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/format/layout_plan.hpp"
#include "pschema/format/type_ids.hpp"

namespace format_test {

namespace format = pschema::format;

struct MemoryPool {
  std::vector<std::byte> bytes;
  format::Superblock superblock{};

  std::span<const std::byte> span() const { return bytes; }
  std::uint64_t heap_begin() const { return superblock.heap_offset; }
  std::uint64_t heap_end() const { return superblock.heap_offset + superblock.heap_size; }
  std::uint64_t lane_offset(std::uint32_t lane) const { return superblock.lanes_offset + lane * superblock.lane_size; }

  template <class T>
  void store(std::uint64_t offset, const T& value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
  }
  template <class T>
  T load(std::uint64_t offset) const {
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
  }
  // Writes the superblock back with a checksum that verifies.
  void seal() {
    superblock.checksum = format::superblock_checksum(superblock);
    store(0, superblock);
  }
};

inline MemoryPool make_pool(std::uint64_t size, std::uint32_t lanes = 0, const std::string& text = "schema text",
                            std::uint32_t root_size = 40) {
  const std::string name = "test.Pool";
  const format::LayoutRequest request{size, name.size(), text.size(), lanes, root_size};
  const auto planned = format::plan_layout(request);
  if (const auto* refusal = std::get_if<format::LayoutRefusal>(&planned)) throw std::invalid_argument(refusal->message);
  const auto& plan = std::get<format::LayoutPlan>(planned);

  MemoryPool pool;
  pool.bytes.assign(size, std::byte{0});
  pool.superblock = format::superblock_from_plan(request, plan, name, text);
  pool.superblock.root_type_id = 7;
  pool.seal();
  std::memcpy(pool.bytes.data() + format::schema_text_offset, text.data(), text.size());

  format::PoolState state{};
  state.sequence = 1;
  state.generation = 1;
  state.checksum = format::state_checksum(state, 1);
  pool.store(format::state_offset + sizeof state, state);

  const std::uint64_t heap = plan.heap_offset, root_block = plan.root_block_size;
  pool.store(heap, format::BlockHeader{root_block | format::allocated_bit, 7, format::block_tag(heap)});
  pool.store(heap + root_block, format::BlockHeader{plan.heap_size - root_block, format::type_ids::no_type,
                                                    format::block_tag(heap + root_block)});
  return pool;
}

}  // namespace format_test
