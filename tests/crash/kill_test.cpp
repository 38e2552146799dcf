// The process-crash test: a child process runs random transactions on a
// pool forever, the parent kills it (SIGKILL) at a random moment, reopens
// the pool (recovery runs) and checks that
//   - the invariants hold: the accounts' total is constant, the list's
//     count and sum in the root match a walk of the list, every node is
//     intact and an allocated object of its type, the stamp area holds one
//     value throughout;
//   - every transaction the child reported committed is there, and at most
//     one more (the one that committed before the report was written);
//   - nothing leaked: the allocated objects and bytes are exactly the root
//     and the list's nodes.
// Some transactions throw after writing, to exercise rollback; some log
// more than a lane holds (the 32 KiB stamp area, large nodes), to exercise
// overflow log segments; the kill also
// lands in the child's open, i.e. during recovery.
//
// Reproduce a failure with the seed it prints:
//   PSCHEMA_CRASH_SEED=<seed> PSCHEMA_CRASH_CYCLES=<n> crash_tests -tc='*kill*'
// (the kill moments depend on timing, so a rerun is likely but not certain
// to fail the same way).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "crash_support.hpp"
#include "pschema/errors.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Transaction;
using test_support::ScratchDir;

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t account_count = 64;
constexpr std::int64_t initial_balance = 1000;
constexpr std::int64_t total_balance = initial_balance * static_cast<std::int64_t>(account_count);
constexpr std::uint64_t max_nodes = 96;
constexpr std::uint32_t node_type = 2;
constexpr std::size_t stamp_words = 4096;  // 32 KiB: logging it takes more than a 16 KiB lane holds

struct Root {
  std::uint64_t last_committed;  // number of the last committed transaction
  std::uint64_t list_head;       // offset of the first node, 0 when empty
  std::uint64_t list_count;
  std::int64_t list_sum;
  std::int64_t balances[account_count];
  std::uint64_t stamp;                     // every word of stamp_area holds it
  std::uint64_t stamp_area[stamp_words];
};

// Followed by `size - sizeof(Node)` fill bytes derived from the value.
struct Node {
  std::uint64_t next;
  std::int64_t value;
  std::uint64_t size;   // bytes asked of allocate
  std::uint64_t check;  // node_check(): a node overwritten or moved shows
};

std::uint64_t node_check(std::uint64_t offset, const Node& node) {
  return crash_support::mix(
      offset ^
      crash_support::mix(node.next ^ crash_support::mix(static_cast<std::uint64_t>(node.value) ^ (node.size << 40))));
}

unsigned char fill_byte(std::int64_t value) { return static_cast<unsigned char>(value * 31 + 7); }

pschema::SchemaInfo schema() { return test_support::test_schema(sizeof(Root), "crash.Kill", 0xC4A5); }

std::uint64_t last_committed(const Pool& pool) {
  return pool.read([](const pschema::ReadView& v) { return v.at<Root>(v.root_offset())->last_committed; });
}

struct Deliberate {};  // thrown by a transaction body that must roll back

// ---- the child ---------------------------------------------------------------

std::uint64_t pick_node_size(std::mt19937_64& rng) {
  if (rng() % 16 == 0) return 4097 + rng() % 5000;  // a large block
  return sizeof(Node) + rng() % 480;
}

void transfer(Transaction& tx, Root& root, std::mt19937_64& rng) {
  const auto from = rng() % account_count, to = rng() % account_count;
  const auto amount = static_cast<std::int64_t>(rng() % 500);
  tx.write(root.balances[from], root.balances[from] - amount);
  tx.write(root.balances[to], root.balances[to] + amount);
}

void push(Transaction& tx, Root& root, std::mt19937_64& rng) {
  const std::uint64_t size = pick_node_size(rng);
  const std::uint64_t offset = tx.allocate(size, node_type);
  auto* node = tx.at<Node>(offset);
  node->next = root.list_head;
  node->value = static_cast<std::int64_t>(rng() % 2001) - 1000;
  node->size = size;
  node->check = node_check(offset, *node);
  std::memset(node + 1, fill_byte(node->value), size - sizeof(Node));
  tx.write(root.list_head, offset);
  tx.write(root.list_count, root.list_count + 1);
  tx.write(root.list_sum, root.list_sum + node->value);
}

void pop(Transaction& tx, Root& root) {
  const std::uint64_t offset = root.list_head;
  const Node& node = *tx.at<Node>(offset);
  tx.write(root.list_head, node.next);
  tx.write(root.list_count, root.list_count - 1);
  tx.write(root.list_sum, root.list_sum - node.value);
  tx.free(offset);
}

