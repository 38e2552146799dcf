// Recovery is idempotent: a crash during recovery, followed by another
// open, is safe.
//
// A child process makes a crash image: it opens a pool and dies in the
// middle of a transaction that rewrote several ranges of the root, an
// existing object and a 40 KiB object (more log than a lane holds), freed
// an object and allocated six. It dies in the body (nothing committed), in
// the commit (block headers and data written and fenced, commit mark not),
// or in the rollback of a body that threw (undo applied, lane not marked
// done). Then, for k = 1, 2, ..., another child opens a copy of the image
// with a persistence backend that ends the process right after the k-th
// fence, until an open completes before reaching k. After each interrupted
// recovery the parent opens the copy, twice, and checks that it holds
// exactly the state before the transaction, with nothing leaked.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crash_support.hpp"
#include "pschema/errors.hpp"
#include "pschema/persistence.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Site;
using pschema::Transaction;
using test_support::ScratchDir;

namespace {

constexpr std::size_t small_count = 4;
constexpr std::size_t small_size = 200;
constexpr std::size_t big_size = 40 * 1024;  // logging it all needs more than a 16 KiB lane
constexpr std::size_t fresh_sizes[] = {24, 100, 500, 3000, 5000, 70000};
constexpr std::size_t fresh_count = std::size(fresh_sizes);
constexpr std::uint32_t small_type = 3, big_type = 4, fresh_type = 5;

struct Root {
  std::uint64_t small[small_count];  // offsets of small objects
  std::uint64_t big;                 // offset of the big object
  std::uint64_t fresh[fresh_count];  // objects allocated by the interrupted transaction (0 before)
  unsigned char data[4096 - 8 * (small_count + 1 + fresh_count)];
};
static_assert(sizeof(Root) == 4096);

pschema::SchemaInfo schema() { return test_support::test_schema(sizeof(Root), "crash.Recovery", 0x7EC0); }

// Child exit codes.
constexpr int exit_open_completed = 10;  // the open returned
constexpr int exit_in_body = 11;         // the crash point inside the transaction body was reached
constexpr int exit_at_fence = 20;        // + the site of the fence the process ended after

// A persistence backend that makes writes durable like the msync backend
// (it delegates to it) and ends the process right after the `nth` fence,
// counting only fences at `only_site` if one is given: a crash at that
// point, with everything fenced so far durable.
class ExitAfterFence final : public pschema::Persistence {
 public:
  explicit ExitAfterFence(unsigned nth, std::optional<Site> only_site = std::nullopt)
      : inner_(pschema::make_msync_persistence()), nth_(nth), only_site_(only_site) {}

  void stored(const void* addr, std::size_t size) override { inner_->stored(addr, size); }
  std::size_t flush(const void* addr, std::size_t size, Site site) override { return inner_->flush(addr, size, site); }
  void fence(Site site) override {
    inner_->fence(site);
    if (only_site_ && site != *only_site_) return;
    if (++fences_ == nth_) ::_exit(exit_at_fence + static_cast<int>(site));
  }
  bool observes_stores() const noexcept override { return inner_->observes_stores(); }
  std::string_view name() const noexcept override { return "exit-after-fence"; }

