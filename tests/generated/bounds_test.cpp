// Every element access of vec and array is bounds-checked, on the read and
// the write side: an index at or past the size, or front/back/pop_back on
// an empty container, throws index_out_of_range naming the index and the
// size, and nothing is written (the pool still opens and holds what it
// held). Without the checks these writes land past the buffer (the next
// block's header: the pool no longer opens) and back() on an empty vec
// dereferences the null buffer.
#include <doctest/doctest.h>

#include <string>

#include "everything.pschema.h"
#include "test_support.hpp"

using all::Store;

namespace {

// The message of the index_out_of_range `f` throws ("" if none).
template <class F>
std::string misuse(F&& f) {
  try {
    f();
  } catch (const pschema::index_out_of_range& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("vec: operator[], at, front, back, set, erase and insert past the end throw; nothing is written") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("bounds.pool"), 16 << 20);
  store.transaction([](Store::Tx& tx) {
    auto numbers = tx.root().numbers();
    // Empty: no buffer at all yet.
    CHECK(misuse([&] { (void)numbers.back(); }) == "back() on an empty vec");
    CHECK(misuse([&] { (void)numbers.front(); }) == "front() on an empty vec");
    CHECK(misuse([&] { numbers.pop_back(); }) == "pop_back() on an empty vec");
    CHECK(misuse([&] { (void)numbers[0]; }) == "vec index 0 out of range (size 0)");
    for (std::int64_t i = 0; i < 3; ++i) numbers.push_back(i);
    // A buffer of capacity 4 holding 3: index 3 is inside the buffer, 4 past it.
    CHECK(misuse([&] { (void)numbers[3]; }) == "vec index 3 out of range (size 3)");
    CHECK(misuse([&] { (void)numbers.at(4); }) == "vec index 4 out of range (size 3)");
    CHECK(misuse([&] { numbers.set(3, 9); }) == "vec index 3 out of range (size 3)");
    CHECK(misuse([&] { numbers.erase(7); }) == "vec index 7 out of range (size 3)");
    CHECK(misuse([&] { numbers.insert(4, 1); }) == "vec insert index 4 out of range (size 3)");
    CHECK(numbers.back() == 2);
    CHECK(numbers.front() == 0);

    auto tags = tx.root().tags();
    CHECK(misuse([&] { tags.back().set_label("x"); }) == "back() on an empty vec");
    tags.emplace_back().set_label("only");
    // A struct element's Mut past the end: the write would go past the buffer.
    CHECK(misuse([&] { tags[1].set_label("past"); }) == "vec index 1 out of range (size 1)");
    CHECK(misuse([&] { tags[100].point().set_x(1.0); }) == "vec index 100 out of range (size 1)");
    // An iterator dereferenced at end() is checked too.
    CHECK(misuse([&] { (void)*tags.end(); }) == "vec index 1 out of range (size 1)");
  });
  store.read([](const Store::Snapshot& s) {
    auto numbers = s.root().numbers();
    REQUIRE(numbers.size() == 3);
    CHECK(misuse([&] { (void)numbers[3]; }) == "vec index 3 out of range (size 3)");
    CHECK(misuse([&] { (void)numbers.at(3); }) == "vec index 3 out of range (size 3)");
    auto words = s.root().words();
    CHECK(misuse([&] { (void)words.back(); }) == "back() on an empty vec");
    CHECK(misuse([&] { (void)words.front(); }) == "front() on an empty vec");
    CHECK(misuse([&] { (void)words[0]; }) == "vec index 0 out of range (size 0)");
    REQUIRE(s.root().tags().size() == 1);
    CHECK(s.root().tags().back().label() == "only");
  });
  // Nothing past the end was written: the pool opens and checks.
  const std::string path = store.pool().path();
  store.close();
  Store again = Store::open(path);
  again.read([](const Store::Snapshot& s) { CHECK(s.root().numbers().size() == 3); });
}

TEST_CASE("array: operator[], at, set past N throw on both sides") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("array.pool"), 16 << 20);
  store.transaction([](Store::Tx& tx) {
    auto corners = tx.root().corners();
    CHECK(misuse([&] { corners[4].set_x(1.0); }) == "array index 4 out of range (size 4)");
    CHECK(misuse([&] { (void)corners.at(9); }) == "array index 9 out of range (size 4)");
    auto scores = tx.root().scores();
    CHECK(misuse([&] { (void)scores[3]; }) == "array index 3 out of range (size 3)");
    CHECK(misuse([&] { scores.set(3, 1); }) == "array index 3 out of range (size 3)");
    scores.set(2, 7);
    CHECK(scores.back() == 7);
    corners.front().set_y(2.0);
  });
  store.read([](const Store::Snapshot& s) {
    CHECK(misuse([&] { (void)s.root().corners()[4]; }) == "array index 4 out of range (size 4)");
    CHECK(misuse([&] { (void)s.root().scores().at(3); }) == "array index 3 out of range (size 3)");
    CHECK(s.root().scores().back() == 7);
    CHECK(s.root().corners().front().y() == 2.0);
  });
}