// Gives one of the first nodes a new value: the whole node is logged, so a
// few of these on large nodes overflow the lane's log into the heap.
void revalue(Transaction& tx, Root& root, std::mt19937_64& rng) {
  std::uint64_t offset = root.list_head;
  for (auto steps = rng() % std::min<std::uint64_t>(root.list_count, 8); steps > 0; --steps) {
    offset = tx.at<Node>(offset)->next;
  }
  auto* node = tx.at<Node>(offset);
  tx.add(node, node->size);
  const std::int64_t old_value = node->value;
  node->value = static_cast<std::int64_t>(rng() % 2001) - 1000;
  node->check = node_check(offset, *node);
  std::memset(node + 1, fill_byte(node->value), node->size - sizeof(Node));
  tx.write(root.list_sum, root.list_sum - old_value + node->value);
}

// Rewrites the whole stamp area, word by word (a kill can land halfway):
// its undo entry goes to an overflow log segment in the heap.
void restamp(Transaction& tx, Root& root, std::uint64_t number) {
  tx.add(root.stamp_area, sizeof root.stamp_area);
  tx.write(root.stamp, number);
  for (auto& word : root.stamp_area) word = number;
}

// Runs transactions until killed; after each commit writes its number to
// `report_fd`. Never returns.
[[noreturn]] void run_child(const std::string& path, const pschema::PoolOptions& options, std::uint64_t seed,
                            int report_fd, int error_fd) {
  try {
    Pool pool = Pool::open(path, schema(), options);
    std::mt19937_64 rng(seed);
    std::uint64_t committed = last_committed(pool);
    for (;;) {
      const std::uint64_t number = committed + 1;
      const auto ops = 1 + rng() % 4;
      const bool abort = rng() % 8 == 0;
      const auto abort_after = abort ? rng() % ops : ops;
      try {
        pool.transaction([&](Transaction& tx) {
          Root& root = *tx.at<Root>(tx.root_offset());
          tx.write(root.last_committed, number);
          for (std::uint64_t op = 0; op < ops; ++op) {
            switch (rng() % 12) {
              case 0:
              case 1:
              case 2: transfer(tx, root, rng); break;
              case 3:
              case 4:
                if (root.list_count < max_nodes) {
                  push(tx, root, rng);
                } else {
                  pop(tx, root);
                }
                break;
              case 5:
              case 6:
                if (root.list_count > 0) {
                  pop(tx, root);
                } else {
                  push(tx, root, rng);
                }
                break;
              case 7:
              case 8:
              case 9:
                if (root.list_count > 0) {
                  revalue(tx, root, rng);
                } else {
                  transfer(tx, root, rng);
                }
                break;
              default: restamp(tx, root, number); break;
            }
            if (op == abort_after) throw Deliberate{};
          }
        });
      } catch (const Deliberate&) {
        const std::uint64_t after = last_committed(pool);
        if (after != committed) {
          crash_support::child_fail(error_fd, "a rolled back transaction left last_committed at " +
                                                  std::to_string(after) + ", expected " + std::to_string(committed));
        }
        continue;
      }
      committed = number;
      if (!crash_support::write_all(report_fd, &committed, sizeof committed)) ::_exit(4);
    }
  } catch (const std::exception& e) {
    crash_support::child_fail(error_fd, e.what());
  } catch (...) {
    crash_support::child_fail(error_fd, "unknown exception");
  }
}

// ---- the parent ----------------------------------------------------------------

// Collects the transaction numbers the child reports, checking that they
// are consecutive.
class Reports {
 public:
  Reports(int fd, std::uint64_t last) : fd_(fd), last_(last) {}

  // Reads until `deadline` or until the child closes the pipe.
  void read_until(Clock::time_point deadline) {
    for (;;) {
      const auto now = Clock::now();
      if (now >= deadline) return;
      const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now).count();
      timespec timeout{static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
      pollfd p{fd_, POLLIN, 0};
      int r = ::ppoll(&p, 1, &timeout, nullptr);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) crash_support::throw_errno("ppoll");
      if (r == 0) return;
      if (!read_some()) return;
    }
  }
  // Reads everything left (the child is dead, the parent closed its end).
  void read_to_end() {
    while (read_some()) {}
  }

  std::uint64_t last() const { return last_; }
  std::uint64_t count() const { return count_; }
  // Empty unless a report was not the successor of the one before.
  const std::string& problem() const { return problem_; }
  bool torn() const { return pending_size_ != 0; }

 private:
  bool read_some() {
    unsigned char buffer[4096];
    ssize_t n;
    do {
      n = ::read(fd_, buffer, sizeof buffer);
    } while (n < 0 && errno == EINTR);
    if (n < 0) crash_support::throw_errno("read");
    if (n == 0) return false;
    for (ssize_t i = 0; i < n; ++i) {
      pending_[pending_size_++] = buffer[i];
      if (pending_size_ < sizeof pending_) continue;
      std::uint64_t number;
      std::memcpy(&number, pending_, sizeof number);
      pending_size_ = 0;
      if (number != last_ + 1 && problem_.empty()) {
        problem_ = "the child reported transaction " + std::to_string(number) + " after " + std::to_string(last_);
      }
      last_ = number;
      ++count_;
    }
    return true;
  }

  int fd_;
  std::uint64_t last_;
  std::uint64_t count_ = 0;
  unsigned char pending_[8] = {};
  std::size_t pending_size_ = 0;
  std::string problem_;
};