 private:
  std::unique_ptr<pschema::Persistence> inner_;
  unsigned nth_;
  std::optional<Site> only_site_;
  unsigned fences_ = 0;
};

std::string site_of_exit(int code) {
  if (code < exit_at_fence || code >= exit_at_fence + static_cast<int>(Site::count_)) return "?";
  return std::string(pschema::site_name(static_cast<Site>(code - exit_at_fence)));
}

// Runs `body` in a child process and returns its wait status. The child
// never returns into the test: it ends with `body`'s exit, or status 2 on
// an exception (the message goes to stderr and into `error`).
template <class Body>
int in_child(Body&& body, std::string& error) {
  crash_support::Pipe errors;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) crash_support::throw_errno("fork");
  if (pid == 0) {
    crash_support::child_dies_with_parent(parent);
    try {
      body();
    } catch (const std::exception& e) {
      crash_support::child_fail(errors.write_end(), e.what(), 2);
    } catch (...) {
      crash_support::child_fail(errors.write_end(), "unknown exception", 2);
    }
    crash_support::child_fail(errors.write_end(), "the child body returned", 2);
  }
  errors.close_write();
  const int status = crash_support::wait_for(pid);
  error = crash_support::read_to_end(errors.read_end());
  return status;
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

// Everything the interrupted transaction touched, as it was before.
struct Snapshot {
  std::vector<unsigned char> root;
  std::vector<std::vector<unsigned char>> objects;  // the small objects, then the big one
  std::vector<std::pair<std::size_t, std::uint32_t>> allocations;  // size and type of each
  std::uint64_t allocated_objects = 0;
  std::uint64_t allocated_bytes = 0;
};

Snapshot snapshot(Pool& pool) {
  Snapshot out;
  const pschema::PoolInfo info = pool.info();
  out.allocated_objects = info.allocated_objects;
  out.allocated_bytes = info.allocated_bytes;
  pool.transaction([&](Transaction& tx) {  // writes nothing; allocation_size/type need a transaction
    const Root& root = *tx.at<Root>(tx.root_offset());
    const auto* bytes = reinterpret_cast<const unsigned char*>(&root);
    out.root.assign(bytes, bytes + sizeof root);
    std::vector<std::uint64_t> offsets(std::begin(root.small), std::end(root.small));
    offsets.push_back(root.big);
    for (std::uint64_t offset : offsets) {
      if (offset == 0) {
        out.objects.emplace_back();
        out.allocations.emplace_back(0, 0);
        continue;
      }
      const std::size_t size = tx.allocation_size(offset);
      const auto* object = tx.at<unsigned char>(offset);
      out.objects.emplace_back(object, object + size);
      out.allocations.emplace_back(size, tx.allocation_type(offset));
    }
  });
  return out;
}

// Where two byte strings first differ, or an empty string.
std::string first_difference(const std::vector<unsigned char>& actual, const std::vector<unsigned char>& expected) {
  if (actual.size() != expected.size()) {
    return std::to_string(actual.size()) + " bytes, expected " + std::to_string(expected.size());
  }
  const auto [a, e] = std::mismatch(actual.begin(), actual.end(), expected.begin());
  if (a == actual.end()) return {};
  return "byte " + std::to_string(a - actual.begin()) + " is " + std::to_string(*a) + ", expected " +
         std::to_string(*e);
}

// Checks that `actual` is exactly `expected`; stops the test if not.
void check_equal(const Snapshot& actual, const Snapshot& expected) {
  bool same = true;
  using Bytes = std::vector<unsigned char>;
  auto compare = [&](const std::string& what, const Bytes& a, const Bytes& e) {
    const std::string difference = first_difference(a, e);
    CHECK_MESSAGE(difference.empty(), what, ": ", difference);
    same = same && difference.empty();
  };
  compare("root", actual.root, expected.root);
  REQUIRE(actual.objects.size() == expected.objects.size());
  for (std::size_t i = 0; i < expected.objects.size(); ++i) {
    const std::string what = i < small_count ? "small object " + std::to_string(i) : std::string("big object");
    compare(what, actual.objects[i], expected.objects[i]);
    CHECK_MESSAGE(actual.allocations[i].first == expected.allocations[i].first, what, " size");
    CHECK_MESSAGE(actual.allocations[i].second == expected.allocations[i].second, what, " type");
    same = same && actual.allocations[i] == expected.allocations[i];
  }
  // Nothing leaked, nothing lost.
  CHECK(actual.allocated_objects == expected.allocated_objects);
  CHECK(actual.allocated_bytes == expected.allocated_bytes);
  same = same && actual.allocated_objects == expected.allocated_objects &&
         actual.allocated_bytes == expected.allocated_bytes;
  REQUIRE_MESSAGE(same, "the recovered pool differs from the state before the interrupted transaction");
}

// A pool in the state the tests expect to find again: objects allocated,
// everything filled with patterns, and several committed transactions
// before, so the lane holds stale entries that recovery must ignore.
Snapshot make_pool(const std::string& path) {
  Pool pool = Pool::create(path, test_support::small_pool, schema());
  pool.transaction([&](Transaction& tx) {
    Root& root = *tx.at<Root>(tx.root_offset());
    tx.add(&root, sizeof root);
    for (std::size_t i = 0; i < small_count; ++i) {
      root.small[i] = tx.allocate(small_size, small_type);
      std::memset(tx.at<unsigned char>(root.small[i]), static_cast<int>(0x10 + i), small_size);
    }
    root.big = tx.allocate(big_size, big_type);
    std::memset(tx.at<unsigned char>(root.big), 0x20, big_size);
  });
  for (int round = 0; round < 5; ++round) {
    pool.transaction([&](Transaction& tx) {
      Root& root = *tx.at<Root>(tx.root_offset());
      tx.add(root.data, sizeof root.data);
      for (std::size_t i = 0; i < sizeof root.data; ++i) root.data[i] = static_cast<unsigned char>(i * 7 + round);
      // Allocate and free, so the heap has free blocks of several sizes.
      const std::uint64_t scratch = tx.allocate(1000 + 300 * static_cast<std::size_t>(round), fresh_type);
      tx.free(scratch);
    });
  }
  Snapshot before = snapshot(pool);
  REQUIRE(before.allocated_objects == 1 + small_count + 1);
  return before;
}

// Where the child making a crash image dies.
enum class Crash { in_body, in_commit, in_rollback };
// How the body of the transaction below ends.
enum class Ending { exit_process, commit, throw_to_roll_back };

// The transaction that the crash interrupts.
void the_transaction(Pool& pool, Ending ending) {
  pool.transaction([&](Transaction& tx) {
    Root& root = *tx.at<Root>(tx.root_offset());
    // Several ranges of the root.
    tx.add(root.data + 8, 100);
    std::memset(root.data + 8, 0xA1, 100);
    tx.add(root.data + 1000, 300);
    std::memset(root.data + 1000, 0xA2, 300);
    tx.write_bytes(root.data + 3000, std::vector<unsigned char>(800, 0xA3).data(), 800);
    // An existing object, and all of the big one: its undo entry goes to an
    // overflow segment in the heap.
    tx.add(tx.at<unsigned char>(root.small[0]), small_size);
    std::memset(tx.at<unsigned char>(root.small[0]), 0xB0, small_size);
    tx.add(tx.at<unsigned char>(root.big), big_size);
    std::memset(tx.at<unsigned char>(root.big), 0xB1, big_size);
    // A free and several allocations, linked from the root.
    tx.free(root.small[3]);
    tx.write(root.small[3], std::uint64_t{0});
    for (std::size_t i = 0; i < fresh_count; ++i) {
      const std::uint64_t offset = tx.allocate(fresh_sizes[i], fresh_type);
      std::memset(tx.at<unsigned char>(offset), static_cast<int>(0xC0 + i), fresh_sizes[i]);
      tx.write(root.fresh[i], offset);
    }
    if (ending == Ending::exit_process) ::_exit(exit_in_body);
    if (ending == Ending::throw_to_roll_back) throw std::runtime_error("roll back");
  });
}

const char* crash_name(Crash crash) {
  switch (crash) {
    case Crash::in_body: return "in the transaction body";
    case Crash::in_commit: return "in the commit, after the data fence";
    case Crash::in_rollback: return "in the rollback, after the data fence";
  }
  return "?";
}

// Makes the crash image at `path` (a pool in the state `make_pool` left).
void make_crash_image(const std::string& path, Crash crash) {
  pschema::PoolOptions options;
  // The undo journal is under test: on the file engine (the default on
  // ordinary files) a crash in the body leaves the pool file untouched.
  options.backend = pschema::Backend::msync;
  int expected_exit = exit_in_body;
  Ending ending = Ending::exit_process;
  if (crash == Crash::in_commit) {
    ending = Ending::commit;
    options.persistence = std::make_shared<ExitAfterFence>(1, Site::commit_data);
    expected_exit = exit_at_fence + static_cast<int>(Site::commit_data);
  } else if (crash == Crash::in_rollback) {
    ending = Ending::throw_to_roll_back;
    options.persistence = std::make_shared<ExitAfterFence>(1, Site::rollback_data);
    expected_exit = exit_at_fence + static_cast<int>(Site::rollback_data);
  }
  std::string error;
  const int status = in_child(
      [&] {
        Pool pool = Pool::open(path, schema(), options);
        try {
          the_transaction(pool, ending);
        } catch (const std::runtime_error&) {}
        ::_exit(1);  // not reached: the crash point ends the process
      },
      error);
  INFO("making the crash image: the child ", crash_support::describe_status(status), " ", error);
  REQUIRE(exit_code(status) == expected_exit);
}

std::vector<unsigned char> file_bytes(const std::string& path, std::uint64_t offset, std::size_t size) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::vector<unsigned char> out(size);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(size));
  REQUIRE(in.good());
  return out;
}

