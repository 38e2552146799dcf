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

#include "containers.pschema.h"
#include "test_support.hpp"

using containers::Bags;

namespace {

struct Model {
  std::map<std::uint64_t, std::uint64_t> by_id;
  std::map<std::string, std::pair<std::string, std::uint32_t>> by_name;
  std::vector<std::int64_t> numbers;
  std::vector<std::string> items;
};

std::string random_name(std::mt19937_64& random) {
  // Short (inline) and long (heap) strings, with many shared prefixes.
  const std::size_t length = random() % 4 == 0 ? 20 + random() % 40 : 1 + random() % 6;
  std::string s;
  for (std::size_t i = 0; i < length; ++i) s += static_cast<char>('a' + random() % 3);
  return s;
}

void check_equal(const Bags& bags, const Model& model) {
  bags.read([&](const Bags::Snapshot& s) {
    containers::Bag::View bag = s.root();
    REQUIRE(bag.by_id().size() == model.by_id.size());
    auto expected = model.by_id.begin();
    for (auto [key, value] : bag.by_id()) {
      REQUIRE(expected != model.by_id.end());
      CHECK(key == expected->first);
      CHECK(value == expected->second);
      ++expected;
    }
    CHECK(expected == model.by_id.end());
    REQUIRE(bag.by_name().size() == model.by_name.size());
    auto named = model.by_name.begin();
    for (auto [key, item] : bag.by_name()) {
      CHECK(key == named->first);
      CHECK(item.name() == named->second.first);
      CHECK(item.count() == named->second.second);
      ++named;
    }
    REQUIRE(bag.numbers().size() == model.numbers.size());
    for (std::size_t i = 0; i < model.numbers.size(); ++i) CHECK(bag.numbers()[i] == model.numbers[i]);
    REQUIRE(bag.items().size() == model.items.size());
    for (std::size_t i = 0; i < model.items.size(); ++i) CHECK(bag.items()[i].name() == model.items[i]);
    // Spot checks of the search functions against the model.
    for (std::uint64_t probe : {0ULL, 17ULL, 500ULL, 999ULL}) {
      auto it = bag.by_id().lower_bound(probe);
      auto model_it = model.by_id.lower_bound(probe);
      if (model_it == model.by_id.end()) {
        CHECK(it == bag.by_id().end());
      } else {
        REQUIRE(it != bag.by_id().end());
        CHECK((*it).first == model_it->first);
      }
      auto up = bag.by_id().upper_bound(probe);
      auto model_up = model.by_id.upper_bound(probe);
      CHECK((up == bag.by_id().end()) == (model_up == model.by_id.end()));
      CHECK(bag.by_id().contains(probe) == (model.by_id.count(probe) != 0));
    }
  });
}

void random_operation(Bags::Tx& tx, Model& model, std::mt19937_64& random) {
  containers::Bag::Mut bag = tx.root();
  switch (random() % 10) {
    case 0:
    case 1: {
      const std::uint64_t key = random() % 1000, value = random();
      CHECK(bag.by_id().insert_or_assign(key, value) == (model.by_id.count(key) == 0));
      model.by_id[key] = value;
      break;
    }
    case 2: {
      const std::uint64_t key = random() % 1000;
      CHECK(bag.by_id().erase(key) == (model.by_id.erase(key) == 1));
      break;
    }
    case 3: {
      const std::string key = random_name(random);
      auto [item, made] = bag.by_name().try_emplace(key);
      CHECK(made == (model.by_name.count(key) == 0));
      const std::string name = random_name(random);
      item.set_name(name);
      item.set_count(item.count() + 1);
      auto& entry = model.by_name[key];
      entry.first = name;
      entry.second += 1;
      break;
    }
    case 4: {
      const std::string key = random_name(random);
      CHECK(bag.by_name().erase(key) == (model.by_name.erase(key) == 1));
      break;
    }
    case 5: {
      const auto value = static_cast<std::int64_t>(random());
      bag.numbers().push_back(value);
      model.numbers.push_back(value);
      break;
    }
    case 6: {
      if (model.numbers.empty()) break;
      const std::size_t at = random() % model.numbers.size();
      bag.numbers().erase(at);
      model.numbers.erase(model.numbers.begin() + static_cast<long>(at));
      break;
    }
    case 7: {
      const std::size_t at = model.items.empty() ? 0 : random() % (model.items.size() + 1);
      const std::string name = random_name(random);
      bag.items().insert(at).set_name(name);
      model.items.insert(model.items.begin() + static_cast<long>(at), name);
      break;
    }
    case 8: {
      if (model.items.empty()) break;
      bag.items().pop_back();
      model.items.pop_back();
      break;
    }
    default: {
      // A moved box: take the last boxed item out of the vec and put it
      // into a fresh first slot (no copy: the same object).
      auto boxes = bag.boxes();
      if (boxes.empty() || random() % 2 == 0) {
        boxes.emplace_back()->set_name(random_name(random));
      } else {
        pschema::Owned<containers::Item> moved = boxes.back().replace(tx.make<containers::Item>());
        boxes.pop_back();  // frees the placeholder just put there
        boxes.insert(0).replace(std::move(moved));  // frees the slot's own new Item
      }
      break;
    }
  }
}

}  // namespace

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