struct Observed {
  std::uint64_t last_committed = 0;
  std::uint64_t list_count = 0;
};

// Checks every invariant of the reopened pool; returns the first problem
// found, or an empty string.
std::string check_pool(Pool& pool, Observed& observed) {
  const pschema::PoolInfo info = pool.info();
  const std::uint64_t pool_size = pool.size();
  // A read-only transaction: allocation_size/allocation_type need one (they
  // throw if an offset is not an allocated object). It writes nothing, so
  // committing it changes nothing.
  return pool.transaction([&](Transaction& tx) -> std::string {
    const Root& root = *tx.at<Root>(tx.root_offset());
    observed.last_committed = root.last_committed;
    observed.list_count = root.list_count;

    std::int64_t total = 0;
    for (std::int64_t balance : root.balances) total += balance;
    if (total != total_balance) {
      return "accounts total " + std::to_string(total) + ", expected " + std::to_string(total_balance);
    }
    if (root.stamp > root.last_committed) {
      return "stamp " + std::to_string(root.stamp) + " is newer than the last commit " +
             std::to_string(root.last_committed);
    }
    for (std::size_t i = 0; i < stamp_words; ++i) {
      if (root.stamp_area[i] != root.stamp) {
        return "stamp word " + std::to_string(i) + " is " + std::to_string(root.stamp_area[i]) + ", the stamp is " +
               std::to_string(root.stamp);
      }
    }
    if (root.list_count > max_nodes) return "list count " + std::to_string(root.list_count) + " is above the maximum";

    std::uint64_t expected_bytes = tx.allocation_size(tx.root_offset()) + 16;  // payload + block header
    std::uint64_t count = 0;
    std::int64_t sum = 0;
    for (std::uint64_t offset = root.list_head; offset != 0; ++count) {
      const std::string where = "list node " + std::to_string(count) + " at offset " + std::to_string(offset);
      if (count >= root.list_count) return "the list is longer than its count " + std::to_string(root.list_count);
      if (offset % 16 != 0 || offset >= pool_size || pool_size - offset < sizeof(Node)) return where + ": bad offset";
      std::uint64_t allocated = 0;
      std::uint32_t type = 0;
      try {
        allocated = tx.allocation_size(offset);
        type = tx.allocation_type(offset);
      } catch (const pschema::error& e) {
        return where + ": not an allocated object: " + e.what();
      }
      const Node& node = *tx.at<Node>(offset);
      if (type != node_type) return where + ": type " + std::to_string(type);
      if (node.size < sizeof(Node) || node.size > allocated) {
        return where + ": size " + std::to_string(node.size) + " in a block of " + std::to_string(allocated);
      }
      if (node.check != node_check(offset, node)) return where + ": check field does not match (damaged node)";
      const auto* fill = reinterpret_cast<const unsigned char*>(&node + 1);
      const unsigned char expected_fill = fill_byte(node.value);
      if (!std::all_of(fill, fill + (node.size - sizeof(Node)), [&](unsigned char c) { return c == expected_fill; })) {
        return where + ": fill bytes damaged";
      }
      expected_bytes += allocated + 16;
      sum += node.value;
      offset = node.next;
    }
    if (count != root.list_count) {
      return "list has " + std::to_string(count) + " nodes, its count says " + std::to_string(root.list_count);
    }
    if (sum != root.list_sum) {
      return "list values sum to " + std::to_string(sum) + ", the root says " + std::to_string(root.list_sum);
    }
    if (info.allocated_objects != 1 + count) {
      return "leak: " + std::to_string(info.allocated_objects) + " allocated objects, expected 1 (root) + " +
             std::to_string(count) + " (list)";
    }
    if (info.allocated_bytes != expected_bytes) {
      return "leak: " + std::to_string(info.allocated_bytes) + " allocated bytes, expected " +
             std::to_string(expected_bytes);
    }
    return {};
  });
}

std::string backend_name(pschema::Backend backend) {
  switch (backend) {
    case pschema::Backend::pmem: return "pmem";
    case pschema::Backend::msync: return "msync";
    case pschema::Backend::file: return "file";
    case pschema::Backend::automatic: break;
  }
  return "automatic";
}

