// pschema_file_bench: the file engine on an ordinary file (docs/runtime.md
// section 11.9 has the figures).
//
//   pschema_file_bench single  [--dir D] [--n N] [--rounds R]
//       one durable put per transaction on a map<u64, u64> (bench/u64map),
//       the msync backend, the file engine and a raw pwrite + fdatasync
//       loop, interleaved, R rounds: microseconds and syncs per operation
//   pschema_file_bench threads [--dir D] [--n MS] [--rounds R] [--model-sync-us U] [--pool concurrent|gate|both]
//       puts of a concurrent pool (bench/mt_kv) on the file engine, one
//       thread then two, MS milliseconds each (default 3000): throughput
//       and syncs per commit (group commit); with U, a model disk whose
//       syncs sleep U microseconds stands in for the real one. --pool gate:
//       inserts into a pool that is not concurrent (bench/u64map: one
//       writer at a time through the writer gate) instead; both: the two
//       pools in turn in every round; every round also runs the same
//       phases on a bare group-commit loop (pwrite of a 256-byte record,
//       one fdatasync shared by every thread waiting; no pschema): the
//       ceiling of what group commit can give on this disk
//   pschema_file_bench memory  [--dir D] [--n N] [--pool-mib M] [--preload K] [--private-mib P]
//       K keys inserted in order (10,000 per transaction), then N random inserts into
//       the map in an M MiB pool (deferred commits, a sync every 1000):
//       resident and private dirty memory as it runs; P sets the private
//       memory threshold of checkpoints
//
// The directory must be on an ordinary file system (default /var/tmp).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mt_kv.pschema.h"
#include "pschema/unsafe.hpp"
#include "u64map.pschema.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode;
  std::string dir = "/var/tmp";
  std::uint64_t n = 0;
  int rounds = 3;
  std::uint64_t pool_mib = 1024;
  std::uint64_t model_sync_us = 0;  // threads: fdatasync replaced by a sleep of this long
  std::uint64_t preload = 0;        // memory: keys inserted before the measured run
  std::uint64_t private_mib = 0;    // memory: checkpoint_private_bytes (0: the default)
  std::string pool = "concurrent";  // threads: concurrent, gate or both
};

// A disk whose every fdatasync takes `us` microseconds and does nothing:
// the group commit protocol measured apart from a shared disk's noise.
class ModelDisk final : public pschema::FileIo {
 public:
  explicit ModelDisk(std::uint64_t us) : us_(us) {}
  int open(const char* path, int flags, mode_t mode) override { return posix_->open(path, flags, mode); }
  int close(int fd) override { return posix_->close(fd); }
  int unlink(const char* path) override { return posix_->unlink(path); }
  ssize_t pread(int fd, void* buffer, std::size_t size, std::uint64_t offset) override {
    return posix_->pread(fd, buffer, size, offset);
  }
  ssize_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) override {
    return posix_->pwrite(fd, data, size, offset);
  }
  int fdatasync(int, pschema::SyncSite) override {
    std::this_thread::sleep_for(std::chrono::microseconds(us_));
    return 0;
  }
  int fsync(int, pschema::SyncSite) override { return 0; }
  int ftruncate(int fd, std::uint64_t size) override { return posix_->ftruncate(fd, size); }
  std::int64_t size(int fd) override { return posix_->size(fd); }

 private:
  std::uint64_t us_;
  std::shared_ptr<pschema::FileIo> posix_ = pschema::make_posix_file_io();
};

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) throw std::runtime_error("usage: pschema_file_bench single|threads|memory [--dir D] [--n N] ...");
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir")
      o.dir = value;
    else if (flag == "--n")
      o.n = std::stoull(value);
    else if (flag == "--rounds")
      o.rounds = std::stoi(value);
    else if (flag == "--pool-mib")
      o.pool_mib = std::stoull(value);
    else if (flag == "--model-sync-us")
      o.model_sync_us = std::stoull(value);
    else if (flag == "--preload")
      o.preload = std::stoull(value);
    else if (flag == "--private-mib")
      o.private_mib = std::stoull(value);
    else if (flag == "--pool") {
      if (value != "concurrent" && value != "gate" && value != "both")
        throw std::runtime_error("--pool: concurrent, gate or both");
      o.pool = value;
    } else
      throw std::runtime_error("unknown option " + flag);
  }
  return o;
}

