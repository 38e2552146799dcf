// pschema_disk_bench: durable key-value stores on an ordinary file
// (README.md, "Durable key-value on an ordinary file"). pschema, LMDB,
// SQLite in WAL mode (synchronous FULL and NORMAL), PMDK libpmemobj on a
// non-pmem file, and a pwrite + fdatasync loop as the physical floor, all
// behind disk_store.hpp, on the same u64 keys (splitmix64), interleaved in
// one run: in every repetition, each phase makes a fresh store for every
// system, then runs the phase in 10 slices, every system doing its share
// of a slice in turn (Bench::run_phase). Phases: PUT1 (a transaction per put), PUT100 (100 puts per
// transaction), GET (point gets on a filled store), PUT1-T2 and PUT1-T4
// (2 and 4 threads committing single puts at once). Every durability
// request of the process is counted (disk_sync_count.c) and reported per
// transaction next to the time. After every phase the store is closed,
// opened again and checked: every key with its value, the count, and keys
// that must be absent.
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fcntl.h>

#include "command_line.hpp"
#include "disk_store.hpp"
#include "disk_sync_count.h"
#include "splitmix.hpp"
#include "stats.hpp"
#include "storage.hpp"

namespace fs = std::filesystem;

namespace disk {

[[noreturn]] void fail_errno(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

}  // namespace disk

namespace {

using disk::Store;
using disk::StoreSpec;
using disk::System;

constexpr std::string_view workload = "kv-disk";
// Gets per read batch (one read transaction for LMDB and SQLite).
constexpr std::size_t get_batch = 1000;
// Puts per transaction when filling the store of the GET phase (untimed).
constexpr std::size_t fill_batch = 1000;
// Where the GET phase's store is filled before it is copied to --dir.
constexpr std::string_view fill_root = "/dev/shm";

struct Options {
  std::size_t n = 500;
  unsigned repeat = 3;
  std::string dir = "/var/tmp";
  std::string out_dir = "build/bench";
  std::uint64_t seed = 0x5eed0001;
  std::vector<std::string> only;
  bool verbose = false;
};

constexpr std::string_view usage =
    "usage: pschema_disk_bench [--n N] [--repeat N] [--dir DIR] [--only LIST] [--out DIR] [--seed S] [--verbose]\n"
    "  --n N          transactions of PUT1, and of PUT1-T2 and PUT1-T4 (split between the threads);\n"
    "                 PUT100 runs N/50 transactions of 100 puts, GET 100*N gets (default 500)\n"
    "  --repeat N     interleaved repetitions; the median is reported (default 3)\n"
    "  --dir DIR      where the stores go, an ordinary file system (default /var/tmp)\n"
    "  --only LIST    comma-separated systems and/or ops to run (default all): systems pschema,\n"
    "                 pschema-deferred, lmdb, sqlite-full, sqlite-normal, pmdk, fdatasync;\n"
    "                 ops PUT1, PUT100, GET, PUT1-T2, PUT1-T4\n"
    "  --out DIR      where results-disk.csv and results-disk-syncs.csv go (default build/bench)\n"
    "  --seed S       seed of the keys (default 0x5eed0001)\n"
    "  --verbose      every run's time and syncs on stderr\n";

struct Phase {
  std::string op;
  unsigned threads = 1;
  std::size_t tx_per_thread = 0;  // put phases
  std::size_t puts_per_tx = 0;
  std::size_t gets = 0;           // GET
  bool is_get() const { return gets != 0; }
  std::size_t transactions() const { return is_get() ? gets : threads * tx_per_thread; }
  std::size_t ops() const { return is_get() ? gets : transactions() * puts_per_tx; }
};

std::vector<Phase> phases_for(std::size_t n) {
  // The threaded phases commit as many transactions as PUT1, split
  // between the threads: the same work done by more threads.
  return {{"PUT1", 1, n, 1, 0},
          {"PUT100", 1, std::max<std::size_t>(1, n / 50), 100, 0},
          {"GET", 1, 0, 0, 100 * n},
          {"PUT1-T2", 2, std::max<std::size_t>(1, n / 2), 1, 0},
          {"PUT1-T4", 4, std::max<std::size_t>(1, n / 4), 1, 0}};
}

std::vector<System> all_systems() {
  return {disk::pschema_system(),    disk::pschema_deferred_system(), disk::lmdb_system(),
          disk::sqlite_system(true), disk::sqlite_system(false),      disk::pmdk_system(),
          disk::fdatasync_system()};
}

Options parse(int argc, char** argv) {
  Options o;
  harness::CommandLine line(argc, argv, "pschema_disk_bench", usage);
  while (line.next()) {
    const std::string_view arg = line.arg();
    if (arg == "--n") {
      o.n = line.number();
      if (o.n == 0) line.fail("--n must be at least 1");
    } else if (arg == "--repeat") {
      o.repeat = static_cast<unsigned>(line.number());
      if (o.repeat == 0) line.fail("--repeat must be at least 1");
    } else if (arg == "--dir") {
      o.dir = std::string(line.value());
    } else if (arg == "--out") {
      o.out_dir = std::string(line.value());
    } else if (arg == "--seed") {
      o.seed = line.number();
    } else if (arg == "--only") {
      for (std::string_view item : line.list()) o.only.emplace_back(item);
    } else if (arg == "--verbose") {
      o.verbose = true;
    } else {
      line.fail("unknown option '" + std::string(arg) + "'");
    }
  }
  std::set<std::string> known;
  for (const System& s : all_systems()) known.insert(s.name);
  for (const Phase& p : phases_for(o.n)) known.insert(p.op);
  for (const std::string& item : o.only) {
    if (!known.contains(item)) line.fail("--only: no system or op '" + item + "'");
  }
  return o;
}

// --only selects systems and ops independently: naming no system keeps
// them all, naming no op keeps them all.
bool selected(const Options& o, const std::vector<std::string>& names, const std::string& name) {
  const bool any = std::any_of(o.only.begin(), o.only.end(), [&](const std::string& item) {
    return std::find(names.begin(), names.end(), item) != names.end();
  });
  return !any || std::find(o.only.begin(), o.only.end(), name) != o.only.end();
}

[[noreturn]] void verification_failed(const std::string& message) {
  std::cerr << "pschema_disk_bench: VERIFICATION FAILED: " << message << "\n";
  std::exit(1);
}

std::uint64_t value_of(std::uint64_t key) { return key * 0x9E3779B97F4A7C15ULL + 1; }

// n distinct random keys, none 0 and none with value 0 (PMDK's example
// maps store a value as a PMEMoid's offset, and 0 would read as absent).
std::vector<std::uint64_t> make_keys(std::size_t n, std::uint64_t seed) {
  std::vector<std::uint64_t> keys;
  keys.reserve(n);
  std::unordered_set<std::uint64_t> seen;
  seen.reserve(n * 2);
  std::uint64_t state = seed;
  while (keys.size() < n) {
    const std::uint64_t key = harness::splitmix64(state);
    if (key != 0 && value_of(key) != 0 && seen.insert(key).second) keys.push_back(key);
  }
  return keys;
}

std::vector<std::uint64_t> make_absent(const std::vector<std::uint64_t>& keys, std::uint64_t seed) {
  const std::unordered_set<std::uint64_t> present(keys.begin(), keys.end());
  std::vector<std::uint64_t> absent{0};
  std::uint64_t state = seed ^ 0xab5e47ULL;
  while (absent.size() < 64) {
    const std::uint64_t key = harness::splitmix64(state);
    if (!present.contains(key)) absent.push_back(key);
  }
  return absent;
}

// The directory of this process's stores; removed at the end.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& parent) : path_(parent + "/pschema-disk-" + std::to_string(::getpid())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  // A fresh, empty directory for one store.
  std::string fresh(const std::string& name) const {
    const std::string dir = path_ + "/" + name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) disk::fail_errno("open " + path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) disk::fail_errno("fsync " + path);
}

// Copies the files of a closed store to an empty directory and makes them durable there.
void copy_store(const std::string& from, const std::string& to) {
  for (const fs::directory_entry& e : fs::directory_iterator(from)) {
    if (!e.is_regular_file()) continue;
    const std::string target = to + "/" + e.path().filename().string();
    fs::copy_file(e.path(), target);
    fsync_path(target, O_RDONLY);
  }
  fsync_path(to, O_RDONLY | O_DIRECTORY);
}

// Runs body(t) on `threads` threads at once (on this thread if there is
// one); the ms from their release until the last one is done.
double run_threads(unsigned threads, const std::function<void(unsigned)>& body) {
  if (threads == 1) {
    harness::Stopwatch watch;
    body(0);
    return watch.elapsed_ms();
  }
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      try {
        body(t);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (std::thread& th : pool) th.join();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return ms;
}

// Untimed: the count, every key with its value, absent keys missing.
void verify(Store& store, const std::string& where, std::span<const std::uint64_t> keys,
            std::span<const std::uint64_t> values, const std::vector<std::uint64_t>& absent) {
  const std::uint64_t count = store.count();
  if (count != keys.size()) {
    verification_failed(where + ": count " + std::to_string(count) + ", expected " + std::to_string(keys.size()));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::optional<std::uint64_t> v = store.get(keys[i]);
    if (!v) verification_failed(where + ": key " + std::to_string(keys[i]) + " missing");
    if (*v != values[i]) verification_failed(where + ": key " + std::to_string(keys[i]) + " has a wrong value");
  }
  for (std::uint64_t key : absent) {
    if (store.get(key)) verification_failed(where + ": absent key " + std::to_string(key) + " found");
  }
}

struct Run {
  double ms = 0;
  disk_sync_counts counts{};
  std::optional<std::uint64_t> fences;  // the system's own count, if it keeps one
  std::uint64_t syncs() const { return disk_sync_total(&counts); }
};

disk_sync_counts minus(const disk_sync_counts& a, const disk_sync_counts& b) {
  return {a.fsync - b.fsync, a.fdatasync - b.fdatasync, a.msync - b.msync, a.other - b.other,
          a.sync_writes - b.sync_writes};
}

void add(disk_sync_counts& to, const disk_sync_counts& c) {
  to.fsync += c.fsync;
  to.fdatasync += c.fdatasync;
  to.msync += c.msync;
  to.other += c.other;
  to.sync_writes += c.sync_writes;
}

// The slices a phase is cut into: see Bench::run_phase.
constexpr std::size_t chunks = 10;

class Bench {
 public:
  Bench(const Options& o, const ScratchDir& scratch, std::optional<ScratchDir>& fill) : scratch_(scratch), fill_(fill) {
    std::size_t most = 0;
    for (const Phase& p : phases_for(o.n)) most = std::max(most, p.ops());
    keys_ = make_keys(most, o.seed);
    values_.reserve(keys_.size());
    for (std::uint64_t k : keys_) values_.push_back(value_of(k));
    absent_ = make_absent(keys_, o.seed);
  }

  // One repetition of `phase` for all `systems` at once. Every system's
  // store is made first (untimed); then the phase's work is done in
  // `chunks` slices, and in every slice each system in turn does its part
  // (the first system changes from slice to slice and with `rep`), so a
  // slow moment of the shared disk falls on all the systems alike. A
  // system's time is the sum of its slices. Then (untimed) every store is
  // closed, opened again and verified. A system that throws NotAvailable
  // when its store is made is entered in `unavailable` and left out.
  std::map<std::string, Run> run_phase(const std::vector<const System*>& systems, const Phase& phase, unsigned rep,
                                       std::map<std::string, std::string>& unavailable) {
    std::vector<Live> live;
    for (const System* system : systems) {
      try {
        live.push_back(phase.is_get() ? filled(*system, phase) : fresh(*system, phase));
      } catch (const disk::NotAvailable& e) {
        unavailable[system->name] = e.what();
      }
    }
    const std::size_t slices =
        std::max<std::size_t>(1, std::min(chunks, phase.is_get() ? phase.gets / get_batch : phase.tx_per_thread));
    for (std::size_t c = 0; c < slices; ++c) {
      for (std::size_t k = 0; k < live.size(); ++k) {
        Live& l = live[(k + c + rep) % live.size()];
        const std::optional<std::uint64_t> fences_before = l.store->fences();
        const disk_sync_counts before = disk_sync_counts_now();
        l.run.ms += phase.is_get() ? get_slice(l, phase, c, slices) : put_slice(l, phase, c, slices);
        add(l.run.counts, minus(disk_sync_counts_now(), before));
        if (const std::optional<std::uint64_t> fences = l.store->fences(); fences && fences_before) {
          l.run.fences = l.run.fences.value_or(0) + (*fences - *fences_before);
        }
      }
    }
    std::map<std::string, Run> runs;
    for (Live& l : live) {
      finish(l, phase);
      runs[l.system->name] = l.run;
    }
    return runs;
  }

  std::string backend_of(const std::string& system) const {
    const auto it = backends_.find(system);
    return it == backends_.end() ? std::string() : it->second;
  }

 private:
  // A system's store during a phase.
  struct Live {
    const System* system;
    StoreSpec spec;
    std::unique_ptr<Store> store;
    std::vector<std::unique_ptr<disk::Writer>> writers;
    std::size_t bad_gets = 0;
    Run run;
  };

  // [begin, end) of `n` for slice c of `slices`.
  static std::pair<std::size_t, std::size_t> slice(std::size_t n, std::size_t c, std::size_t slices) {
    return {n * c / slices, n * (c + 1) / slices};
  }

  Live fresh(const System& system, const Phase& phase) {
    Live l{&system, StoreSpec{scratch_.fresh(system.name + "-" + phase.op), phase.ops(), phase.threads}, {}, {}, 0, {}};
    l.store = system.create(l.spec);
    note_backend(system, *l.store);
    for (unsigned t = 0; t < phase.threads; ++t) l.writers.push_back(l.store->writer());
    return l;
  }

  // Thread t commits its transactions of the slice; thread t's keys are
  // [t * per thread, (t + 1) * per thread) of the phase's.
  double put_slice(Live& l, const Phase& phase, std::size_t c, std::size_t slices) {
    const std::span<const std::uint64_t> keys(keys_), values(values_);
    const auto [begin, end] = slice(phase.tx_per_thread, c, slices);
    return run_threads(phase.threads, [&, begin = begin, end = end](unsigned t) {
      disk::Writer& writer = *l.writers[t];
      for (std::size_t tx = begin; tx < end; ++tx) {
        const std::size_t first = (t * phase.tx_per_thread + tx) * phase.puts_per_tx;
        writer.put(keys.subspan(first, phase.puts_per_tx), values.subspan(first, phase.puts_per_tx));
      }
    });
  }

  // The store of a GET phase: filled (untimed) where syncs are cheap, then
  // copied to the disk and opened there: filling 100*N keys in durable
  // transactions on the disk would take minutes for the systems that sync
  // page by page, and what GET measures is reading a store on the disk's
  // file system (its pages in the page cache, as after any recent use).
  Live filled(const System& system, const Phase& phase) {
    const std::size_t total = phase.gets;
    const std::span<const std::uint64_t> keys(keys_.data(), total), values(values_.data(), total);
    const std::string name = system.name + "-" + phase.op;
    const ScratchDir& fill_dir = fill_ ? *fill_ : scratch_;
    StoreSpec spec{fill_dir.fresh(name + "-fill"), total, 1};
    {
      std::unique_ptr<Store> store = system.create(spec);
      std::unique_ptr<disk::Writer> writer = store->writer();
      for (std::size_t first = 0; first < total; first += fill_batch) {
        const std::size_t n = std::min(fill_batch, total - first);
        writer->put(keys.subspan(first, n), values.subspan(first, n));
      }
    }
    const std::string from = spec.dir;
    spec.dir = scratch_.fresh(name);
    copy_store(from, spec.dir);
    fs::remove_all(from);
    Live l{&system, spec, system.open(spec), {}, 0, {}};
    note_backend(system, *l.store);
    return l;
  }

  // Gets in batches of get_batch (a read transaction each, where the
  // system has them), every value checked.
  double get_slice(Live& l, const Phase& phase, std::size_t c, std::size_t slices) {
    const auto [begin, end] = slice(phase.gets / get_batch, c, slices);
    const std::size_t first = begin * get_batch;
    const std::size_t last = c + 1 == slices ? phase.gets : end * get_batch;
    Store& store = *l.store;
    return run_threads(1, [&](unsigned) {
      for (std::size_t b = first; b < last; b += get_batch) {
        const std::size_t stop = std::min(last, b + get_batch);
        store.begin_gets();
        for (std::size_t i = b; i < stop; ++i) {
          const std::optional<std::uint64_t> v = store.get(keys_[i]);
          if (!v || *v != values_[i]) ++l.bad_gets;
        }
        store.end_gets();
      }
    });
  }

  // Untimed: close, open again and verify (GET: the gets checked every
  // value; the count and absent keys here); remove the store.
  void finish(Live& l, const Phase& phase) {
    const std::string& name = l.system->name;
    const std::span<const std::uint64_t> keys(keys_.data(), phase.ops()), values(values_.data(), phase.ops());
    if (phase.is_get()) {
      if (l.bad_gets != 0) {
        verification_failed(name + " GET: " + std::to_string(l.bad_gets) + " gets missed or were wrong");
      }
      for (std::uint64_t key : absent_) {
        if (l.store->get(key)) verification_failed(name + " after GET: absent key " + std::to_string(key) + " found");
      }
      const std::uint64_t count = l.store->count();
      if (count != phase.gets) {
        verification_failed(name + " after GET: count " + std::to_string(count) + ", expected " +
                            std::to_string(phase.gets));
      }
      l.store.reset();
    } else {
      l.writers.clear();
      l.store.reset();
      std::unique_ptr<Store> reopened = l.system->open(l.spec);
      verify(*reopened, name + " after " + phase.op + " (reopened)", keys, values, absent_);
      check_syncs(*l.system, phase, l.run);
    }
    fs::remove_all(l.spec.dir);
  }

  // The counter must see what the floor does exactly, and enough syncs
  // for the durable commits: otherwise it is not counting (a library
  // reaching the kernel some way that is not interposed). One thread needs
  // a sync per commit; T threads committing together may share one (group
  // commit), but a sync covers at most one waiting commit per thread.
  static void check_syncs(const System& system, const Phase& phase, const Run& run) {
    if (system.name == "fdatasync" && run.counts.fdatasync != phase.transactions()) {
      throw std::runtime_error("sync counting is broken: the fdatasync floor made " +
                               std::to_string(phase.transactions()) + " fdatasync calls, the counter saw " +
                               std::to_string(run.counts.fdatasync));
    }
    const bool deferred = system.name == "sqlite-normal" || system.name == "pschema-deferred";
    if (!deferred && run.syncs() * phase.threads < phase.transactions()) {
      throw std::runtime_error("sync counting is broken: " + system.name + " " + phase.op + " committed " +
                               std::to_string(phase.transactions()) + " durable transactions with " +
                               std::to_string(run.syncs()) + " syncs counted");
    }
  }

  void note_backend(const System& system, const Store& store) {
    const std::string b = store.backend();
    if (!b.empty()) backends_[system.name] = b;
  }

  const ScratchDir& scratch_;
  std::optional<ScratchDir>& fill_;
  std::vector<std::uint64_t> keys_, values_, absent_;
  std::map<std::string, std::string> backends_;
};

std::string file_system_of(const std::string& dir) {
  struct statfs s{};
  if (::statfs(dir.c_str(), &s) != 0) return "?";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    default: {
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(s.f_type));
      return hex;
    }
  }
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    if (!disk_sync_count_active()) {
      throw std::runtime_error(
          "the sync counter is not interposed (the executable must export fsync, fdatasync, msync, open, "
          "pwrite...: see bench/CMakeLists.txt); refusing to report sync counts");
    }
    // Ordinary files: libpmem must not take them for persistent memory.
    const std::string note = harness::configure_storage({harness::StorageMode::msync, o.dir});
    if (!note.empty()) std::cerr << "pschema_disk_bench: " << note << "\n";
    const std::string fs_type = file_system_of(o.dir);
    if (fs_type == "tmpfs") {
      std::cerr << "pschema_disk_bench: warning: " << o.dir << " is tmpfs: syncs cost nothing there\n";
    }

