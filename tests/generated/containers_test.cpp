// Property tests: random operation sequences on the persistent containers,
// compared after every transaction with std::map / std::vector models.
// About a quarter of the transactions abort; after an abort the pool must
// equal the model as it was before the transaction. At the end everything
// is cleared and the heap is back at its starting size: nothing leaked.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "container_workload.hpp"
#include "containers.pschema.h"
#include "test_support.hpp"

using containers::Bags;

using namespace container_workload;

TEST_CASE("random container operations with aborts match std models, and clearing leaks nothing") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("bags.pool");
  const unsigned seed = test_support::test_seed();
  CAPTURE(seed);
  std::mt19937_64 random(seed);
  Model model;
  Bags bags = Bags::create(path, 64 << 20);
  const auto baseline = bags.pool().info();
  for (int round = 0; round < 300; ++round) {
    const bool abort = random() % 4 == 0;
    Model next = model;
    try {
      bags.transaction([&](Bags::Tx& tx) {
        const int operations = 1 + static_cast<int>(random() % 12);
        for (int i = 0; i < operations; ++i) random_operation(tx, next, random);
        if (abort) throw std::runtime_error("abort on purpose");
      });
      model = next;
    } catch (const std::runtime_error&) {
      REQUIRE(abort);
    }
    if (round % 25 == 0) check_equal(bags, model);
  }
  check_equal(bags, model);
  bags.close();
  bags = Bags::open(path);
  check_equal(bags, model);

  bags.transaction([](Bags::Tx& tx) {
    containers::Bag::Mut bag = tx.root();
    bag.by_id().clear();
    bag.by_name().clear();
    bag.by_bytes().clear();
    bag.by_level().clear();
    bag.items().clear();
    bag.numbers().clear();
    bag.boxes().clear();
  });
  // Emptied vecs keep their buffers, like std::vector, until shrink_to_fit;
  // maps free every node as they empty.
  bags.transaction([](Bags::Tx& tx) {
    containers::Bag::Mut bag = tx.root();
    bag.items().shrink_to_fit();
    bag.numbers().shrink_to_fit();
    bag.boxes().shrink_to_fit();
  });
  CHECK(bags.pool().info().allocated_objects == baseline.allocated_objects);
  CHECK(bags.pool().info().allocated_bytes == baseline.allocated_bytes);
}

TEST_CASE("maps with string, bytes and enum keys keep their order") {
  test_support::ScratchDir dir;
  Bags bags = Bags::create(dir.file("keys.pool"), 16 << 20);
  bags.transaction([](Bags::Tx& tx) {
    containers::Bag::Mut bag = tx.root();
    for (const char* name : {"pear", "apple", "fig", "a much longer name than fits inline", "banana"}) {
      bag.by_name().try_emplace(name).first.set_count(static_cast<std::uint32_t>(std::string(name).size()));
    }
    const std::byte b1[] = {std::byte{2}}, b2[] = {std::byte{1}, std::byte{9}}, b3[] = {std::byte{1}};
    bag.by_bytes().insert(b1, 1);
    bag.by_bytes().insert(b2, 2);
    bag.by_bytes().insert(b3, 3);
    bag.by_level().insert_or_assign(containers::Level::high, std::string("H"));
    bag.by_level().insert_or_assign(containers::Level::low, std::string("L"));
  });
  bags.read([](const Bags::Snapshot& s) {
    std::vector<std::string> names;
    for (auto [name, item] : s.root().by_name()) names.emplace_back(name);
    CHECK(names == std::vector<std::string>{"a much longer name than fits inline", "apple", "banana", "fig", "pear"});
    std::vector<int> values;
    for (auto [key, value] : s.root().by_bytes()) values.push_back(value);
    CHECK(values == std::vector<int>{3, 2, 1});
    CHECK(*s.root().by_level().find(containers::Level::low) == "L");
    CHECK(s.root().by_name().at("fig").count() == 3);
    CHECK_THROWS_AS(s.root().by_name().at("kiwi"), std::out_of_range);
  });
}