std::string scratch(const Options& o, const std::string& label) {
  const std::string path = o.dir + "/pschema-file-bench-" + std::to_string(::getpid()) + "-" + label;
  ::unlink(path.c_str());
  ::unlink((path + ".wal").c_str());
  return path;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// ---- single -------------------------------------------------------------------

struct Result {
  double us_per_op = 0;
  double syncs_per_op = 0;  // fdatasync (file engine, raw) or fences (msync: each at least one msync)
};

class MapSystem {
 public:
  MapSystem(const Options& o, pschema::Backend backend, const std::string& label)
      : path_(scratch(o, label)), map_(create(path_, backend)), rng_(backend == pschema::Backend::msync ? 1 : 2) {
    // Preload in one transaction: the map has depth, like a used one.
    map_.transaction([&](mapbench::U64Map::Tx& tx) {
      for (int i = 0; i < 20000; ++i) mapbench::U64Map::Ops::insert(tx, rng_(), 1);
    });
  }
  ~MapSystem() {
    map_.close();
    ::unlink(path_.c_str());
  }
  Result run(std::uint64_t n, bool count_fences) {
    const auto before = map_.pool().counters();
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < n; ++i) map_.insert(rng_(), i);
    const double elapsed = seconds_since(start);
    const auto delta = map_.pool().counters() - before;
    return {elapsed * 1e6 / static_cast<double>(n),
            static_cast<double>(count_fences ? delta.fences : delta.syncs) / static_cast<double>(n)};
  }
  std::string_view backend() const { return map_.pool().info().backend; }

 private:
  static mapbench::U64Map create(const std::string& path, pschema::Backend backend) {
    pschema::PoolOptions options;
    options.backend = backend;
    return mapbench::U64Map::create(path, 64 << 20, options);
  }
  std::string path_;
  mapbench::U64Map map_;
  std::mt19937_64 rng_;
};

// What a durable append costs without any data structure: a 64-byte record
// written over a zero-filled (allocated) file, then fdatasync.
class RawSystem {
 public:
  explicit RawSystem(const Options& o) : path_(scratch(o, "raw")) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot create " + path_);
    std::vector<char> zeros(1 << 20, 0);
    for (std::uint64_t at = 0; at < size_; at += zeros.size()) write_at(zeros.data(), zeros.size(), at);
    ::fdatasync(fd_);
  }
  ~RawSystem() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  Result run(std::uint64_t n) {
    char record[64];
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < n; ++i) {
      std::memset(record, static_cast<int>(i), sizeof record);
      write_at(record, sizeof record, offset_);
      offset_ = (offset_ + sizeof record) % size_;
      if (::fdatasync(fd_) != 0) throw std::runtime_error("fdatasync failed");
    }
    return {seconds_since(start) * 1e6 / static_cast<double>(n), 1.0};
  }

 private:
  void write_at(const void* data, std::size_t size, std::uint64_t at) {
    if (::pwrite(fd_, data, size, static_cast<off_t>(at)) != static_cast<ssize_t>(size)) {
      throw std::runtime_error("pwrite failed");
    }
  }
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 16 << 20;
  std::uint64_t offset_ = 0;
};

void single(const Options& o) {
  const std::uint64_t n = o.n == 0 ? 1000 : o.n;
  MapSystem msync(o, pschema::Backend::msync, "msync");
  MapSystem file(o, pschema::Backend::file, "file");
  RawSystem raw(o);
  std::printf("one durable put per transaction, map<u64,u64> of 20000+ keys, %" PRIu64 " ops per run, %s\n", n,
              o.dir.c_str());
  std::printf("%-6s %-22s %-22s %-22s\n", "round", "msync us/op (fences)", "file us/op (syncs)",
              "raw pwrite+fdatasync us");
  std::vector<double> m, f, r;
  for (int round = 1; round <= o.rounds; ++round) {
    const Result a = msync.run(n, true);
    const Result b = file.run(n, false);
    const Result c = raw.run(n);
    std::printf("%-6d %8.1f (%5.2f)         %8.1f (%5.2f)         %8.1f\n", round, a.us_per_op, a.syncs_per_op,
                b.us_per_op, b.syncs_per_op, c.us_per_op);
    std::fflush(stdout);
    m.push_back(a.us_per_op);
    f.push_back(b.us_per_op);
    r.push_back(c.us_per_op);
  }
  std::printf("medians: msync %.1f us, file %.1f us, raw %.1f us; msync/file %.2fx, file/raw %.2fx\n", median(m),
              median(f), median(r), median(m) / median(f), median(f) / median(r));
}

