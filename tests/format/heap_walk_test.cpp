// The heap walk on heaps written by hand: every block in order, and the
// first damaged header named with its offset.
#include <doctest/doctest.h>

#include "memory_pool.hpp"
#include "pschema/format/heap_walk.hpp"

using namespace format_test;

namespace {

struct Walked {
  std::vector<format::HeapBlock> blocks;
  std::uint64_t stopped_at = 0;
  std::string damage;
};

Walked walk(const MemoryPool& pool) {
  format::HeapWalk walk(pool.span(), pool.heap_begin(), pool.heap_end());
  Walked out;
  while (const auto block = walk.next()) out.blocks.push_back(*block);
  out.stopped_at = walk.position();
  out.damage = walk.damage();
  return out;
}

// Splits the free block after the root into `count` blocks of `size`
// bytes, alternately allocated (type 9) and free, and a free rest.
void carve(MemoryPool& pool, std::uint64_t size, int count) {
  const std::uint64_t heap = pool.heap_begin();
  const std::uint64_t root = pool.load<format::BlockHeader>(heap).size_and_state & ~format::allocated_bit;
  std::uint64_t at = heap + root;
  for (int i = 0; i < count; ++i, at += size) {
    const bool allocated = i % 2 == 0;
    pool.store(at, format::BlockHeader{size | (allocated ? format::allocated_bit : 0), allocated ? 9u : 0u,
                                       format::block_tag(at)});
  }
  pool.store(at, format::BlockHeader{pool.heap_end() - at, 0, format::block_tag(at)});
}

}  // namespace

TEST_CASE("a new heap is the root block and one free block") {
  MemoryPool pool = make_pool(1 << 20);
  const Walked w = walk(pool);
  CHECK(w.damage.empty());
  CHECK(w.stopped_at == pool.heap_end());
  REQUIRE(w.blocks.size() == 2);
  CHECK(w.blocks[0].allocated);
  CHECK(w.blocks[0].type_id == 7);
  CHECK(w.blocks[0].payload() == pool.superblock.root_offset);
  CHECK_FALSE(w.blocks[1].allocated);
  CHECK(w.blocks[1].offset + w.blocks[1].size == pool.heap_end());
}

TEST_CASE("the walk yields every block in heap order") {
  MemoryPool pool = make_pool(1 << 20);
  carve(pool, 64, 5);
  const Walked w = walk(pool);
  CHECK(w.damage.empty());
  REQUIRE(w.blocks.size() == 7);
  for (std::size_t i = 1; i < w.blocks.size(); ++i) {
    CHECK(w.blocks[i].offset == w.blocks[i - 1].offset + w.blocks[i - 1].size);
  }
  CHECK(w.blocks[1].allocated);
  CHECK(w.blocks[1].type_id == 9);
  CHECK(w.blocks[1].payload_size() == 48);
  CHECK_FALSE(w.blocks[2].allocated);
}

TEST_CASE("a damaged header ends the walk, named with its offset") {
  MemoryPool pool = make_pool(1 << 20);
  carve(pool, 64, 5);
  const std::uint64_t third = walk(pool).blocks[3].offset;
  auto header = [&] { return pool.load<format::BlockHeader>(third); };
  auto expect_stop = [&](const std::string& damage) {
    const Walked w = walk(pool);
    CHECK(w.blocks.size() == 3);
    CHECK(w.stopped_at == third);
    CHECK(w.damage == damage);
  };
  SUBCASE("a tag that is not its position's") {
    format::BlockHeader h = header();
    h.tag ^= 1;
    pool.store(third, h);
    expect_stop("damaged header (tag does not match its position)");
  }
  SUBCASE("a size that is not a multiple of 16") {
    format::BlockHeader h = header();
    h.size_and_state = 72;
    pool.store(third, h);
    expect_stop("impossible size 72");
  }
  SUBCASE("a size past the heap's end") {
    format::BlockHeader h = header();
    h.size_and_state = pool.superblock.heap_size;
    pool.store(third, h);
    expect_stop("impossible size " + std::to_string(pool.superblock.heap_size));
  }
  SUBCASE("a size below the smallest block") {
    format::BlockHeader h = header();
    h.size_and_state = 16;
    pool.store(third, h);
    expect_stop("impossible size 16");
  }
}

TEST_CASE("a heap whose last bytes cannot hold a block is damaged there") {
  MemoryPool pool = make_pool(1 << 20);
  const std::uint64_t end = pool.heap_end();
  // The free rest made 16 bytes short of the heap's end.
  const Walked before = walk(pool);
  const std::uint64_t rest = before.blocks.back().offset;
  pool.store(rest, format::BlockHeader{end - rest - 16, 0, format::block_tag(rest)});
  const Walked w = walk(pool);
  CHECK(w.stopped_at == end - 16);
  CHECK(w.damage == "header runs past the end of the heap");
}

TEST_CASE("the walk reads nothing outside the bytes it is given") {
  MemoryPool pool = make_pool(1 << 20);
  const std::uint64_t second = walk(pool).blocks[1].offset;
  format::HeapWalk cut(pool.span().first(second + 8), pool.heap_begin(), pool.heap_end());
  CHECK(cut.next().has_value());
  CHECK_FALSE(cut.next().has_value());
  CHECK(cut.position() == second);
  CHECK_FALSE(cut.damage().empty());
}