void copy(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

// Opens `path` in a child that ends after its `k`-th fence. Returns the
// site it ended at, or an empty string when the open completed first.
std::string interrupted_open(const std::string& path, unsigned k) {
  std::string error;
  const int status = in_child(
      [&] {
        pschema::PoolOptions options;
        options.persistence = std::make_shared<ExitAfterFence>(k);
        Pool pool = Pool::open(path, schema(), options);
        ::_exit(exit_open_completed);  // no close: only the open is under test
      },
      error);
  INFO("open interrupted at fence ", k, ": the child ", crash_support::describe_status(status), " ", error);
  const int code = exit_code(status);
  REQUIRE((code == exit_open_completed || site_of_exit(code) != "?"));
  return code == exit_open_completed ? std::string() : site_of_exit(code);
}

// Opens `path` twice in a row, normally; both times it must hold `before`.
void check_recovered(const std::string& path, const Snapshot& before) {
  {
    Pool pool = Pool::open(path, schema());
    check_equal(snapshot(pool), before);
  }
  Pool pool = Pool::open(path, schema());
  CHECK_FALSE(pool.info().recovered);  // the first open finished the job
  check_equal(snapshot(pool), before);
}

struct Image {
  ScratchDir dir;
  std::string image;
  Snapshot before;
  std::uint64_t root_offset = 0;
};

void prepare(Image& out, Crash crash) {
  const std::string path = out.dir.file("crash.image");
  out.before = make_pool(path);
  out.root_offset = Pool::open(path, schema()).root_offset();
  make_crash_image(path, crash);
  out.image = path;
  if (crash != Crash::in_rollback) {
    // The transaction's writes reached the file: the image really holds a
    // transaction in flight (the rollback image has its undo already applied).
    CHECK(file_bytes(path, out.root_offset, sizeof(Root)) != out.before.root);
  }
  // An uninterrupted open rolls it back.
  const std::string work = out.dir.file("plain.pool");
  copy(path, work);
  {
    Pool pool = Pool::open(work, schema());
    CHECK(pool.info().recovered);
  }
  check_recovered(work, out.before);
}

const Crash all_crashes[] = {Crash::in_body, Crash::in_commit, Crash::in_rollback};

}  // namespace

