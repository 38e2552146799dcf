// Every kind of field through the generated views: what a Mut writes, a
// View reads back after commit and after reopening; aborts undo it all;
// nothing leaks.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "everything.pschema.h"
#include "test_support.hpp"

using all::Store;

pschema::Handle<all::Leaf> Store::Ops::add_leaf(Tx& tx, std::string_view name, const units::Grams::Value& weight) {
  all::Leaf::Mut leaf = tx.root().leaves().emplace_back().get();
  leaf.set_name(name);
  leaf.set_weight(weight);
  return tx.handle<all::Leaf>(leaf);
}

std::optional<std::string> Store::Ops::leaf_name(const Snapshot& snapshot, pschema::Handle<all::Leaf> h) {
  if (auto leaf = snapshot.resolve(h)) return std::string(leaf->name());
  return std::nullopt;
}

all::Point::Value Store::Ops::where(const Snapshot&, const all::Point::Value& p) { return {p.y, p.x}; }

std::vector<std::uint64_t> Store::Ops::add_leaves(Tx& tx, const std::vector<std::string>& names,
                                                  const std::vector<std::uint32_t>& grams) {
  std::vector<std::uint64_t> counts;
  for (std::size_t i = 0; i < names.size(); ++i) {
    all::Leaf::Mut leaf = tx.root().leaves().emplace_back().get();
    leaf.set_name(names[i]);
    leaf.set_weight({i < grams.size() ? grams[i] : 0});
    counts.push_back(tx.root().leaves().size());
  }
  return counts;
}

std::vector<all::Point::Value> Store::Ops::mirrored(const Snapshot&, const std::vector<all::Point::Value>& points) {
  std::vector<all::Point::Value> out;
  for (const auto& p : points) out.push_back({p.y, p.x});
  return out;
}

namespace {

const std::string long_text(100, 'x');  // longer than the inline capacity of a string

void fill(Store::Tx& tx) {
  all::Everything::Mut e = tx.root();
  e.set_flag(true);
  e.set_small(200);
  e.set_big(1ULL << 60);
  e.set_negative(-7);
  e.set_color(all::Color::blue);
  e.set_point({1.5, -2.5});
  e.corners()[2].set_x(9.0);
  e.scores().set(1, 77);
  e.set_name(long_text);
  const std::byte raw[] = {std::byte{1}, std::byte{2}, std::byte{3}};
  e.set_blob(raw);
  for (std::int64_t i = 0; i < 100; ++i) e.numbers().push_back(i * i);
  auto tag = e.tags().emplace_back();
  tag.set_label("first");
  tag.set_point({3, 4});
  e.words().emplace_back().assign("short");
  e.words().emplace_back().assign(long_text);
  e.leaf()->set_name("always there");
  e.maybe_leaf().emplace().set_name("optional leaf");
  e.leaves().emplace_back()->set_name("in a vec");
  e.maybe_number().set(42);
  e.maybe_point().emplace().set_y(8);
  e.maybe_name().emplace().assign("named");
}

void check_filled(const Store& store) {
  store.read([](const Store::Snapshot& s) {
    all::Everything::View e = s.root();
    CHECK(e.flag());
    CHECK(e.small() == 200);
    CHECK(e.big() == 1ULL << 60);
    CHECK(e.negative() == -7);
    CHECK(e.color() == all::Color::blue);
    CHECK(e.point().x() == 1.5);
    CHECK(e.point().y() == -2.5);
    CHECK(e.corners()[2].x() == 9.0);
    CHECK(e.corners()[0].x() == 0.0);
    CHECK(e.scores()[1] == 77);
    CHECK(e.name() == long_text);
    REQUIRE(e.blob().size() == 3);
    CHECK(e.blob()[2] == std::byte{3});
    REQUIRE(e.numbers().size() == 100);
    std::int64_t sum = 0;
    for (std::int64_t n : e.numbers()) sum += n;
    CHECK(sum == 328350);
    CHECK(e.tags()[0].label() == "first");
    CHECK(e.tags()[0].point().to_value().y == 4);
    CHECK(e.words()[0] == "short");
    CHECK(e.words()[1] == long_text);
    CHECK(e.leaf().name() == "always there");
    REQUIRE(e.maybe_leaf().has_value());
    CHECK(e.maybe_leaf()->name() == "optional leaf");
    CHECK(e.leaves()[0].name() == "in a vec");
    CHECK(e.maybe_number() == 42u);
    CHECK(e.maybe_point()->y() == 8);
    CHECK(*e.maybe_name() == "named");
  });
}

}  // namespace

