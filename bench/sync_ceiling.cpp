// pschema_sync_ceiling: what two threads committing together can gain on
// this disk at best, with no library at all. Each round, one thread makes
// `n` commits alone (a 256-byte pwrite into a pre-written log, then
// fdatasync); then two threads make `n` commits each on the best possible
// schedule: both write a record, a barrier, one fdatasync covers both
// records, a barrier (nothing is written while a sync runs, every sync
// serves both). The rounds interleave the two, so a slow moment of a shared
// disk falls on both; the medians of the per-round ratios are printed.
// docs/benchmarks.md ("Group commit") compares pschema against it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr long log_bytes = 1 << 20;
constexpr long record_bytes = 256;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "pschema_sync_ceiling: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: pschema_sync_ceiling DIR COMMITS ROUNDS   (e.g. /var/tmp 1000 5)\n");
    return 2;
  }
  const std::string path = std::string(argv[1]) + "/pschema_sync_ceiling.log";
  const int n = std::atoi(argv[2]);
  const int rounds = std::atoi(argv[3]);
  if (n <= 0 || rounds <= 0) {
    std::fprintf(stderr, "pschema_sync_ceiling: COMMITS and ROUNDS must be positive\n");
    return 2;
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create the log");
  // Written once, so that commits overwrite allocated blocks and a sync
  // writes data, not a new file size.
  const std::vector<char> zeros(log_bytes, 0);
  if (::pwrite(fd, zeros.data(), zeros.size(), 0) != log_bytes || ::fdatasync(fd) != 0) fail("cannot fill the log");
  char record[record_bytes];
  std::memset(record, 0x5a, sizeof record);
  std::atomic<long> next{0};
  auto write_record = [&] {
    const long at = next.fetch_add(record_bytes) % log_bytes;
    if (::pwrite(fd, record, record_bytes, at) != record_bytes) fail("cannot write a record");
  };
  auto sync = [&] {
    if (::fdatasync(fd) != 0) fail("cannot sync");
  };

  std::vector<double> alone, together, ratios;
  for (int round = 1; round <= rounds; ++round) {
    auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
      write_record();
      sync();
    }
    const double one = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / n;

    std::barrier written(2), synced(2);
    auto committer = [&](bool syncs) {
      for (int i = 0; i < n; ++i) {
        write_record();
        written.arrive_and_wait();
        if (syncs) sync();
        synced.arrive_and_wait();
      }
    };
    start = Clock::now();
    { std::jthread first(committer, true), second(committer, false); }
    const double two = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / (2.0 * n);
    std::printf("round %d: 1 thread %.1f us per commit, 2 threads %.1f us per commit: %.2fx the throughput\n", round,
                one, two, one / two);
    alone.push_back(one);
    together.push_back(two);
    ratios.push_back(one / two);
  }
  std::printf("median: 1 thread %.1f us, 2 threads %.1f us per commit; 2 threads / 1 thread %.2fx\n", median(alone),
              median(together), median(ratios));
  ::close(fd);
  ::unlink(path.c_str());
  return 0;
}
