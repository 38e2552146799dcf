// The file engine with several threads (label concurrency, so the TSan run
// covers it): group commit shares one sync among concurrent committers;
// Pool::sync and checkpoints run while other threads commit.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "concurrent_bank.pschema.h"
#include "io_support.hpp"
#include "test_support.hpp"

using cbank::Vault;

namespace {

// A disk whose syncs take a while, as a real one's do (tmpfs syncs are
// nearly free, which would leave nothing to share).
class SlowSyncIo final : public io_support::ForwardingIo {
 public:
  int fdatasync(int fd, pschema::SyncSite site) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return ForwardingIo::fdatasync(fd, site);
  }
};

pschema::PoolOptions slow_file_options() {
  pschema::PoolOptions options;
  options.backend = pschema::Backend::file;
  options.file_io = std::make_shared<SlowSyncIo>();
  return options;
}

std::int64_t total(const Vault& vault) { return vault.total(); }

// Each of `threads` threads deposits 1 cent into its own account `each`
// times; returns the syncs that took.
std::uint64_t deposit_from_threads(Vault& vault, int threads, int each) {
  const auto before = vault.pool().counters();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) vault.deposit(static_cast<std::uint64_t>(t), 1);
    });
  }
  for (std::thread& worker : workers) worker.join();
  const auto after = vault.pool().counters() - before;
  CHECK(after.transactions_committed == static_cast<std::uint64_t>(threads * each));
  return after.syncs;
}

}  // namespace

TEST_CASE("file engine: concurrent committers share syncs (group commit), one alone pays one each") {
  test_support::ScratchDir dir;
  Vault vault = Vault::create(dir.file("group.pool"), 16 << 20, slow_file_options());
  CHECK(deposit_from_threads(vault, 1, 40) == 40);
  const std::uint64_t shared = deposit_from_threads(vault, 4, 40);
  MESSAGE("4 threads x 40 commits: ", shared, " syncs");
  CHECK(shared < 160 * 3 / 4);
  CHECK(total(vault) == 200);
  vault.close();
  Vault reopened = Vault::open(dir.file("group.pool"));
  CHECK(total(reopened) == 200);
}

TEST_CASE("file engine: deferred commits from threads, Pool::sync and checkpoints meanwhile") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("deferred.pool");
  pschema::PoolOptions options;
  options.backend = pschema::Backend::file;
  options.durability = pschema::Durability::deferred;
  options.checkpoint_log_bytes = 32 * 1024;  // checkpoints while the threads commit
  Vault vault = Vault::create(path, 16 << 20, options);
  constexpr int threads = 3, each = 300;
  std::atomic<bool> done{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) {
        vault.transfer(static_cast<std::uint64_t>(t), static_cast<std::uint64_t>(t + 8), 0);
        vault.deposit(static_cast<std::uint64_t>(t), 1);
      }
    });
  }
  std::thread syncer([&] {
    while (!done.load()) {
      vault.sync();
      std::this_thread::yield();
    }
  });
  std::thread reader([&] {
    while (!done.load()) CHECK(total(vault) <= threads * each);
  });
  for (std::thread& worker : workers) worker.join();
  done.store(true);
  syncer.join();
  reader.join();
  const auto counters = vault.pool().counters();
  CHECK(counters.checkpoints > 0);
  CHECK(total(vault) == threads * each);
  vault.close();
  Vault reopened = Vault::open(path);
  CHECK(total(reopened) == threads * each);
}