    ScratchDir scratch(o.dir);
    std::optional<ScratchDir> fill;
    if (fs::is_directory(fill_root) && file_system_of(std::string(fill_root)) == "tmpfs")
      fill.emplace(std::string(fill_root));
    Bench bench(o, scratch, fill);

    std::vector<Phase> phases;
    std::vector<std::string> op_names, system_names;
    for (const Phase& p : phases_for(o.n)) op_names.push_back(p.op);
    std::vector<System> systems_all = all_systems();
    for (const System& s : systems_all) system_names.push_back(s.name);
    for (const Phase& p : phases_for(o.n)) {
      if (selected(o, op_names, p.op)) phases.push_back(p);
    }
    std::vector<System> systems;
    for (const System& s : systems_all) {
      if (selected(o, system_names, s.name)) systems.push_back(s);
    }

    std::printf("pschema_disk_bench: %s on %s (%s), n = %zu, %u interleaved repetitions, median; %u hardware threads\n",
                std::string(workload).c_str(), o.dir.c_str(), fs_type.c_str(), o.n, o.repeat,
                std::thread::hardware_concurrency());
    std::fflush(stdout);

    using Key = std::pair<std::string, std::string>;  // op, system
    std::map<Key, std::vector<double>> times;
    std::map<Key, std::uint64_t> syncs, transactions;
    std::map<Key, disk_sync_counts> kinds;
    std::map<Key, std::uint64_t> fences;  // systems that count their own
    std::map<std::string, std::string> unavailable;  // system -> why
    std::map<Key, std::string> no_op;                // op, system -> why
    std::set<std::string> said_unavailable;

