// Random allocation and free inside committed and aborted transactions:
// no block is lost, none is handed out twice, contents never overlap.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <stdexcept>

#include "pschema/errors.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Transaction;
using test_support::ScratchDir;
using test_support::test_schema;

namespace {

struct Object {
  std::size_t size;
  unsigned char fill;
};

// Every live object is filled with its own byte: an overlap or a block
// handed out twice shows up as a wrong byte.
void check_contents(const Pool& pool, const std::map<std::uint64_t, Object>& live) {
  pool.read([&](const pschema::ReadView& view) {
    for (const auto& [offset, object] : live) {
      const auto* bytes = view.at<unsigned char>(offset);
      std::size_t wrong = 0;
      for (std::size_t i = 0; i < object.size; ++i) wrong += bytes[i] != object.fill;
      CAPTURE(offset);
      CHECK(wrong == 0);
    }
  });
}

}  // namespace

TEST_CASE("random allocations and frees, committed and aborted, lose nothing and never overlap") {
  ScratchDir dir;
  const std::string path = dir.file("alloc.pool");
  const auto schema = test_schema();
  const unsigned seed = test_support::test_seed();
  CAPTURE(seed);
  std::mt19937_64 random(seed);
  std::map<std::uint64_t, Object> live;  // payload offset -> object
  unsigned char next_fill = 1;

  Pool pool = Pool::create(path, 32 << 20, schema);
  const auto baseline = pool.info();
  for (int round = 0; round < 400; ++round) {
    const bool abort = random() % 4 == 0;
    std::map<std::uint64_t, Object> made;
    std::vector<std::uint64_t> freed;
    try {
      pool.transaction([&](Transaction& tx) {
        const int operations = 1 + static_cast<int>(random() % 8);
        for (int op = 0; op < operations; ++op) {
          if (!live.empty() && random() % 3 == 0) {
            auto it = live.begin();
            std::advance(it, static_cast<long>(random() % live.size()));
            if (std::find(freed.begin(), freed.end(), it->first) != freed.end()) continue;
            tx.free(it->first);
            freed.push_back(it->first);
          } else {
            std::size_t size = random() % 10 == 0 ? 4096 + random() % 100000 : 1 + random() % 600;
            std::uint64_t offset = tx.allocate(size, 4);
            REQUIRE(offset % 16 == 0);
            REQUIRE(tx.allocation_size(offset) >= size);
            // Must not overlap anything live or made in this transaction.
            for (const auto* set : {&live, &made}) {
              auto after = set->lower_bound(offset);
              if (after != set->end()) REQUIRE(offset + size <= after->first);
              if (after != set->begin()) REQUIRE(std::prev(after)->first + std::prev(after)->second.size <= offset);
            }
            unsigned char fill = next_fill++;
            if (next_fill == 0) next_fill = 1;
            std::memset(tx.at<unsigned char>(offset), fill, size);  // fresh object: no logging needed
            made[offset] = Object{size, fill};
          }
        }
        if (abort) throw std::runtime_error("abort on purpose");
      });
    } catch (const std::runtime_error&) {
      REQUIRE(abort);
      continue;
    }
    for (auto offset : freed) live.erase(offset);
    live.insert(made.begin(), made.end());
  }
  CHECK(pool.info().allocated_objects == baseline.allocated_objects + live.size());
  check_contents(pool, live);
  const auto accounted = pool.info().allocated_bytes;
  pool.close();

  // The heap walk at open must agree with the running accounting.
  pool = Pool::open(path, schema);
  CHECK(pool.info().allocated_objects == baseline.allocated_objects + live.size());
  CHECK(pool.info().allocated_bytes == accounted);
  check_contents(pool, live);

  // Free everything: back to the baseline.
  pool.transaction([&](Transaction& tx) {
    for (const auto& [offset, object] : live) tx.free(offset);
  });
  CHECK(pool.info().allocated_objects == baseline.allocated_objects);
  CHECK(pool.info().allocated_bytes == baseline.allocated_bytes);
  pool.close();
  pool = Pool::open(path, schema);
  CHECK(pool.info().allocated_bytes == baseline.allocated_bytes);
}
