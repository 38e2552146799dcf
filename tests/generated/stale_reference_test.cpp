// Stale references (docs/runtime.md, "Stale references"): a Mut, container
// Mut, writing iterator or Owned<T> used after its transaction ended, on
// another thread, or (an element, or an iterator) after its container moved
// or removed it, throws pschema::stale_reference and writes nothing; a
// handle to a freed object resolves to nothing even when a new object of
// the same type reuses its block.
#include <doctest/doctest.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <thread>

#include "containers.pschema.h"
#include "test_support.hpp"

using containers::Bag;
using containers::Bags;
using containers::Item;

namespace {

// A pool whose root has three items, numbers 1..3 and the map 1->10, 2->20.
Bags filled(test_support::ScratchDir& dir) {
  Bags bags = Bags::create(dir.file("stale.pool"), 16 << 20);
  bags.transaction([](Bags::Tx& tx) {
    Bag::Mut bag = tx.root();
    for (std::uint32_t i = 1; i <= 3; ++i) bag.items().emplace_back().set_count(i);
    for (std::int64_t i = 1; i <= 3; ++i) bag.numbers().push_back(i);
    bag.by_id().insert(1, 10);
    bag.by_id().insert(2, 20);
  });
  return bags;
}

std::uint64_t committed(Bags& bags) {
  return bags.read([](const Bags::Snapshot& s) { return s.root().committed(); });
}

}  // namespace

TEST_CASE("a Mut kept past its transaction refuses to write, after a commit or a rollback") {
  test_support::ScratchDir dir;
  Bags bags = filled(dir);
  std::optional<Bag::Mut> kept;
  bags.transaction([&](Bags::Tx& tx) { kept.emplace(tx.root()); });
  // Outside any transaction.
  CHECK_THROWS_AS(kept->set_committed(7), pschema::stale_reference);
  // Inside a later transaction (same lane, same Transaction object).
  CHECK_THROWS_AS(bags.transaction([&](Bags::Tx&) { kept->set_committed(7); }), pschema::stale_reference);
  CHECK(committed(bags) == 0);

  std::optional<Bag::Mut> aborted;
  CHECK_THROWS_AS(bags.transaction([&](Bags::Tx& tx) {
    aborted.emplace(tx.root());
    throw std::runtime_error("abort on purpose");
  }),
                  std::runtime_error);
  CHECK_THROWS_AS(aborted->set_committed(8), pschema::stale_reference);
  CHECK(committed(bags) == 0);
}

TEST_CASE("container Muts and element Muts kept past their transaction refuse to write") {
  test_support::ScratchDir dir;
  Bags bags = filled(dir);
  std::optional<pschema::VecMut<std::int64_t>> numbers;
  std::optional<pschema::MapMut<std::uint64_t, std::uint64_t>> by_id;
  std::optional<pschema::StringMut> name;
  std::optional<Item::Mut> item;
  bags.transaction([&](Bags::Tx& tx) {
    numbers.emplace(tx.root().numbers());
    by_id.emplace(tx.root().by_id());
    name.emplace(tx.root().items()[0].name());
    item.emplace(tx.root().items()[0]);
  });
  bags.transaction([&](Bags::Tx&) {
    CHECK_THROWS_AS(numbers->push_back(4), pschema::stale_reference);
    CHECK_THROWS_AS(numbers->set(0, 9), pschema::stale_reference);
    CHECK_THROWS_AS(by_id->insert(3, 30), pschema::stale_reference);
    CHECK_THROWS_AS(by_id->erase(1), pschema::stale_reference);
    CHECK_THROWS_AS(name->assign("late"), pschema::stale_reference);
    CHECK_THROWS_AS(item->set_count(99), pschema::stale_reference);
  });
  bags.read([](const Bags::Snapshot& s) {
    CHECK(s.root().numbers().size() == 3);
    CHECK(s.root().numbers()[0] == 1);
    CHECK(s.root().by_id().size() == 2);
    CHECK(s.root().items()[0].count() == 1);
    CHECK(s.root().items()[0].name() == "");
  });
}

TEST_CASE("a Mut used on another thread than the one running its transaction refuses to write") {
  test_support::ScratchDir dir;
  Bags bags = filled(dir);
  bags.transaction([&](Bags::Tx& tx) {
    Bag::Mut bag = tx.root();
    bool refused = false;
    std::thread other([&] {
      try {
        bag.set_committed(5);
      } catch (const pschema::stale_reference&) {
        refused = true;
      }
    });
    other.join();
    CHECK(refused);
    // The running transaction's own thread still writes through it.
    bag.set_committed(6);
  });
  CHECK(committed(bags) == 6);
}