// ---- threads ------------------------------------------------------------------

// One phase: `threads` threads call put(rng, n) until `seconds` are over.
// Returns puts per second and syncs per commit.
template <class Pool, class Put>
std::pair<double, double> put_phase(Pool& pool, int threads, double seconds, std::uint64_t seed, Put put) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  const auto before = pool.pool().counters();
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 10 + static_cast<std::uint64_t>(t));
      std::uint64_t mine = 0;
      while (!stop.load(std::memory_order_relaxed)) put(rng, ++mine);
      done.fetch_add(mine);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& worker : workers) worker.join();
  const double elapsed = seconds_since(start);
  const auto delta = pool.pool().counters() - before;
  return {static_cast<double>(done.load()) / elapsed,
          static_cast<double>(delta.syncs) / static_cast<double>(delta.transactions_committed)};
}

// The ceiling group commit has on a disk, without pschema: `threads`
// threads append 256-byte records (a single put's record is about that
// size) to a zero-filled file; a thread whose record is not durable yet
// syncs everything written so far if no sync is running, else waits for
// the running one and then, if that did not cover it, for the next.
class RawGroupCommit {
 public:
  explicit RawGroupCommit(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot create " + path);
    const std::vector<char> zeros(ring_bytes + record_bytes, 0);
    if (::pwrite(fd_, zeros.data(), zeros.size(), 0) != static_cast<ssize_t>(zeros.size()) || ::fsync(fd_) != 0)
      throw std::runtime_error("cannot fill " + path);
  }
  ~RawGroupCommit() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  RawGroupCommit(const RawGroupCommit&) = delete;
  RawGroupCommit& operator=(const RawGroupCommit&) = delete;

  void commit() {
    static const std::vector<char> record(record_bytes, 'r');
    std::unique_lock lock(mutex_);
    if (::pwrite(fd_, record.data(), record_bytes, static_cast<off_t>(written_ % ring_bytes)) != record_bytes)
      throw std::runtime_error("cannot write " + path_);
    written_ += record_bytes;
    const std::uint64_t end = written_;
    while (synced_ < end) {
      if (syncing_) {
        changed_.wait(lock);
        continue;
      }
      syncing_ = true;
      const std::uint64_t target = written_;
      lock.unlock();
      const int rc = ::fdatasync(fd_);
      lock.lock();
      syncing_ = false;
      ++syncs_;
      synced_ = target;
      changed_.notify_all();
      if (rc != 0) throw std::runtime_error("cannot sync " + path_);
    }
  }
  std::uint64_t syncs() {
    std::lock_guard lock(mutex_);
    return syncs_;
  }

 private:
  static constexpr std::uint64_t ring_bytes = 4 << 20;  // positions wrap around in the file
  static constexpr ssize_t record_bytes = 256;
  std::string path_;
  int fd_ = -1;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t written_ = 0, synced_ = 0, syncs_ = 0;
  bool syncing_ = false;
};

// put_phase for the bare loop: commits per second and syncs per commit.
std::pair<double, double> raw_phase(RawGroupCommit& log, int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  const std::uint64_t syncs_before = log.syncs();
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      std::uint64_t mine = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        log.commit();
        ++mine;
      }
      done.fetch_add(mine);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& worker : workers) worker.join();
  const double elapsed = seconds_since(start);
  return {static_cast<double>(done.load()) / elapsed,
          static_cast<double>(log.syncs() - syncs_before) / static_cast<double>(done.load())};
}

