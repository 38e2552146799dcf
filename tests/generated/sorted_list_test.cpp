// Corundum's sorted linked list (Table 2 of the paper), written against
// the generated API (the operations are in sorted_list_ops.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>
#include <string>

#include "sorted_list.pschema.h"
#include "test_support.hpp"

using list::List;

namespace {

std::vector<std::int64_t> walk(const List& l) {
  return l.read([](const List::Snapshot& s) {
    std::vector<std::int64_t> out;
    for (auto node = s.root().first(); node; pschema::rebind(node, node->next())) out.push_back(node->value());
    return out;
  });
}

}  // namespace

TEST_CASE("the sorted list stays sorted, survives reopening, and frees removed nodes") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("list.pool");
  std::multiset<std::int64_t> model;
  const unsigned seed = test_support::test_seed();
  CAPTURE(seed);
  std::mt19937 random(seed);
  {
    List l = List::create(path, 8 << 20);
    for (int i = 0; i < 300; ++i) {
      const std::int64_t v = static_cast<std::int64_t>(random() % 1000) - 500;
      l.insert(v);
      model.insert(v);
    }
    CHECK(walk(l) == std::vector<std::int64_t>(model.begin(), model.end()));
  }
  List l = List::open(path);
  CHECK(walk(l) == std::vector<std::int64_t>(model.begin(), model.end()));
  CHECK(l.read([](const List::Snapshot& s) { return s.root().length(); }) == model.size());
  const auto objects_before = l.pool().info().allocated_objects;
  int removed = 0;
  for (int i = 0; i < 200; ++i) {
    const std::int64_t v = static_cast<std::int64_t>(random() % 1000) - 500;
    const bool expected = model.count(v) != 0;
    CHECK(l.remove(v) == expected);
    CHECK(l.contains(v) == (model.count(v) > (expected ? 1u : 0u)));
    if (expected) {
      model.erase(model.find(v));
      ++removed;
    }
  }
  CHECK(walk(l) == std::vector<std::int64_t>(model.begin(), model.end()));
  CHECK(l.pool().info().allocated_objects == objects_before - static_cast<std::uint64_t>(removed));
}

TEST_CASE("an exception inside a list transaction leaves the list as it was") {
  test_support::ScratchDir dir;
  List l = List::create(dir.file("abort.pool"), 8 << 20);
  for (std::int64_t v : {5, 1, 3}) l.insert(v);
  const auto objects = l.pool().info().allocated_objects;
  CHECK_THROWS_AS(l.transaction([](List::Tx& tx) {
    List::Ops::insert(tx, 2);
    List::Ops::insert(tx, 4);
    List::Ops::remove(tx, 5);
    throw std::runtime_error("abort");
  }),
                  std::runtime_error);
  CHECK(l.values() == "1 3 5");
  CHECK(l.pool().info().allocated_objects == objects);
}

TEST_CASE("log_whole on generated objects: one fence for several, free writes after, one pool only") {
  test_support::ScratchDir dir;
  pschema::PoolOptions options;
  options.backend = pschema::Backend::pmem;
  List l = List::create(dir.file("whole.pool"), 8 << 20, options);
  for (std::int64_t v : {1, 2}) l.insert(v);

  const auto before = l.pool().counters();
  l.transaction([](List::Tx& tx) {
    list::Head::Mut head = tx.root();
    list::Node::Mut first = head.first().value();
    pschema::log_whole(head, first);  // both objects, one fence
    first.set_value(10);
    head.set_length(7);
    first.set_value(11);
  });
  const auto costs = l.pool().counters() - before;
  CHECK(costs.fences == 3);
  CHECK(costs.ranges_logged == 2);
  CHECK(l.values() == "11 2");
  CHECK(l.read([](const List::Snapshot& s) { return s.root().length(); }) == 7);

  // Objects of two different pools (two transactions) cannot be logged together.
  List other = List::create(dir.file("other.pool"), 8 << 20);
  other.insert(5);
  CHECK_THROWS_AS(l.transaction([&](List::Tx& tx) {
    other.transaction([&](List::Tx& other_tx) { pschema::log_whole(tx.root(), other_tx.root()); });
  }),
                  pschema::usage_error);
  CHECK(l.values() == "11 2");
}