TEST_CASE("an element of a vec taken before the vec moved or removed it refuses to write") {
  test_support::ScratchDir dir;
  Bags bags = filled(dir);
  SUBCASE("growth: the old buffer is freed") {
    bags.transaction([](Bags::Tx& tx) {
      auto items = tx.root().items();
      Item::Mut first = items[0];
      auto first_name = first.name();
      while (items.size() < items.capacity()) items.emplace_back();
      first.set_count(40);  // no reallocation yet: still the element
      items.emplace_back();  // grows
      CHECK_THROWS_AS(first.set_count(41), pschema::stale_reference);
      CHECK_THROWS_AS(first_name.assign("old buffer"), pschema::stale_reference);
      items[0].set_count(42);  // taken again: fine
    });
    bags.read([](const Bags::Snapshot& s) { CHECK(s.root().items()[0].count() == 42); });
  }
  SUBCASE("insert before it shifts it") {
    CHECK_THROWS_AS(bags.transaction([](Bags::Tx& tx) {
      auto items = tx.root().items();
      Item::Mut second = items[1];
      Item::Mut first = items[0];
      items.insert(1);
      first.set_count(50);  // before the insert point: did not move
      second.set_count(51);
    }),
                    pschema::stale_reference);
  }
  SUBCASE("erase and pop_back remove it") {
    bags.transaction([](Bags::Tx& tx) {
      auto items = tx.root().items();
      Item::Mut last = items[2];
      Item::Mut middle = items[1];
      items.pop_back();
      CHECK_THROWS_AS(last.set_count(60), pschema::stale_reference);
      middle.set_count(61);
      items.erase(0);
      CHECK_THROWS_AS(middle.set_count(62), pschema::stale_reference);
      CHECK(items[0].count() == 61);
    });
  }
  // Every refused write wrote nothing: the counts are as filled, or as the
  // subcase set them through fresh elements.
  bags.read([](const Bags::Snapshot& s) {
    for (auto item : s.root().items()) CHECK(item.count() != 41);
    for (auto item : s.root().items()) CHECK(item.count() != 51);
    for (auto item : s.root().items()) CHECK(item.count() != 60);
    for (auto item : s.root().items()) CHECK(item.count() != 62);
  });
}

TEST_CASE("a map value taken before an insert or erase of that map refuses to write") {
  test_support::ScratchDir dir;
  Bags bags = filled(dir);
  bags.transaction([](Bags::Tx& tx) {
    auto by_name = tx.root().by_name();
    Item::Mut a = by_name.try_emplace("a").first;
    a.set_count(1);
    by_name.try_emplace("a").first.set_count(2);  // found, not inserted: `a` stays valid
    a.set_count(3);
    by_name.try_emplace("b");
    CHECK_THROWS_AS(a.set_count(4), pschema::stale_reference);
    Item::Mut again = *by_name.find("a");
    again.set_count(5);
    by_name.erase("b");
    CHECK_THROWS_AS(again.set_count(6), pschema::stale_reference);
  });
  bags.read([](const Bags::Snapshot& s) { CHECK(s.root().by_name().find("a")->count() == 5); });
}

TEST_CASE("iterating a vec or a map while erasing or inserting in it throws at the next step") {
  test_support::ScratchDir dir;
  Bags bags = filled(dir);
  CHECK_THROWS_AS(bags.transaction([](Bags::Tx& tx) {
    auto items = tx.root().items();
    for (auto it = items.begin(); it != items.end(); ++it) {
      if ((*it).count() == 1) items.erase(0);
    }
  }),
                  pschema::stale_reference);
  CHECK_THROWS_AS(bags.transaction([](Bags::Tx& tx) {
    auto by_id = tx.root().by_id();
    for (auto it = by_id.begin(); it != by_id.end(); ++it) by_id.insert((*it).first + 100, 0);
  }),
                  pschema::stale_reference);
  bags.read([](const Bags::Snapshot& s) {
    CHECK(s.root().items().size() == 3);
    CHECK(s.root().by_id().size() == 2);
  });
}

TEST_CASE("boxed objects and containers of unchanged vecs stay valid: no false alarms") {
  test_support::ScratchDir dir;
  Bags bags = filled(dir);
  bags.transaction([](Bags::Tx& tx) {
    Bag::Mut bag = tx.root();
    auto boxes = bag.boxes();
    boxes.emplace_back();
    Item::Mut boxed = boxes[0].get();
    for (int i = 0; i < 20; ++i) boxes.insert(0);  // moves the boxes, not the objects
    boxed.set_count(7);
    // A change of one container leaves elements of others alone.
    Item::Mut item = bag.items()[0];
    bag.numbers().insert(0, 0);
    bag.by_id().insert(9, 90);
    item.set_count(8);
    bag.set_committed(1);  // the root was never an element
  });
  bags.read([](const Bags::Snapshot& s) {
    CHECK(s.root().boxes()[20].count() == 7);
    CHECK(s.root().items()[0].count() == 8);
  });
}

TEST_CASE("a handle to a freed object resolves to nothing once a new object reuses its block") {
  test_support::ScratchDir dir;
  Bags bags = filled(dir);
  pschema::Handle<Item> old_handle = bags.transaction([](Bags::Tx& tx) {
    auto boxes = tx.root().boxes();
    boxes.emplace_back();
    return tx.handle<Item>(boxes[0].get());
  });
  bags.transaction([](Bags::Tx& tx) { tx.root().boxes().erase(0); });
  pschema::Handle<Item> new_handle = bags.transaction([](Bags::Tx& tx) {
    auto boxes = tx.root().boxes();
    boxes.emplace_back();
    return tx.handle<Item>(boxes[0].get());
  });
  // The allocator gave the freed block to the new object of the same type:
  // only the generation tells the handles apart.
  REQUIRE(new_handle.offset() == old_handle.offset());
  bags.transaction([&](Bags::Tx& tx) {
    CHECK_FALSE(tx.resolve(old_handle).has_value());
    CHECK(tx.resolve(new_handle).has_value());
  });
  bags.read([&](const Bags::Snapshot& s) {
    CHECK_FALSE(s.resolve(old_handle).has_value());
    CHECK(s.resolve(new_handle).has_value());
  });
}