TEST_CASE("every field kind round-trips through commit and reopen") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("all.pool");
  {
    Store store = Store::create(path, 16 << 20);
    // A new pool's root already has its box<Leaf>.
    CHECK(store.read([](const Store::Snapshot& s) { return std::string(s.root().leaf().name()); }).empty());
    store.transaction(fill);
    check_filled(store);
  }
  Store store = Store::open(path);
  check_filled(store);
}

TEST_CASE("an aborted transaction undoes every field kind and leaks nothing") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("abort.pool"), 16 << 20);
  const auto before = store.pool().info();
  CHECK_THROWS_AS(store.transaction([](Store::Tx& tx) {
    fill(tx);
    throw std::runtime_error("abort");
  }),
                  std::runtime_error);
  CHECK(store.pool().info().allocated_objects == before.allocated_objects);
  CHECK(store.pool().info().allocated_bytes == before.allocated_bytes);
  store.read([](const Store::Snapshot& s) {
    CHECK_FALSE(s.root().flag());
    CHECK(s.root().name().empty());
    CHECK(s.root().numbers().empty());
    CHECK_FALSE(s.root().maybe_leaf().has_value());
    CHECK_FALSE(s.root().maybe_number().has_value());
  });
}

TEST_CASE("clearing everything returns the pool to its first allocation count") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("clear.pool"), 16 << 20);
  const auto before = store.pool().info();
  store.transaction(fill);
  CHECK(store.pool().info().allocated_objects > before.allocated_objects);
  store.transaction([](Store::Tx& tx) {
    all::Everything::Mut e = tx.root();
    e.set_name("");
    e.set_blob({});
    e.numbers().clear();
    e.tags().clear();
    e.words().clear();
    e.leaf()->set_name("");
    e.maybe_leaf().reset();
    e.leaves().clear();
    e.maybe_name().reset();
  });
  // Emptied vecs keep their buffers (as std::vector keeps its capacity).
  const auto after = store.pool().info().allocated_objects;
  CHECK(after == before.allocated_objects + 4);  // numbers, tags, words, leaves buffers
}

TEST_CASE("vec operations keep order and free what they drop") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("vec.pool"), 16 << 20);
  store.transaction([](Store::Tx& tx) {
    auto words = tx.root().words();
    for (const char* w : {"a", "b", "c", "d"}) words.emplace_back().assign(w);
    words.insert(1).assign(long_text);  // a b -> a X b
    words.erase(3);                     // drops "c"
    words.pop_back();                   // drops "d"
  });
  store.read([](const Store::Snapshot& s) {
    auto words = s.root().words();
    REQUIRE(words.size() == 3);
    CHECK(words[0] == "a");
    CHECK(words[1] == long_text);
    CHECK(words[2] == "b");
    CHECK_THROWS_AS(words.at(3), pschema::index_out_of_range);
  });
}

TEST_CASE("handles resolve while their object lives, and not after it is freed or in another pool") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("h.pool"), 16 << 20);
  Store other = Store::create(dir.file("other.pool"), 16 << 20);
  const pschema::Handle<all::Leaf> h = store.add_leaf("kept", {12});
  CHECK(store.leaf_name(h) == "kept");
  CHECK_FALSE(other.leaf_name(h).has_value());
  store.transaction([](Store::Tx& tx) { tx.root().leaves().clear(); });
  CHECK_FALSE(store.leaf_name(h).has_value());
  CHECK(store.where({1, 2}).x == 2);
}