    for (unsigned rep = 0; rep < o.repeat; ++rep) {
      for (const Phase& phase : phases) {
        std::vector<const System*> running;
        for (const System& system : systems) {
          if (unavailable.contains(system.name)) continue;
          if (phase.is_get() && !system.no_gets.empty()) {
            no_op[{phase.op, system.name}] = system.no_gets;
            continue;
          }
          running.push_back(&system);
        }
        const std::size_t known = unavailable.size();
        const std::map<std::string, Run> runs = bench.run_phase(running, phase, rep, unavailable);
        if (unavailable.size() != known) {
          for (const auto& [system, why] : unavailable) {
            if (!said_unavailable.insert(system).second) continue;
            std::cerr << "pschema_disk_bench: " << system << ": n/a: " << why << "\n";
          }
        }
        for (const auto& [system, r] : runs) {
          const Key key{phase.op, system};
          times[key].push_back(r.ms);
          syncs[key] += r.syncs();
          transactions[key] += phase.transactions();
          add(kinds[key], r.counts);
          if (r.fences) fences[key] += *r.fences;
          if (o.verbose) {
            std::fprintf(stderr, "rep %u %-8s %-17s %10.2f ms  %8.2f syncs/tx\n", rep, phase.op.c_str(), system.c_str(),
                         r.ms, static_cast<double>(r.syncs()) / phase.transactions());
          }
        }
      }
    }