void kill_test(pschema::Backend backend, pschema::Durability durability = pschema::Durability::immediate) {
  const std::uint64_t seed = crash_support::seed_from_env();
  const std::uint64_t cycles = crash_support::env_number("PSCHEMA_CRASH_CYCLES", 400);
  INFO("seed ", seed, " (rerun with PSCHEMA_CRASH_SEED=", seed, " PSCHEMA_CRASH_CYCLES=", cycles, ")");
  std::mt19937_64 rng(seed);

  ScratchDir dir;
  const std::string path = dir.file("kill.pool");
  pschema::PoolOptions options;
  options.backend = backend;
  options.durability = durability;
  // The file engine: small enough that checkpoints happen (and get killed).
  options.checkpoint_log_bytes = 256 * 1024;
  {
    Pool pool = Pool::create(path, test_support::small_pool, schema(), options);
    pool.transaction([&](Transaction& tx) {
      Root& root = *tx.at<Root>(tx.root_offset());
      tx.add(&root, sizeof root);
      for (auto& balance : root.balances) balance = initial_balance;
    });
  }

  Observed observed;
  std::uint64_t reported_total = 0, cycles_with_reports = 0, recoveries = 0, max_list = 0;
  const auto started = Clock::now();
  for (std::uint64_t cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    const std::uint64_t before = observed.last_committed;
    crash_support::Pipe reports_pipe, errors_pipe;
    const pid_t parent = ::getpid();
    const std::uint64_t child_seed = crash_support::mix(seed ^ crash_support::mix(cycle));
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      crash_support::child_dies_with_parent(parent);
      run_child(path, options, child_seed, reports_pipe.write_end(), errors_pipe.write_end());
    }
    reports_pipe.close_write();
    errors_pipe.close_write();

    // Kill after a random 0.2 to 8 ms, reading reports meanwhile.
    Reports reports(reports_pipe.read_end(), before);
    reports.read_until(Clock::now() + std::chrono::microseconds(200 + rng() % 7800));
    ::kill(pid, SIGKILL);
    const int status = crash_support::wait_for(pid);
    reports.read_to_end();
    const std::string child_error = crash_support::read_to_end(errors_pipe.read_end());
    const std::string child_said = child_error.empty() ? std::string() : ": " + child_error;
    INFO("child ", crash_support::describe_status(status), child_said);
    REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    REQUIRE_MESSAGE(reports.problem().empty(), reports.problem());
    REQUIRE_FALSE(reports.torn());
    reported_total += reports.count();
    cycles_with_reports += reports.count() > 0 ? 1 : 0;

    Pool pool = Pool::open(path, schema(), options);
    recoveries += pool.info().recovered ? 1 : 0;
    const std::string problem = check_pool(pool, observed);
    INFO("last committed ", observed.last_committed, ", last reported ", reports.last(), ", list of ",
         observed.list_count);
    REQUIRE_MESSAGE(problem.empty(), problem);
    // Every reported commit is durable; at most one more committed after
    // the last report (killed between commit and report).
    REQUIRE(observed.last_committed >= reports.last());
    REQUIRE(observed.last_committed <= reports.last() + 1);
    max_list = std::max(max_list, observed.list_count);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  MESSAGE(cycles, " kill cycles (", backend_name(backend),
          std::string(durability == pschema::Durability::deferred ? ", deferred" : ""), ") in ", seconds,
          " s: ", observed.last_committed, " transactions committed (", reported_total, " reported), ",
          cycles_with_reports, " cycles with reports, ", recoveries, " opens ran recovery, longest list ", max_list,
          ", seed ", seed);
  // The test must have tested something: transactions ran and kills landed
  // inside them (a loose bound, so that a slow machine does not fail it).
  CHECK(observed.last_committed > 0);
  if (cycles >= 100) {
    CHECK(cycles_with_reports >= cycles / 8);
    CHECK(recoveries >= cycles / 20);
  }
}

}  // namespace

TEST_CASE("kill: a child killed at random moments leaves a consistent, leak-free pool (msync backend)") {
  kill_test(pschema::Backend::msync);
}

TEST_CASE("kill: a child killed at random moments leaves a consistent, leak-free pool (pmem backend)") {
  kill_test(pschema::Backend::pmem);
}

TEST_CASE("kill: a child killed at random moments leaves a consistent, leak-free pool (file engine)") {
  kill_test(pschema::Backend::file);
}

// A deferred commit is in the log (the page cache) when it returns: a
// process crash loses none of them, so the same checks hold.
TEST_CASE("kill: a child killed at random moments leaves a consistent, leak-free pool (file engine, deferred)") {
  kill_test(pschema::Backend::file, pschema::Durability::deferred);
}