TEST_CASE("pop_back then push_back in an aborted transaction brings the popped element back whole") {
  test_support::ScratchDir dir;
  Bags bags = Bags::create(dir.file("pop.pool"), 16 << 20);
  const std::string long_name(50, 'n');
  bags.transaction([&](Bags::Tx& tx) { tx.root().items().emplace_back().set_name(long_name); });
  const auto objects = bags.pool().info().allocated_objects;
  CHECK_THROWS_AS(bags.transaction([](Bags::Tx& tx) {
    auto items = tx.root().items();
    items.pop_back();                       // the element's slot is past the size now...
    items.emplace_back().set_name("other");  // ...and reused, zeroed, in the same transaction
    throw std::runtime_error("abort");
  }),
                  std::runtime_error);
  CHECK(bags.read([](const Bags::Snapshot& s) { return std::string(s.root().items()[0].name()); }) == long_name);
  CHECK(bags.pool().info().allocated_objects == objects);
}

TEST_CASE("map update changes a value in place, making it first if absent, and rolls back with the transaction") {
  test_support::ScratchDir dir;
  Bags bags = Bags::create(dir.file("update.pool"), 16 << 20);
  bags.transaction([](Bags::Tx& tx) {
    containers::Bag::Mut bag = tx.root();
    for (std::uint64_t word : {7u, 3u, 7u, 7u, 3u, 9u}) {
      bag.by_id().update(word, [](std::uint64_t& count) { ++count; });
    }
    CHECK(bag.by_id().update(5, [](std::uint64_t& count) { count = 50; }));   // made
    CHECK_FALSE(bag.by_id().update(5, [](std::uint64_t& count) { count += 1; }));  // there already
    // Struct values: the callback gets the entry's Mut.
    CHECK(bag.by_name().update("fig", [](containers::Item::Mut item) { item.set_count(item.count() + 2); }));
    CHECK_FALSE(bag.by_name().update("fig", [](containers::Item::Mut item) { item.set_count(item.count() + 2); }));
  });
  bags.read([](const Bags::Snapshot& s) {
    CHECK(s.root().by_id().at(7) == 3);
    CHECK(s.root().by_id().at(3) == 2);
    CHECK(s.root().by_id().at(9) == 1);
    CHECK(s.root().by_id().at(5) == 51);
    CHECK(s.root().by_id().size() == 4);
    CHECK(s.root().by_name().at("fig").count() == 4);
  });
  // An aborted transaction's updates, of new and existing entries, leave nothing.
  CHECK_THROWS_AS(bags.transaction([](Bags::Tx& tx) {
    containers::Bag::Mut bag = tx.root();
    bag.by_id().update(7, [](std::uint64_t& count) { count = 1000; });
    bag.by_id().update(11, [](std::uint64_t& count) { count = 1; });
    throw std::runtime_error("abort");
  }),
                  std::runtime_error);
  bags.read([](const Bags::Snapshot& s) {
    CHECK(s.root().by_id().at(7) == 3);
    CHECK_FALSE(s.root().by_id().contains(11));
  });
  // Durable: the values survive closing and opening.
  bags.close();
  Bags again = Bags::open(dir.file("update.pool"));
  again.read([](const Bags::Snapshot& s) { CHECK(s.root().by_id().at(5) == 51); });
}

TEST_CASE("map update refuses a callback that inserts into or erases from the same map, and rolls back") {
  test_support::ScratchDir dir;
  Bags bags = Bags::create(dir.file("reentrant.pool"), 16 << 20);
  bags.transaction([](Bags::Tx& tx) {
    for (std::uint64_t k = 0; k < 100; ++k) tx.root().by_id().insert(k, k);
  });
  CHECK_THROWS_AS(bags.transaction([](Bags::Tx& tx) {
    auto ids = tx.root().by_id();
    ids.update(50, [&](std::uint64_t& v) {
      ids.insert(1000, 1);  // moves entries: the value's slot is no longer 50's
      v = 7;
    });
  }),
                  pschema::usage_error);
  CHECK_THROWS_AS(bags.transaction([](Bags::Tx& tx) {
    auto ids = tx.root().by_id();
    ids.update(50, [&](std::uint64_t& v) {
      ids.erase(10);
      v = 7;
    });
  }),
                  pschema::usage_error);
  bags.read([](const Bags::Snapshot& s) {
    CHECK(s.root().by_id().size() == 100);
    CHECK(s.root().by_id().at(50) == 50);
    CHECK(s.root().by_id().at(10) == 10);
    CHECK_FALSE(s.root().by_id().contains(1000));
  });
}