    // The table.
    auto median_ms = [&](const Key& k) -> std::optional<double> {
      const auto it = times.find(k);
      if (it == times.end() || it->second.empty()) return std::nullopt;
      return harness::median(it->second);
    };
    std::printf("\n%-8s %-17s %8s %10s %10s %9s %10s %12s\n", "op", "system", "n", "ms", "us/op", "syncs/tx",
                "time/floor", "sqlite-full/t");
    for (const Phase& phase : phases) {
      const std::optional<double> floor = median_ms({phase.op, "fdatasync"});
      const std::optional<double> sqlite_full = median_ms({phase.op, "sqlite-full"});
      for (const System& system : systems) {
        const Key key{phase.op, system.name};
        const std::optional<double> ms = median_ms(key);
        if (!ms) {
          std::printf("%-8s %-17s %8zu %10s %10s %9s %10s %12s\n", phase.op.c_str(), system.name.c_str(), phase.ops(),
                      "n/a", "n/a", "n/a", "", "");
          continue;
        }
        const double per_tx = static_cast<double>(syncs[key]) / static_cast<double>(transactions[key]);
        std::printf("%-8s %-17s %8zu %10.2f %10.2f %9s %10s %12s\n", phase.op.c_str(), system.name.c_str(), phase.ops(),
                    *ms, *ms * 1000.0 / static_cast<double>(phase.ops()),
                    fixed(per_tx, per_tx != 0 && per_tx < 0.1 ? 3 : 2).c_str(),
                    floor ? (fixed(*ms / *floor, 2) + "x").c_str() : "",
                    sqlite_full ? (fixed(*sqlite_full / *ms, 2) + "x").c_str() : "");
      }
    }
    std::printf(
        "\nsyncs/tx: fsync + fdatasync + msync(MS_SYNC) + sync_file_range/syncfs + writes to O_SYNC/O_DSYNC\n"
        "descriptors, per transaction (GET: per get); time/floor: time over the fdatasync loop's;\n"
        "sqlite-full/t: SQLite FULL's time over this one (above 1: faster than SQLite FULL).\n");
    for (const System& system : systems) {
      const std::string b = bench.backend_of(system.name);
      if (!b.empty()) std::printf("%s: persistence backend '%s'\n", system.name.c_str(), b.c_str());
    }
    std::printf("sync calls by kind (all runs):\n");
    for (const Phase& phase : phases) {
      for (const System& system : systems) {
        const Key key{phase.op, system.name};
        const auto it = kinds.find(key);
        if (it == kinds.end()) continue;
        const disk_sync_counts& c = it->second;
        const double tx = static_cast<double>(transactions[key]);
        std::printf("  %-8s %-17s per tx: fsync %.2f  fdatasync %.2f  msync %.2f  O_DSYNC writes %.2f  other %.2f",
                    phase.op.c_str(), system.name.c_str(), c.fsync / tx, c.fdatasync / tx, c.msync / tx,
                    c.sync_writes / tx, c.other / tx);
        if (const auto f = fences.find(key); f != fences.end()) {
          std::printf("  (its own count: %.2f fences)", static_cast<double>(f->second) / tx);
        }
        std::printf("\n");
      }
    }
    for (const auto& [system, why] : unavailable) std::printf("n/a: %s: %s\n", system.c_str(), why.c_str());
    std::set<std::string> said;
    for (const auto& [key, why] : no_op) {
      if (said.insert(key.second).second)
        std::printf("n/a: %s %s: %s\n", key.second.c_str(), key.first.c_str(), why.c_str());
    }

