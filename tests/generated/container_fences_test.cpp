// What container operations cost in log fences: each map insert or erase,
// vec append, insert or erase, and string assignment gathers every range it
// writes and logs them behind one fence (`log_entry`), whatever it has to
// restructure (leaf and inner splits, a new root, unlinking an emptied leaf,
// a growing vec buffer). Each operation runs in a transaction of its own,
// so none of its ranges was logged before.
//
// Fences are counted per site by a backend that wraps the pmem one: commit
// and allocator maintenance fences (`commit_*`, `heap_carve`) do not blur
// the count.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "containers.pschema.h"
#include "pschema/persistence.hpp"
#include "test_support.hpp"

using containers::Bags;

namespace {

// The pmem backend, with its fences counted per site.
class SiteCounts final : public pschema::Persistence {
 public:
  SiteCounts() : inner_(pschema::make_pmem_persistence()) {}

  void stored(const void* addr, std::size_t size) override { inner_->stored(addr, size); }
  std::size_t flush(const void* addr, std::size_t size, pschema::Site site) override {
    return inner_->flush(addr, size, site);
  }
  void fence(pschema::Site site) override {
    inner_->fence(site);
    ++fences_[static_cast<std::size_t>(site)];
  }
  void attach(std::byte* base, std::size_t size) override { inner_->attach(base, size); }
  std::string_view name() const noexcept override { return inner_->name(); }

  std::uint64_t log_fences() const { return fences_[static_cast<std::size_t>(pschema::Site::log_entry)]; }
  // Every fence of the protocol: all but the allocator's carving, which
  // depends on what its caches hold.
  std::uint64_t protocol_fences() const {
    std::uint64_t sum = 0;
    for (std::size_t site = 0; site < fences_.size(); ++site) {
      if (site != static_cast<std::size_t>(pschema::Site::heap_carve)) sum += fences_[site];
    }
    return sum;
  }

 private:
  std::unique_ptr<pschema::Persistence> inner_;
  std::array<std::uint64_t, static_cast<std::size_t>(pschema::Site::count_)> fences_{};
};

pschema::PoolOptions counted_by(std::shared_ptr<SiteCounts> counts) {
  pschema::PoolOptions options;
  options.persistence = std::move(counts);
  return options;
}

struct CountedBags {
  explicit CountedBags(const std::string& path)
      : counts(std::make_shared<SiteCounts>()), bags(Bags::create(path, 32 << 20, counted_by(counts))) {}
  // The log fences of one transaction running `body`.
  template <class Body>
  std::uint64_t log_fences(Body&& body) {
    const std::uint64_t before = counts->log_fences();
    bags.transaction(std::forward<Body>(body));
    return counts->log_fences() - before;
  }
  // All its protocol fences: the log fences and the commit's.
  template <class Body>
  std::uint64_t protocol_fences(Body&& body) {
    const std::uint64_t before = counts->protocol_fences();
    bags.transaction(std::forward<Body>(body));
    return counts->protocol_fences() - before;
  }

  std::shared_ptr<SiteCounts> counts;
  Bags bags;
};

// Counts the operations that did not cost exactly one log fence, and
// remembers the first of them.
struct Tally {
  int wrong = 0;
  std::size_t first_wrong = SIZE_MAX;
  std::uint64_t first_cost = 0;
  void note(std::size_t step, std::uint64_t fences) {
    if (fences == 1) return;
    if (wrong++ == 0) first_wrong = step, first_cost = fences;
  }
};

std::string name_of_length(std::size_t length, char fill) { return std::string(length, fill); }

}  // namespace

