#include "sample_pools.hpp"

#include <cstddef>
#include <filesystem>

#include "bank.pschema.h"
#include "containers.pschema.h"
#include "everything.pschema.h"
#include "sorted_list.pschema.h"

namespace sample_pools {

namespace {

constexpr std::size_t pool_size = 4 << 20;

// Fixtures need no durability: the pmem backend flushes cache lines
// instead of calling msync for every fence, which keeps the tests fast.
pschema::PoolOptions fast() {
  pschema::PoolOptions options;
  options.backend = pschema::Backend::pmem;
  return options;
}

}  // namespace

void make_bank(const std::string& path) {
  bank::Ledger ledger = bank::Ledger::create(path, pool_size, fast());
  const std::uint64_t alice = ledger.open_account("alice", bank::Kind::checking);
  const std::uint64_t bob = ledger.open_account("bob", bank::Kind::savings);
  const std::uint64_t carol = ledger.open_account("Carol, with a name too long to fit inline", bank::Kind::checking);
  ledger.deposit(alice, {10000});
  ledger.deposit(bob, {2500});
  ledger.transfer(alice, bob, 1200);
  ledger.transfer(alice, carol, 300);
  ledger.transfer(bob, carol, 50);
}

void make_containers(const std::string& path) {
  containers::Bags bags = containers::Bags::create(path, pool_size, fast());
  bags.transaction([](containers::Bags::Tx& tx) {
    containers::Bag::Mut bag = tx.root();
    // 100 u64 keys: more than one leaf (31 entries each), so an inner node.
    for (std::uint64_t i = 0; i < 100; ++i) bag.by_id().insert(i * 7 % 100, i * i);
    for (const char* name : {"fig", "apple", "a name longer than twenty-two bytes", "kiwi"}) {
      bag.by_name().try_emplace(name).first.set_count(static_cast<std::uint32_t>(std::string(name).size()));
    }
    bag.by_name().at("kiwi").name().assign("the kiwi item, named at length");
    const std::byte b1[] = {std::byte{2}}, b2[] = {std::byte{1}, std::byte{0xff}}, b3[] = {std::byte{1}};
    bag.by_bytes().insert(b1, -1);
    bag.by_bytes().insert(b2, 2);
    bag.by_bytes().insert(b3, 3);
    bag.by_level().insert_or_assign(containers::Level::high, std::string("H"));
    bag.by_level().insert_or_assign(containers::Level::low, std::string("low, and long enough for a buffer"));
    for (int i = 0; i < 3; ++i) {
      containers::Item::Mut item = bag.items().emplace_back();
      item.name().assign(std::string(static_cast<std::size_t>(i) + 1, static_cast<char>('x' + i)));
      item.set_count(static_cast<std::uint32_t>(i * 10));
    }
    for (std::int64_t n : {std::int64_t{-3}, std::int64_t{0}, std::int64_t{5}, std::int64_t{1} << 40})
      bag.numbers().push_back(n);
    bag.boxes().emplace_back()->set_count(1);
    bag.boxes().emplace_back()->name().assign("boxed");
    bag.set_committed(1);
  });
  // Erasing leaves the tree unbalanced in content (never merges) but valid.
  bags.transaction([](containers::Bags::Tx& tx) {
    for (std::uint64_t i = 40; i < 50; ++i) tx.root().by_id().erase(i);
  });
}

void make_everything(const std::string& path) {
  all::Store store = all::Store::create(path, pool_size, fast());
  store.transaction([](all::Store::Tx& tx) {
    all::Everything::Mut e = tx.root();
    e.set_flag(true);
    e.set_small(200);
    e.set_big(1ULL << 60);
    e.set_negative(-7);
    e.set_color(all::Color::blue);
    e.set_point({1.5, -2.5});
    e.corners()[2].set_x(9.0);
    e.scores().set(1, 77);
    e.set_name("a \"quoted\"\tname\nover two lines, long enough for the heap");
    const std::byte raw[] = {std::byte{1}, std::byte{2}, std::byte{0xfe}};
    e.set_blob(raw);
    for (std::int64_t i = 0; i < 5; ++i) e.numbers().push_back(i * i);
    auto tag = e.tags().emplace_back();
    tag.set_label("first");
    tag.set_point({3, 4});
    e.words().emplace_back().assign("short");
    e.words().emplace_back().assign("caf\xc3\xa9 and a byte that is not UTF-8: \xff");
    e.leaf()->set_name("always there");
    e.leaf()->set_weight({250});
    e.maybe_leaf().emplace().set_name("optional leaf");
    e.leaves().emplace_back()->set_name("in a vec");
    e.maybe_number().set(42);
    e.maybe_point().emplace().set_y(8);
  });
}

void make_graphs(const std::string& path) {
  all::Graphs graphs = all::Graphs::create(path, pool_size, fast());
  graphs.transaction([](all::Graphs::Tx& tx) {
    all::Graph::Mut g = tx.root();
    g.first()->set_label("shared");
    g.second().share(g.first());
    g.watcher().set(g.first());
    all::Shared::Mut child = g.first()->child().emplace();
    child.set_label("child");
    child.parent().set(g.first());
  });
}

void make_list(const std::string& path, int nodes) {
  list::List l = list::List::create(path, pool_size, fast());
  for (int i = 0; i < nodes; ++i) l.insert((i * 37) % 101 - 50);
}

void make_pending_list(const std::string& path, int in_file, int in_log) {
  pschema::PoolOptions file_engine;
  file_engine.backend = pschema::Backend::file;
  {
    list::List l = list::List::create(path, pool_size, file_engine);
    for (int i = 0; i < in_file; ++i) l.insert((i * 37) % 101 - 50);
  }  // the close checkpoints them into the pool file
  // Thresholds no commit here reaches: every record stays in the log.
  file_engine.checkpoint_log_bytes = std::size_t{1} << 30;
  file_engine.checkpoint_private_bytes = std::size_t{1} << 30;
  const std::string copy = path + ".open";
  {
    list::List l = list::List::open(path, file_engine);
    for (int i = in_file; i < in_file + in_log; ++i) l.insert((i * 37) % 101 - 50);
    // What a crash (or a power failure after the syncs) leaves: the pool
    // file and its log as they are while the pool is open.
    std::filesystem::copy_file(path, copy);
    std::filesystem::copy_file(path + ".wal", copy + ".wal");
  }
  std::filesystem::rename(copy, path);
  std::filesystem::rename(copy + ".wal", path + ".wal");
}

void make_all(const std::string& directory) {
  std::filesystem::create_directories(directory);
  for (const char* name : {"bank.pool", "containers.pool", "everything.pool", "graphs.pool", "list.pool",
                           "long_list.pool", "pending.pool", "pending.pool.wal"}) {
    std::filesystem::remove(std::filesystem::path(directory) / name);
  }
  const auto at = [&](const char* name) { return (std::filesystem::path(directory) / name).string(); };
  make_bank(at("bank.pool"));
  make_containers(at("containers.pool"));
  make_everything(at("everything.pool"));
  make_graphs(at("graphs.pool"));
  make_list(at("list.pool"), 6);
  make_list(at("long_list.pool"), 300);
  make_pending_list(at("pending.pool"), 3, 4);
}

}  // namespace sample_pools
