// Power failures under the file engine, with a random workload that mixes
// what the power-failure simulator's workloads do not: immediate and
// deferred commits in one pool, Pool::sync, allocations of up to 6 KiB.
// The disk is the simulator's file medium (tests/crash_sim/file_medium.hpp:
// 512-byte sectors pending until their file's fdatasync). After every
// write and sync it builds crash images: the durable files plus none, all,
// or random subsets of the pending sectors (a torn record, a torn
// checkpoint). Each image must open, hold exactly the state after some
// number k of committed transactions, with k at least the number
// acknowledged as durable and at most the one in flight; and open again
// with nothing to replay.
//
// Reproduce with PSCHEMA_CRASH_SEED=<seed> (printed). Every write and sync
// is a crash point, one in six checked (PSCHEMA_SIM_EXHAUSTIVE=1: all of
// them, with more subsets and a longer run).
#include <doctest/doctest.h>

#include <cinttypes>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "crash_support.hpp"
#include "file_medium.hpp"
#include "io_support.hpp"
#include "pschema/errors.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Transaction;
using test_support::ScratchDir;

namespace {

constexpr std::uint32_t node_type = 2;

struct Root {
  std::uint64_t counter;  // the number of the last committed transaction
  std::uint64_t head;     // a list of nodes
  std::uint64_t count;
  std::uint64_t sum;
  std::uint64_t slots[28];
};
static_assert(sizeof(Root) == 256);

struct Node {
  std::uint64_t next;
  std::uint64_t value;
  std::uint64_t size;
};

pschema::SchemaInfo schema() { return test_support::test_schema(sizeof(Root), "crash.Power", 0x90E4); }

// Everything a committed transaction can change, as text (a leaked or lost
// block shows in the allocation figures).
std::string digest(const Pool& pool) {
  const pschema::PoolInfo info = pool.info();
  return pool.read([&](const pschema::ReadView& v) {
    const Root& root = *v.at<Root>(v.root_offset());
    std::string out = "counter " + std::to_string(root.counter) + " count " + std::to_string(root.count) + " sum " +
                      std::to_string(root.sum) + " slots";
    for (std::uint64_t slot : root.slots) out += " " + std::to_string(slot);
    out += " list";
    std::uint64_t offset = root.head;
    for (std::uint64_t steps = 0; offset != 0 && steps <= root.count; ++steps) {
      if (!v.holds_object(offset, node_type)) return out + " <not a node at " + std::to_string(offset) + ">";
      const Node& node = *v.at<Node>(offset);
      const auto* fill = reinterpret_cast<const unsigned char*>(&node + 1);
      bool intact = true;
      for (std::uint64_t i = 0; i < node.size - sizeof(Node); ++i) {
        intact = intact && fill[i] == static_cast<unsigned char>(node.value + i);
      }
      out += " " + std::to_string(node.value) + (intact ? "" : "<damaged>");
      offset = node.next;
    }
    return out + " objects " + std::to_string(info.allocated_objects) + " bytes " +
           std::to_string(info.allocated_bytes);
  });
}

struct Deliberate {};

// What the workload tells its observer.
struct Observer {
  std::function<void()> before_transaction = [] {};
  std::function<void(bool durable)> committed = [](bool) {};
  std::function<void()> aborted = [] {};
  std::function<void()> synced = [] {};
};

// Random transactions, the same for a given seed: a counter and a slot in
// every one, list pushes (allocations of 24 B to 6 KiB) and pops (frees),
// some aborted after writing, some deferred, some followed by Pool::sync.
void workload(Pool& pool, std::uint64_t seed, int transactions, const Observer& observer) {
  std::mt19937_64 rng(seed);
  const pschema::TransactionOptions immediate{.durability = pschema::Durability::immediate};
  const pschema::TransactionOptions deferred{.durability = pschema::Durability::deferred};
  for (int t = 0; t < transactions; ++t) {
    const bool abort = rng() % 10 == 0;
    const bool lazy = rng() % 5 == 0;
    const bool sync_after = rng() % 8 == 0;
    observer.before_transaction();
    try {
      pool.transaction(lazy ? deferred : immediate, [&](Transaction& tx) {
        Root& root = *tx.at<Root>(tx.root_offset());
        tx.write(root.counter, root.counter + 1);
        tx.write(root.slots[rng() % 28], rng() % 1000);
        const auto op = rng() % 4;
        if (op == 0 && root.count > 0) {
          const std::uint64_t offset = root.head;
          const Node& node = *tx.at<Node>(offset);
          tx.write(root.head, node.next);
          tx.write(root.count, root.count - 1);
          tx.write(root.sum, root.sum - node.value);
          tx.free(offset);
        } else if (op != 3) {
          const std::uint64_t size = sizeof(Node) + (rng() % 8 == 0 ? 4000 + rng() % 2000 : rng() % 300);
          const std::uint64_t offset = tx.allocate(size, node_type);
          Node& node = *tx.at<Node>(offset);
          node = Node{root.head, rng() % 100000, size};
          auto* fill = reinterpret_cast<unsigned char*>(&node + 1);
          for (std::uint64_t i = 0; i < size - sizeof(Node); ++i) fill[i] = static_cast<unsigned char>(node.value + i);
          tx.write(root.head, offset);
          tx.write(root.count, root.count + 1);
          tx.write(root.sum, root.sum + node.value);
        }
        if (abort) throw Deliberate{};
      });
      observer.committed(!lazy);
    } catch (const Deliberate&) {
      observer.aborted();
    }
    if (sync_after) {
      pool.sync();
      observer.synced();
    }
  }
}

}  // namespace

