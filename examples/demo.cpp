// The demo: the bank of schemas/bank.pschema, through the generated API.
// It opens accounts and moves money in transactions, then kills itself in
// the middle of one, reopens the pool and shows that recovery put
// everything back: the total is unchanged and no transfer is half done.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "bank.pschema.h"

namespace {

constexpr int account_count = 8;
constexpr std::int64_t opening_deposit = 1000;

void say(const char* text) {
  std::printf("%s\n", text);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "bank.pool";
  try {
    std::filesystem::remove(path);
    {
      bank::Ledger ledger = bank::Ledger::create(path, 16 << 20);
      std::printf("Created %s (%s backend), a pool of schema bank.Ledger.\n", path.c_str(),
                  std::string(ledger.pool().info().backend).c_str());
      for (int i = 0; i < account_count; ++i) {
        const std::uint64_t id = ledger.open_account("owner " + std::to_string(i), bank::Kind::checking);
        ledger.deposit(id, {opening_deposit});
      }
      std::printf("Opened %d accounts with %lld each: total %lld.\n", account_count,
                  static_cast<long long>(opening_deposit), static_cast<long long>(ledger.total()));
      std::mt19937 random(42);
      for (int i = 0; i < 1000; ++i) {
        ledger.transfer(1 + random() % account_count, 1 + random() % account_count, random() % 100);
      }
      const auto counters = ledger.pool().counters();
      std::printf("Made 1000 transfers, one transaction each; total is still %lld.\n",
                  static_cast<long long>(ledger.total()));
      std::printf("The runtime counted %llu fences and %llu bytes of undo log.\n",
                  static_cast<unsigned long long>(counters.fences),
                  static_cast<unsigned long long>(counters.bytes_logged));
      try {
        ledger.transfer(1, 999, 5);
      } catch (const std::exception& e) {
        std::printf("A transfer to a missing account fails (%s) and changes nothing: total %lld.\n", e.what(),
                    static_cast<long long>(ledger.total()));
      }
    }

    say("Now a child process takes 500 from account 1 and is killed (SIGKILL) before it\n"
        "gives the money to account 2, in the middle of the transaction...");
    pid_t child = fork();
    if (child == 0) {
      bank::Ledger ledger = bank::Ledger::open(path);
      ledger.transaction([](bank::Ledger::Tx& tx) {
        bank::Account::Mut first = tx.root().accounts()[0];
        first.balance().set_cents(first.balance().cents() - 500);
        raise(SIGKILL);  // the money has left account 1 and not reached account 2
      });
      _exit(1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    std::printf("The child died: %s.\n", WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "it exited");

    bank::Ledger ledger = bank::Ledger::open(path);
    const std::int64_t total = ledger.total();
    // On persistent memory the half-done transaction is in the file and
    // recovery rolls it back; on an ordinary file (the file engine) it was
    // only in the child's private working copy and never reached the file.
    std::printf("Reopened the pool: %s; total is %lld.\n",
                ledger.pool().info().recovered
                    ? "recovery rolled back the interrupted transaction"
                    : "nothing to roll back (the interrupted transaction never reached the file)",
                static_cast<long long>(total));
    if (total != account_count * opening_deposit) {
      say("Money was lost or made: that is a bug.");
      return 1;
    }
    say("Nothing was lost: the half-done transfer never happened.");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "demo: %s\n", e.what());
    return 1;
  }
}
