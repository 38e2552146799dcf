// The random container workload shared by the property test and the
// crash test: a model of what the pool must hold, operations that change
// both, and a check that they agree.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "containers.pschema.h"

namespace container_workload {

using containers::Bags;

struct Model {
  bool operator==(const Model&) const = default;
  std::map<std::uint64_t, std::uint64_t> by_id;
  std::map<std::string, std::pair<std::string, std::uint32_t>> by_name;
  std::vector<std::int64_t> numbers;
  std::vector<std::string> items;
};

inline std::string random_name(std::mt19937_64& random) {
  // Short (inline) and long (heap) strings, with many shared prefixes.
  const std::size_t length = random() % 4 == 0 ? 20 + random() % 40 : 1 + random() % 6;
  std::string s;
  for (std::size_t i = 0; i < length; ++i) s += static_cast<char>('a' + random() % 3);
  return s;
}

// What the pool holds, as a model (to resume a workload after a crash).
// (A body returns only pschema::returnable values: it fills a model it captures.)
inline Model model_of(const Bags& bags) {
  Model model;
  bags.read([&model](const Bags::Snapshot& s) {
    for (auto [key, value] : s.root().by_id()) model.by_id[key] = value;
    for (auto [key, item] : s.root().by_name())
      model.by_name[std::string(key)] = {std::string(item.name()), item.count()};
    for (std::int64_t n : s.root().numbers()) model.numbers.push_back(n);
    for (auto item : s.root().items()) model.items.emplace_back(item.name());
  });
  return model;
}

inline void check_equal(const Bags& bags, const Model& model) {
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

inline void random_operation(Bags::Tx& tx, Model& model, std::mt19937_64& random) {
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

}  // namespace container_workload