TEST_CASE("operations take and return vec<T> as std::vector of T's values") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("v.pool"), 16 << 20);
  CHECK(store.add_leaves({"a", long_text, "c"}, {5, 6}) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(store.add_leaves({}, {}).empty());
  store.read([](const Store::Snapshot& s) {
    REQUIRE(s.root().leaves().size() == 3);
    CHECK(s.root().leaves()[1].name() == long_text);
    CHECK(s.root().leaves()[1].weight().value() == 6);
    CHECK(s.root().leaves()[2].weight().value() == 0);
  });
  const std::vector<all::Point::Value> mirrored = store.mirrored({{1, 2}, {3, 4}});
  REQUIRE(mirrored.size() == 2);
  CHECK((mirrored[1].x == 4 && mirrored[1].y == 3));
}

TEST_CASE("const fields are set only on objects the transaction made") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("const.pool"), 16 << 20);
  CHECK_THROWS_AS(store.transaction([](Store::Tx& tx) { tx.root().init_created(5); }), pschema::usage_error);
}

TEST_CASE("rc shares an object until the last owner lets go, and weak sees it go") {
  test_support::ScratchDir dir;
  all::Graphs graphs = all::Graphs::create(dir.file("rc.pool"), 16 << 20);
  const auto baseline = graphs.pool().info().allocated_objects;  // root + the block of `first`
  graphs.transaction([](all::Graphs::Tx& tx) {
    all::Graph::Mut g = tx.root();
    g.first()->set_label("shared");
    g.second().share(g.first());  // two owners now
    g.watcher().set(g.first());
    auto child = g.first()->child().emplace();
    child.set_label("child");
    child.parent().set(g.first());  // a weak back link: no cycle of rc
    CHECK(g.first().use_count() == 2);
  });
  CHECK(graphs.pool().info().allocated_objects == baseline + 1);  // the child's block (labels are inline)
  graphs.read([](const all::Graphs::Snapshot& s) {
    CHECK(s.root().second()->label() == "shared");
    CHECK(s.root().first().child()->parent().lock()->label() == "shared");
  });
  // Replacing `first` keeps the object alive through `second`.
  graphs.transaction([](all::Graphs::Tx& tx) {
    tx.root().first().emplace().set_label("new first");
    CHECK(tx.root().second().get()->label() == "shared");
    CHECK(tx.root().watcher().lock().has_value());
  });
  // Dropping the last owner destroys it (and its child); the watcher
  // keeps only the block.
  graphs.transaction([](all::Graphs::Tx& tx) { tx.root().second().reset(); });
  graphs.read([](const all::Graphs::Snapshot& s) {
    CHECK(s.root().watcher().expired());
    CHECK(s.root().first().label() == "new first");
  });
  // The old object died with its child; its block stays for the watcher.
  CHECK(graphs.pool().info().allocated_objects == baseline + 1);  // + new first's block
  graphs.transaction([](all::Graphs::Tx& tx) { tx.root().watcher().reset(); });
  CHECK(graphs.pool().info().allocated_objects == baseline);  // the watched block is gone too
}

TEST_CASE("handles exist for objects with their own block, in every container, and not for by-value elements") {
  test_support::ScratchDir dir;
  Store store = Store::create(dir.file("handles.pool"), 16 << 20);
  store.transaction([](Store::Tx& tx) {
    all::Everything::Mut e = tx.root();
    CHECK_NOTHROW(tx.handle<all::Everything>(e));                       // the root
    CHECK_NOTHROW(tx.handle<all::Leaf>(e.leaf().get()));                // box
    CHECK_NOTHROW(tx.handle<all::Leaf>(e.maybe_leaf().emplace()));     // box?
    CHECK_NOTHROW(tx.handle<all::Leaf>(e.leaves().emplace_back().get()));  // vec<box<T>>
    CHECK_THROWS_AS(tx.handle<all::Tagged>(e.tags().emplace_back()), pschema::usage_error);  // by value in a vec
  });
}