TEST_CASE("map<u64, u64>: every insert and erase logs behind one fence, splits and unlinks included") {
  test_support::ScratchDir dir;
  CountedBags pool(dir.file("map.pool"));
  const unsigned seed = test_support::test_seed();
  CAPTURE(seed);
  std::mt19937_64 random(seed);

  // 3,000 keys: leaves of 31 entries split, their parents split, and the
  // root splits into a tree of three levels. Random, ascending and
  // descending orders put the new key everywhere in a node.
  std::vector<std::uint64_t> keys(3000);
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = 10 * i + 1;
  SUBCASE("random order") { std::shuffle(keys.begin(), keys.end(), random); }
  SUBCASE("ascending") {}
  SUBCASE("descending") { std::reverse(keys.begin(), keys.end()); }

  Tally inserts;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    inserts.note(i, pool.log_fences([&](Bags::Tx& tx) { CHECK(tx.root().by_id().insert(keys[i], keys[i] * 3)); }));
  }
  CAPTURE(inserts.first_wrong);
  CAPTURE(inserts.first_cost);
  CHECK(inserts.wrong == 0);

  // Replacing a value, and inserting a key that is there, also cost one
  // fence (the value) and none.
  CHECK(pool.log_fences([&](Bags::Tx& tx) { CHECK_FALSE(tx.root().by_id().insert_or_assign(keys[7], 5)); }) == 1);
  CHECK(pool.log_fences([&](Bags::Tx& tx) { CHECK_FALSE(tx.root().by_id().insert(keys[8], 5)); }) == 0);

  // Erase in another order: emptied leaves are unlinked, emptied inner
  // nodes freed, the root collapses, and the last erase empties the map.
  std::shuffle(keys.begin(), keys.end(), random);
  Tally erases;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    erases.note(i, pool.log_fences([&](Bags::Tx& tx) { CHECK(tx.root().by_id().erase(keys[i])); }));
  }
  CAPTURE(erases.first_wrong);
  CAPTURE(erases.first_cost);
  CHECK(erases.wrong == 0);
  pool.bags.read([](const Bags::Snapshot& s) { CHECK(s.root().by_id().empty()); });
}

TEST_CASE("map<string, Item>: an insert that fills the new value, and an erase, log behind one fence each") {
  test_support::ScratchDir dir;
  CountedBags pool(dir.file("names.pool"));
  Tally steps;
  std::size_t step = 0;
  // Keys short (inline) and long (own buffer), values with a long name:
  // allocations, and stores all over the new entry, need no fence of their own.
  for (int i = 0; i < 200; ++i) {
    const std::string key = (i % 3 == 0 ? name_of_length(30, 'k') : std::string("k")) + std::to_string(i * 7919 % 200);
    steps.note(step++, pool.log_fences([&](Bags::Tx& tx) {
      auto [item, made] = tx.root().by_name().try_emplace(key);
      CHECK(made);
      item.set_name(name_of_length(40, 'n'));
      item.set_count(static_cast<std::uint32_t>(i));
    }));
  }
  for (int i = 0; i < 200; ++i) {
    const std::string key = (i % 3 == 0 ? name_of_length(30, 'k') : std::string("k")) + std::to_string(i * 7919 % 200);
    steps.note(step++, pool.log_fences([&](Bags::Tx& tx) { CHECK(tx.root().by_name().erase(key)); }));
  }
  CAPTURE(steps.first_wrong);
  CAPTURE(steps.first_cost);
  CHECK(steps.wrong == 0);
}