TEST_CASE("file engine: power failures at every write and sync leave a prefix of the committed transactions") {
  const std::uint64_t seed = crash_support::seed_from_env();
  const bool exhaustive = crash_support::env_number("PSCHEMA_SIM_EXHAUSTIVE", 0) != 0;
  const int transactions = exhaustive ? 200 : 60;
  INFO("seed ", seed, " (rerun with PSCHEMA_CRASH_SEED=", seed, ")");

  ScratchDir dir;
  const std::string path = dir.file("power.pool");
  const std::string image_path = dir.file("image.pool");
  pschema::PoolOptions options;
  options.backend = pschema::Backend::file;
  options.checkpoint_log_bytes = 12 * 1024;  // several checkpoints in the run
  { Pool pool = Pool::create(path, test_support::small_pool, schema(), options); }
  const auto initial = io_support::read_file(path);

  // 1. A pre-run records the state after each committed transaction.
  std::vector<std::string> states;
  {
    Pool pool = Pool::open(path, schema(), options);
    states.push_back(digest(pool));
    Observer record;
    record.committed = [&](bool) { states.push_back(digest(pool)); };
    workload(pool, seed, transactions, record);
  }
  io_support::write_file(path, initial);

  // 2. The run under test, with a crash point after every write and sync.
  std::uint64_t committed = 0, durable = 0, points = 0, checked = 0, images = 0, ahead = 0;
  bool in_transaction = false;
  std::mt19937_64 choices(seed ^ 0x5EC7);
  auto io = std::make_shared<crash_sim::FileMedium>(path);
  auto check_image = [&](const crash_sim::DiskChoice& choice) {
    ++images;
    std::filesystem::remove(image_path);
    std::filesystem::remove(image_path + ".wal");
    io->write_image(choice, image_path);
    INFO("crash point ", points, " (", choice.describe(), "): ", committed, " committed, ", durable, " durable",
         std::string(in_transaction ? ", one running" : ""));
    std::string found;
    try {
      Pool image = Pool::open(image_path, schema());
      found = digest(image);
    } catch (const std::exception& e) {
      FAIL("the image does not open: ", std::string(e.what()));
    }
    const std::uint64_t highest = std::min<std::uint64_t>(committed + (in_transaction ? 1 : 0), states.size() - 1);
    bool matched = false;
    for (std::uint64_t k = durable; k <= highest && !matched; ++k) {
      if (states[k] == found) {
        matched = true;
        if (k > durable) ++ahead;
      }
    }
    REQUIRE_MESSAGE(matched, "state found: ", found, "\nexpected the state after ", durable, " to ", highest,
                    " transactions");
    Pool again = Pool::open(image_path, schema());  // recovery is done and idempotent
    CHECK(again.info().replayed == 0);
    CHECK(digest(again) == found);
  };
  io->on_crash_point([&](std::uint64_t, std::optional<pschema::SyncSite>) {
    ++points;
    // Checkpoints write range by range: an everyday run samples the points.
    if (!exhaustive && choices() % 6 != 0) return;
    ++checked;
    check_image({crash_sim::DiskChoice::Kind::none});
    check_image({crash_sim::DiskChoice::Kind::all});
    for (int subset = 0; subset < (exhaustive ? 6 : 2); ++subset) {
      check_image({crash_sim::DiskChoice::Kind::random_subset, 0, choices()});
    }
  });
  {
    options.file_io = io;
    Pool pool = Pool::open(path, schema(), options);
    Observer observe;
    observe.before_transaction = [&] { in_transaction = true; };
    observe.committed = [&](bool immediate) {
      in_transaction = false;
      ++committed;
      if (immediate) durable = committed;  // and every deferred one before it
    };
    observe.aborted = [&] { in_transaction = false; };
    observe.synced = [&] { durable = committed; };
    workload(pool, seed, transactions, observe);
    CHECK(committed == states.size() - 1);
    CHECK(digest(pool) == states.back());
    const auto counters = pool.counters();
    CHECK(counters.checkpoints >= 2);
    pool.close();  // the close's checkpoint is under test too
    durable = committed;
  }
  MESSAGE("power failures: ", points, " crash points (", checked, " checked), ", images, " images, ", ahead,
          " opened ahead of what was acknowledged (deferred or in flight), seed ", seed);
  CHECK(ahead > 0);  // images did catch unacknowledged transactions on the disk
}
