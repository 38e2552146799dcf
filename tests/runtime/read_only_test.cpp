// PoolOptions::read_only (docs/runtime.md 4.7) and the writers' lock
// (8.4): a read-only open reads the committed state without writing
// either file, runs no transaction, and nothing a reader can lock keeps
// the pool's owner from opening it for writing.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "io_support.hpp"
#include "pschema/errors.hpp"
#include "pschema/pool.hpp"
#include "test_support.hpp"

using pschema::Pool;
using pschema::Transaction;
using test_support::ScratchDir;
using test_support::small_pool;
using test_support::test_schema;
using test_support::with_backend;

namespace {

std::uint64_t root_value(const Pool& pool) {
  return pool.read([](const pschema::ReadView& v) { return *v.at<std::uint64_t>(v.root_offset()); });
}

void set_root_value(Pool& pool, std::uint64_t value) {
  pool.transaction([&](Transaction& tx) { tx.write(*tx.at<std::uint64_t>(tx.root_offset()), value); });
}

pschema::PoolOptions read_only() {
  pschema::PoolOptions options;
  options.read_only = true;
  return options;
}

// Runs `body` in a child that ends with _exit (a crash: no destructor runs);
// its exit status is what `body` returns, 3 if it threw.
template <class Body>
int in_child(Body&& body) {
  return test_support::run_in_child(body, 3);
}

// A child process that opens `path` O_RDONLY, takes every lock a reader
// can take on it (an exclusive flock, fcntl read locks of both kinds over
// the whole file), and holds them until the parent closes `release`.
class LockingReader {
 public:
  explicit LockingReader(const std::string& path) {
    int ready[2], hold[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(hold) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(hold[1]);
      const int fd = ::open(path.c_str(), O_RDONLY);
      struct flock whole{};
      whole.l_type = F_RDLCK;
      whole.l_whence = SEEK_SET;
      whole.l_len = 0;  // to the end of the file, and beyond
      struct flock process_lock = whole;
      const char ok = fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::fcntl(fd, F_OFD_SETLK, &whole) == 0 &&
                              ::fcntl(fd, F_SETLK, &process_lock) == 0
                          ? 'y'
                          : 'n';
      (void)!::write(ready[1], &ok, 1);
      char c;
      (void)!::read(hold[0], &c, 1);  // returns when the parent closes its end
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(hold[0]);
    release_ = hold[1];
    char ok = 'n';
    REQUIRE(::read(ready[0], &ok, 1) == 1);
    ::close(ready[0]);
    locked_ = ok == 'y';
  }
  ~LockingReader() {
    ::close(release_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  bool locked() const { return locked_; }

 private:
  pid_t pid_ = -1;
  int release_ = -1;
  bool locked_ = false;
};

}  // namespace

TEST_CASE("read-only open: the committed state from the pool and its log, neither file written") {
  ScratchDir dir;
  const std::string path = dir.file("ro.pool");
  {
    Pool pool = Pool::create(path, small_pool, test_schema(), with_backend(pschema::Backend::file));
    set_root_value(pool, 7);
  }
  // A file-engine session commits 42 and dies: 42 is in the log only.
  REQUIRE(in_child([&] {
            Pool pool = Pool::open(path, test_schema(), with_backend(pschema::Backend::file));
            set_root_value(pool, 42);
            ::_exit(0);
            return 0;
          }) == 0);
  const std::vector<char> pool_before = io_support::read_file(path), log_before = io_support::read_file(path + ".wal");
  REQUIRE_FALSE(log_before.empty());
  {
    Pool pool = Pool::open(path, test_schema(), read_only());
    CHECK(pool.read_only());
    CHECK(root_value(pool) == 42);
    CHECK(pool.info().replayed == 1);
    CHECK(pool.info().backend == "read-only");
    CHECK_THROWS_AS(set_root_value(pool, 43), pschema::read_only_pool);
    CHECK_THROWS_AS(set_root_value(pool, 43), pschema::usage_error);  // a kind of it
    CHECK(root_value(pool) == 42);
    pool.sync();  // nothing to make durable
  }
  CHECK(io_support::read_file(path) == pool_before);
  CHECK(io_support::read_file(path + ".wal") == log_before);
  Pool writer = Pool::open(path, test_schema());
  CHECK(root_value(writer) == 42);
  CHECK_FALSE(writer.read_only());
}

TEST_CASE("read-only open: an interrupted transaction is rolled back in the private copy only") {
  ScratchDir dir;
  const std::string path = dir.file("undo.pool");
  const auto msync = with_backend(pschema::Backend::msync);
  {
    Pool pool = Pool::create(path, small_pool, test_schema(), msync);
    set_root_value(pool, 7);
  }
  // The undo engine writes in place: the dying transaction's 99 is in the
  // file, its undo entry in the journal.
  REQUIRE(in_child([&] {
            Pool pool = Pool::open(path, test_schema(), msync);
            pool.transaction([&](Transaction& tx) {
              tx.write(*tx.at<std::uint64_t>(tx.root_offset()), std::uint64_t{99});
              ::_exit(0);
            });
            return 1;
          }) == 0);
  const std::vector<char> before = io_support::read_file(path);
  {
    Pool pool = Pool::open(path, test_schema(), read_only());
    CHECK(root_value(pool) == 7);
    CHECK(pool.info().recovered);
  }
  CHECK(io_support::read_file(path) == before);  // still the interrupted state: the next writer rolls it back
  Pool writer = Pool::open(path, test_schema(), msync);
  CHECK(root_value(writer) == 7);
}

TEST_CASE("read-only open: create refuses it, open_or_create only opens, a pool open for writing is refused") {
  ScratchDir dir;
  const std::string path = dir.file("busy.pool");
  CHECK_THROWS_AS(Pool::create(path, small_pool, test_schema(), read_only()), pschema::usage_error);
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_THROWS_AS(Pool::open_or_create(path, small_pool, test_schema(), read_only()), pschema::io_error);
  CHECK_FALSE(std::filesystem::exists(path));
  Pool writer = Pool::create(path, small_pool, test_schema());
  set_root_value(writer, 5);
  // Its pages may be anywhere between the private copy, the log and the
  // file: a read-only open would read a mixture. It refuses instead.
  CHECK_THROWS_AS(Pool::open(path, test_schema(), read_only()), pschema::pool_in_use);
  writer.close();
  Pool reader = Pool::open_or_create(path, small_pool, test_schema(), read_only());
  CHECK(root_value(reader) == 5);
  // A writer may open the pool while it is open read-only, and the reader's
  // copy does not change.
  Pool second = Pool::open(path, test_schema());
  set_root_value(second, 6);
  second.close();
  CHECK(root_value(reader) == 5);
}

TEST_CASE("writers' lock: a reader's locks on the pool file cannot keep the owner from opening it") {
  ScratchDir dir;
  const std::string path = dir.file("owner.pool");
  { Pool pool = Pool::create(path, small_pool, test_schema()); }
  LockingReader reader(path);
  REQUIRE(reader.locked());
  Pool writer = Pool::open(path, test_schema());  // before the lock file: pool_in_use
  set_root_value(writer, 11);
  // Writers still exclude each other, through the lock file.
  CHECK_THROWS_AS(Pool::open(path, test_schema()), pschema::pool_in_use);
  writer.close();
  // The reader's read lock kept the writer from marking the file: nothing
  // else. A read-only open goes on.
  Pool read_only_pool = Pool::open(path, test_schema(), read_only());
  CHECK(root_value(read_only_pool) == 11);
}

TEST_CASE("writers' lock: the lock file has no read permission, and one readable by others is fixed") {
  ScratchDir dir;
  const std::string path = dir.file("mode.pool");
  pschema::PoolOptions options;
  options.create_mode = 0664;
  const mode_t umask_before = ::umask(022);
  { Pool pool = Pool::create(path, small_pool, test_schema(), options); }
  ::umask(umask_before);
  struct stat st{};
  REQUIRE(::stat((path + ".lock").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // the pool is 0644 after the umask: nobody else writes it
  REQUIRE(::chmod(path.c_str(), 0664) == 0);
  REQUIRE(::chmod((path + ".lock").c_str(), 0644) == 0);
  { Pool pool = Pool::open(path, test_schema()); }
  REQUIRE(::stat((path + ".lock").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0620);  // group writers may lock it, nobody else may open it
}

TEST_CASE("read-only open: a user with read permission only opens the pool read-only, and cannot lock the owner out") {
  ScratchDir dir;
  const std::string path = dir.file("shared.pool");
  {
    Pool pool = Pool::create(path, small_pool, test_schema());
    set_root_value(pool, 21);
  }
  if (::geteuid() == 0) {
    // Root passes every permission check: run the reader as nobody.
    REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    int ready[2], hold[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(hold) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(ready[0]);
      ::close(hold[1]);  // else the child's own copy keeps its read below from ever ending
      char result = 'y';
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) result = 's';
      try {
        Pool writable = Pool::open(path, test_schema());
        result = 'w';  // must not open for writing
      } catch (const pschema::io_error&) {}
      try {
        Pool pool = Pool::open(path, test_schema(), read_only());
        if (root_value(pool) != 21) result = 'v';
      } catch (...) {
        result = 'r';
      }
      // Neither can it open the writers' lock file, to lock it.
      if (::open((path + ".lock").c_str(), O_RDONLY) >= 0 || ::open((path + ".lock").c_str(), O_WRONLY) >= 0)
        result = 'l';
      const int fd = ::open(path.c_str(), O_RDONLY);
      struct flock whole{};
      whole.l_type = F_RDLCK;
      whole.l_whence = SEEK_SET;
      if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fcntl(fd, F_OFD_SETLK, &whole) != 0) result = 'f';
      (void)!::write(ready[1], &result, 1);
      char c;
      (void)!::read(hold[0], &c, 1);
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(hold[0]);
    char result = '?';
    REQUIRE(::read(ready[0], &result, 1) == 1);
    CHECK(result == 'y');
    {
      Pool owner = Pool::open(path, test_schema());  // while nobody holds its locks
      set_root_value(owner, 22);
    }
    ::close(hold[1]);
    ::close(ready[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
  } else {
    // The owner without write permission: the same position as another
    // user with read permission.
    REQUIRE(::chmod(path.c_str(), 0400) == 0);
    CHECK_THROWS_AS(Pool::open(path, test_schema()), pschema::io_error);
    Pool pool = Pool::open(path, test_schema(), read_only());
    CHECK(root_value(pool) == 21);
    CHECK_THROWS_AS(set_root_value(pool, 22), pschema::read_only_pool);
  }
}