TEST_CASE("recovery: a crash during recovery followed by another open is safe") {
  for (Crash crash : all_crashes) {
    INFO("crash ", std::string(crash_name(crash)));
    Image image;
    prepare(image, crash);
    const std::string work = image.dir.file("work.pool");
    std::vector<std::string> sites;
    unsigned k = 1;
    for (;; ++k) {
      CAPTURE(k);
      REQUIRE(k < 100);
      copy(image.image, work);
      const std::string site = interrupted_open(work, k);
      check_recovered(work, image.before);
      if (site.empty()) break;
      sites.push_back(site);
    }
    std::string list;
    for (const auto& site : sites) list += " " + site;
    MESSAGE(std::string(crash_name(crash)), ": recovery interrupted after each of its ", sites.size(),
            " fences:", list);
    // Recovery fences at least after the undo data, after the lane mark and
    // after the pool state: every one of them was a crash point.
    CHECK(sites.size() >= 3);
    CHECK(std::count(sites.begin(), sites.end(), "rollback_data") >= 1);
    CHECK(std::count(sites.begin(), sites.end(), "rollback_mark") >= 1);

    // The recovered pool works: the interrupted transaction, run again,
    // commits, and its allocations are all there after a reopen.
    {
      Pool pool = Pool::open(work, schema());
      the_transaction(pool, Ending::commit);
    }
    Pool pool = Pool::open(work, schema());
    CHECK_FALSE(pool.info().recovered);
    CHECK(pool.info().allocated_objects == image.before.allocated_objects - 1 + fresh_count);
  }
}

TEST_CASE("recovery: a crash during the recovery of a crash during recovery is safe") {
  for (Crash crash : all_crashes) {
    INFO("crash ", std::string(crash_name(crash)));
    Image image;
    prepare(image, crash);
    const std::string work = image.dir.file("work.pool");
    unsigned pairs = 0;
    for (unsigned first = 1;; ++first) {
      CAPTURE(first);
      REQUIRE(first < 100);
      copy(image.image, work);
      if (interrupted_open(work, first).empty()) break;
      const std::string after_first = image.dir.file("after-first.pool");
      copy(work, after_first);
      for (unsigned second = 1;; ++second) {
        CAPTURE(second);
        REQUIRE(second < 100);
        copy(after_first, work);
        const std::string site = interrupted_open(work, second);
        check_recovered(work, image.before);
        if (site.empty()) break;
        ++pairs;
      }
    }
    MESSAGE(std::string(crash_name(crash)), ": ", pairs, " recoveries interrupted twice");
    CHECK(pairs >= 3);
  }
}
