// The demo: a tiny bank kept in a pool. It moves money between accounts in
// transactions, then kills itself in the middle of one, reopens the pool
// and shows that recovery put everything back: the total is unchanged.
//
// It uses the runtime directly (offsets, tx.write); the generator issue
// turns this into code generated from schemas/bank.pschema.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "pschema/errors.hpp"
#include "pschema/pool.hpp"

namespace {

constexpr int account_count = 8;
constexpr std::int64_t opening_balance = 1000;

struct Bank {
  std::int64_t balances[account_count];
  std::uint64_t transfers;
};

pschema::SchemaInfo bank_schema() {
  pschema::SchemaInfo info;
  info.name = "demo.Bank";
  info.fingerprint = 0xB4A7C0DE;
  info.text = "package demo;\nstruct Bank { balances: array<i64, 8>; transfers: u64; }\npool Bank { root: Bank; }\n";
  info.root_size = sizeof(Bank);
  info.root_type_id = 1;
  return info;
}

std::int64_t total(const pschema::Pool& pool) {
  return pool.read([](const pschema::ReadView& view) {
    const Bank* bank = view.at<Bank>(view.root_offset());
    std::int64_t sum = 0;
    for (std::int64_t b : bank->balances) sum += b;
    return sum;
  });
}

void transfer(pschema::Transaction& tx, int from, int to, std::int64_t amount) {
  Bank* bank = tx.at<Bank>(tx.root_offset());
  tx.write(bank->balances[from], bank->balances[from] - amount);
  tx.write(bank->balances[to], bank->balances[to] + amount);
  tx.write(bank->transfers, bank->transfers + 1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "bank.pool";
  const auto schema = bank_schema();
  try {
    std::filesystem::remove(path);
    {
      auto pool = pschema::Pool::create(path, 8 << 20, schema);
      std::printf("Created %s (%s backend) with %d accounts of %lld each.\n", path.c_str(),
                  std::string(pool.info().backend).c_str(), account_count,
                  static_cast<long long>(opening_balance));
      pool.transaction([](pschema::Transaction& tx) {
        Bank* bank = tx.at<Bank>(tx.root_offset());
        for (auto& balance : bank->balances) tx.write(balance, opening_balance);
      });
      std::mt19937 random(42);
      for (int i = 0; i < 1000; ++i) {
        pool.transaction([&](pschema::Transaction& tx) {
          transfer(tx, static_cast<int>(random() % account_count), static_cast<int>(random() % account_count),
                   static_cast<std::int64_t>(random() % 100));
        });
      }
      std::printf("Made 1000 transfers in 1000 transactions; total is %lld.\n",
                  static_cast<long long>(total(pool)));
      const auto counters = pool.counters();
      std::printf("The runtime counted %llu fences and %llu bytes of undo log for them.\n",
                  static_cast<unsigned long long>(counters.fences),
                  static_cast<unsigned long long>(counters.bytes_logged));
    }

    std::printf("Now a child process takes 500 from account 0 and is killed (SIGKILL) before it\n"
                "gives the money to account 1, in the middle of the transaction...\n");
    std::fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
      auto pool = pschema::Pool::open(path, schema);
      pool.transaction([](pschema::Transaction& tx) {
        Bank* bank = tx.at<Bank>(tx.root_offset());
        tx.write(bank->balances[0], bank->balances[0] - 500);
        raise(SIGKILL);  // the money is gone from account 0 and not yet in account 1
      });
      _exit(1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    std::printf("The child died: %s.\n", WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "it exited");

    auto pool = pschema::Pool::open(path, schema);
    const std::int64_t after = total(pool);
    std::printf("Reopened the pool: recovery %s an interrupted transaction; total is %lld.\n",
                pool.info().recovered ? "rolled back" : "found no", static_cast<long long>(after));
    if (after != account_count * opening_balance) {
      std::printf("Money was lost or made: that is a bug.\n");
      return 1;
    }
    std::printf("Nothing was lost: the half-done transfer never happened.\n");
    return 0;
  } catch (const pschema::error& e) {
    std::fprintf(stderr, "demo: %s\n", e.what());
    return 1;
  }
}