void threads(const Options& o) {
  // Each phase runs for a fixed time with every thread committing until the
  // end (a count per thread would end with one thread alone).
  const double phase_seconds = o.n == 0 ? 3.0 : static_cast<double>(o.n) / 1000.0;
  const bool concurrent = o.pool != "gate", gate = o.pool != "concurrent";
  pschema::PoolOptions options;
  options.backend = pschema::Backend::file;
  options.lanes = 8;
  if (o.model_sync_us > 0) options.file_io = std::make_shared<ModelDisk>(o.model_sync_us);
  const std::string kv_path = scratch(o, "mt"), map_path = scratch(o, "gate");
  std::optional<mtkv::MtKv> kv;
  std::optional<mapbench::U64Map> map;
  if (concurrent) kv.emplace(mtkv::MtKv::create(kv_path, 256 << 20, options));
  if (gate) map.emplace(mapbench::U64Map::create(map_path, 256 << 20, options));
  std::printf(
      "puts on the file engine: %s%s%s, %.1f s per phase, %s%s\n",
      concurrent ? "a concurrent pool (mt_kv: a mutex per bucket)" : "", concurrent && gate ? " and " : "",
      gate ? "a pool that is not concurrent (u64map: one writer at a time through the gate)" : "", phase_seconds,
      o.dir.c_str(),
      o.model_sync_us > 0 ? (", model disk: each sync sleeps " + std::to_string(o.model_sync_us) + " us").c_str() : "");
  std::vector<double> kv_ratio, map_ratio, raw_ratio;
  std::optional<RawGroupCommit> raw;
  if (o.model_sync_us == 0) raw.emplace(scratch(o, "raw"));
  auto report = [](int round, const char* what, std::pair<double, double> one, std::pair<double, double> two) {
    std::printf(
        "round %d %-10s: 1 thread %.0f puts/s (%.2f syncs/commit), 2 threads %.0f puts/s (%.2f syncs/commit): %.2fx\n",
        round, what, one.first, one.second, two.first, two.second, two.first / one.first);
    std::fflush(stdout);
    return two.first / one.first;
  };
  for (int round = 1; round <= o.rounds; ++round) {
    const auto seed = static_cast<std::uint64_t>(round * 100);
    if (concurrent) {
      auto put = [&](std::mt19937_64& rng, std::uint64_t n) { kv->put(rng(), n); };
      const auto one = put_phase(*kv, 1, phase_seconds, seed + 1, put);
      const auto two = put_phase(*kv, 2, phase_seconds, seed + 2, put);
      kv_ratio.push_back(report(round, "concurrent", one, two));
    }
    if (gate) {
      auto put = [&](std::mt19937_64& rng, std::uint64_t n) { map->insert(rng(), n); };
      const auto one = put_phase(*map, 1, phase_seconds, seed + 3, put);
      const auto two = put_phase(*map, 2, phase_seconds, seed + 4, put);
      map_ratio.push_back(report(round, "gate", one, two));
    }
    if (raw) {
      const auto one = raw_phase(*raw, 1, phase_seconds);
      const auto two = raw_phase(*raw, 2, phase_seconds);
      raw_ratio.push_back(report(round, "bare loop", one, two));
    }
  }
  if (concurrent) std::printf("median 2-thread / 1-thread throughput, concurrent pool: %.2fx\n", median(kv_ratio));
  if (gate)
    std::printf("median 2-thread / 1-thread throughput, pool that is not concurrent: %.2fx\n", median(map_ratio));
  if (raw) std::printf("median 2-thread / 1-thread throughput, bare group-commit loop: %.2fx\n", median(raw_ratio));
  if (kv) kv->close();
  if (map) map->close();
  ::unlink(kv_path.c_str());
  ::unlink(map_path.c_str());
}

// ---- memory -------------------------------------------------------------------

// A field of /proc/self/smaps_rollup, in KiB.
std::uint64_t rollup_kib(const std::string& field) {
  std::ifstream in("/proc/self/smaps_rollup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  }
  return 0;
}

// Private_Dirty of the mapping starting at `base`, in KiB (/proc/self/smaps).
std::uint64_t mapping_private_dirty_kib(const void* base) {
  char start[32];
  std::snprintf(start, sizeof start, "%lx-", reinterpret_cast<unsigned long>(base));
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    const auto colon = line.find(':'), space = line.find(' ');
    if (space != std::string::npos && colon != std::string::npos && colon > space) {
      inside = line.rfind(start, 0) == 0;
    } else if (inside && line.rfind("Private_Dirty:", 0) == 0) {
      return std::stoull(line.substr(14));
    }
  }
  return 0;
}