TEST_CASE("vec: push_back, emplace_back with its fields set, insert and erase log behind one fence each") {
  test_support::ScratchDir dir;
  CountedBags pool(dir.file("vec.pool"));
  Tally pushes;
  // 100 appends, growing the buffer from 4 to 128 elements on the way.
  for (std::int64_t i = 0; i < 100; ++i) {
    pushes.note(static_cast<std::size_t>(i), pool.log_fences([&](Bags::Tx& tx) { tx.root().numbers().push_back(i); }));
  }
  CAPTURE(pushes.first_wrong);
  CAPTURE(pushes.first_cost);
  CHECK(pushes.wrong == 0);
  // A growth allocates and frees before its one log fence, which so makes
  // their header entries durable too: the commit adds only its two fences.
  // Append up to and including the next growth, then pop back to 100.
  std::size_t capacity = 0;
  pool.bags.transaction([&](Bags::Tx& tx) { capacity = tx.root().numbers().capacity(); });
  bool grew = false;
  std::int64_t appended = 0;
  while (!grew) {
    CHECK(pool.protocol_fences([&](Bags::Tx& tx) {
      tx.root().numbers().push_back(100 + appended);
      grew = tx.root().numbers().capacity() != capacity;
    }) == 3);
    ++appended;
  }
  for (std::int64_t i = 0; i < appended; ++i) {
    CHECK(pool.log_fences([](Bags::Tx& tx) { tx.root().numbers().pop_back(); }) == 1);
  }

  Tally emplaces;
  for (std::size_t i = 0; i < 20; ++i) {
    emplaces.note(i, pool.log_fences([&](Bags::Tx& tx) {
      containers::Item::Mut item = tx.root().items().emplace_back();
      item.set_name(name_of_length(30, 'a'));  // allocates: the element's fields are written after
      item.set_count(static_cast<std::uint32_t>(i));
    }));
  }
  CAPTURE(emplaces.first_wrong);
  CAPTURE(emplaces.first_cost);
  CHECK(emplaces.wrong == 0);

  CHECK(pool.log_fences([](Bags::Tx& tx) { tx.root().items().insert(0).set_name(name_of_length(30, 'b')); }) == 1);
  CHECK(pool.log_fences([](Bags::Tx& tx) { tx.root().items().insert(7).set_count(7); }) == 1);
  // The erased item's name buffer is freed before the log fence, which so
  // covers the free: one log fence and the commit's two.
  CHECK(pool.protocol_fences([](Bags::Tx& tx) { tx.root().items().erase(3); }) == 3);
  CHECK(pool.log_fences([](Bags::Tx& tx) { tx.root().numbers().erase(0); }) == 1);
  // Several appends in one transaction: the size is logged once.
  CHECK(pool.log_fences([](Bags::Tx& tx) {
    for (std::int64_t i = 0; i < 3; ++i) tx.root().numbers().push_back(1000 + i);
  }) == 3);
  CHECK(pool.log_fences([](Bags::Tx& tx) {
    for (int i = 0; i < 3; ++i) tx.root().numbers().pop_back();
  }) == 1);

  pool.bags.read([](const Bags::Snapshot& s) {
    CHECK(s.root().numbers().size() == 99);
    CHECK(s.root().numbers()[0] == 1);
    CHECK(s.root().numbers()[98] == 99);
    CHECK(s.root().items().size() == 21);
    CHECK(s.root().items()[0].name() == name_of_length(30, 'b'));
    CHECK(s.root().items()[6].count() == 7);  // inserted at 7, moved down by the erase at 3
  });
}

TEST_CASE("string: every kind of assignment logs behind one fence") {
  test_support::ScratchDir dir;
  CountedBags pool(dir.file("string.pool"));
  pool.bags.transaction([](Bags::Tx& tx) { tx.root().items().emplace_back(); });
  // Whole transactions: one log fence and the commit's two (allocations
  // and frees come before the log fence, which covers their entries).
  auto assign = [&](const std::string& text) {
    const std::uint64_t fences = pool.protocol_fences([&](Bags::Tx& tx) { tx.root().items()[0].set_name(text); });
    pool.bags.read([&](const Bags::Snapshot& s) { CHECK(s.root().items()[0].name() == text); });
    return fences;
  };
  CHECK(assign("short") == 3);                      // inline to inline
  CHECK(assign(name_of_length(40, 'x')) == 3);      // inline to a new buffer
  CHECK(assign(name_of_length(30, 'y')) == 3);      // fits the buffer: the bytes and the field
  CHECK(assign(name_of_length(40, 'z')) == 3);      // fits it again
  CHECK(assign(name_of_length(100, 'w')) == 3);     // a bigger buffer
  CHECK(assign("tiny") == 3);                       // back inline, the buffer freed
}