    // The CSVs.
    fs::create_directories(o.out_dir);
    const std::string csv = o.out_dir + "/results-disk.csv";
    const std::string syncs_csv = o.out_dir + "/results-disk-syncs.csv";
    std::ofstream out(csv), out_syncs(syncs_csv);
    out << "workload,op,system,n,ms,ns_per_op\n";
    out_syncs << "workload,op,system,transactions,syncs,syncs_per_tx\n";
    for (const Phase& phase : phases) {
      for (const System& system : systems) {
        const Key key{phase.op, system.name};
        const std::optional<double> ms = median_ms(key);
        out << workload << ',' << phase.op << ',' << system.name << ',' << phase.ops() << ',';
        out_syncs << workload << ',' << phase.op << ',' << system.name << ',';
        if (!ms) {
          out << "n/a,n/a\n";
          out_syncs << "n/a,n/a,n/a\n";
          continue;
        }
        out << fixed(*ms, 3) << ',' << fixed(*ms * 1e6 / static_cast<double>(phase.ops()), 1) << '\n';
        out_syncs << transactions[key] << ',' << syncs[key] << ','
                  << fixed(static_cast<double>(syncs[key]) / static_cast<double>(transactions[key]), 3) << '\n';
      }
    }
    out.close();
    out_syncs.close();
    if (!out || !out_syncs) throw std::runtime_error("cannot write " + csv + " or " + syncs_csv);
    std::printf("wrote %s and %s\n", csv.c_str(), syncs_csv.c_str());
  } catch (const std::exception& e) {
    std::cerr << "pschema_disk_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