void memory(const Options& o) {
  const std::uint64_t n = o.n == 0 ? 1'000'000 : o.n;
  const std::string path = scratch(o, "memory");
  pschema::PoolOptions options;
  options.backend = pschema::Backend::file;
  options.durability = pschema::Durability::deferred;
  if (o.private_mib > 0) options.checkpoint_private_bytes = o.private_mib << 20;
  auto map = mapbench::U64Map::create(path, o.pool_mib << 20, options);
  std::mt19937_64 rng(7);
  const auto preload_start = Clock::now();
  // In key order (each transaction fills the rightmost leaves), spread
  // over the whole key space: the random inserts after it land anywhere.
  const std::uint64_t step = o.preload == 0 ? 0 : UINT64_MAX / (o.preload + 1);
  for (std::uint64_t done = 0; done < o.preload;) {
    const std::uint64_t batch = std::min<std::uint64_t>(10000, o.preload - done);
    map.transaction([&](mapbench::U64Map::Tx& tx) {
      for (std::uint64_t i = done; i < done + batch; ++i) mapbench::U64Map::Ops::insert(tx, (i + 1) * step, i);
    });
    done += batch;
  }
  map.sync();
  if (o.preload > 0) {
    std::printf("preloaded %" PRIu64 " keys in %.1f s (%.1f MiB of the heap allocated, %" PRIu64 " checkpoints)\n",
                o.preload, seconds_since(preload_start),
                static_cast<double>(map.pool().info().allocated_bytes) / (1 << 20), map.pool().counters().checkpoints);
  }
  const auto checkpoints_before = map.pool().counters().checkpoints;
  std::printf("random inserts into map<u64,u64> in a %" PRIu64
              " MiB pool, file engine (deferred, sync every 1000; "
              "checkpoint at %zu MiB of log or %zu MiB of private pages), %s\n",
              o.pool_mib, options.checkpoint_log_bytes >> 20, options.checkpoint_private_bytes >> 20, o.dir.c_str());
  std::printf("%10s %10s %10s %14s %18s %12s\n", "ops", "keys", "RSS MiB", "private MiB", "mapping priv. MiB",
              "checkpoints");
  std::uint64_t max_rss = 0, max_private = 0, max_mapping = 0;
  const auto start = Clock::now();
  for (std::uint64_t i = 1; i <= n; ++i) {
    map.insert(rng(), i);
    if (i % 1000 == 0) map.sync();
    if (i % 5000 == 0) {
      const std::uint64_t rss = rollup_kib("Rss"), priv = rollup_kib("Private_Dirty"),
                          mapping = mapping_private_dirty_kib(pschema::unsafe::base(map.pool()));
      max_rss = std::max(max_rss, rss);
      max_private = std::max(max_private, priv);
      max_mapping = std::max(max_mapping, mapping);
      if (i % (n / 20 < 5000 ? 5000 : n / 20 / 5000 * 5000) == 0) {
        std::printf("%10" PRIu64 " %10" PRIu64 " %10.1f %14.1f %18.1f %12" PRIu64 "\n", i, map.count(),
                    static_cast<double>(rss) / 1024, static_cast<double>(priv) / 1024,
                    static_cast<double>(mapping) / 1024, map.pool().counters().checkpoints - checkpoints_before);
        std::fflush(stdout);
      }
    }
  }
  const double elapsed = seconds_since(start);
  std::printf("max RSS %.1f MiB, max private dirty %.1f MiB (the pool's mapping: %.1f MiB); %" PRIu64
              " checkpoints, %.1f s, %.1f us/op, heap %.1f MiB allocated\n",
              static_cast<double>(max_rss) / 1024, static_cast<double>(max_private) / 1024,
              static_cast<double>(max_mapping) / 1024, map.pool().counters().checkpoints - checkpoints_before, elapsed,
              elapsed * 1e6 / static_cast<double>(n),
              static_cast<double>(map.pool().info().allocated_bytes) / (1 << 20));
  map.close();
  ::unlink(path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    if (o.mode == "single")
      single(o);
    else if (o.mode == "threads")
      threads(o);
    else if (o.mode == "memory")
      memory(o);
    else
      throw std::runtime_error("unknown mode " + o.mode);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pschema_file_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
