// fork() with an open pool (runtime/src/fork_guard.hpp): the child may not
// use the parent's pool (every use throws usage_error, closing it is
// quiet), its stores into the mapping stay in the child, and a child
// forked inside a transaction neither rolls it back nor commits it.
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "child_process.hpp"
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

void set_root_value(Transaction& tx, std::uint64_t value) { tx.write(*tx.at<std::uint64_t>(tx.root_offset()), value); }

// Runs `body` in a forked process; its return value is the exit status, 98 if it threw.
template <class Body>
int in_child(Body&& body) {
  return test_support::run_in_child(body, 98);
}

template <class Body>
bool throws_usage_error(Body&& body) {
  try {
    body();
  } catch (const pschema::usage_error& e) {
    return std::strstr(e.what(), "forked") != nullptr;
  }
  return false;
}

}  // namespace

TEST_CASE("fork: a child cannot use the parent's pool, and its stores stay in the child") {
  for (auto backend : {pschema::Backend::file, pschema::Backend::msync, pschema::Backend::pmem}) {
    CAPTURE(static_cast<int>(backend));
    ScratchDir dir;
    const std::string path = dir.file("f.pool");
    Pool pool = Pool::create(path, small_pool, test_schema(), with_backend(backend));
    pool.transaction([](Transaction& tx) { set_root_value(tx, 7); });

    const int status = in_child([&] {
      int failures = 0;
      if (!throws_usage_error([&] { pool.transaction([](Transaction& tx) { set_root_value(tx, 8); }); })) ++failures;
      if (!throws_usage_error([&] { (void)root_value(pool); })) ++failures;
      if (!throws_usage_error([&] { pool.sync(); })) ++failures;
      // Stores past the runtime, straight into the mapping, reach only the
      // child's copy.
      std::memset(pschema::unsafe::base(pool) + pool.root_offset(), 0xAB, 8);
      pool.close();  // quiet: lets go of the child's copy only
      return failures;
    });
    CHECK(status == 0);
    CHECK(root_value(pool) == 7);
    pool.transaction([](Transaction& tx) { set_root_value(tx, 9); });
    pool.close();
    Pool again = Pool::open(path, test_schema(), with_backend(backend));
    CHECK(root_value(again) == 9);
    CHECK_FALSE(again.info().recovered);
  }
}

TEST_CASE("fork: a child forked inside a transaction neither rolls it back nor commits it") {
  struct LeaveBody {};
  for (auto backend : {pschema::Backend::file, pschema::Backend::msync, pschema::Backend::pmem}) {
    for (bool child_throws : {true, false}) {
      CAPTURE(static_cast<int>(backend));
      CAPTURE(child_throws);
      ScratchDir dir;
      const std::string path = dir.file("t.pool");
      Pool pool = Pool::create(path, small_pool, test_schema(), with_backend(backend));
      pool.transaction([](Transaction& tx) { set_root_value(tx, 1); });

      // The child leaves the parent's transaction body by an exception (its
      // copy of the scope must not roll the transaction back) or by
      // returning (its commit must be refused). The parent commits only
      // once the child is done, so that either would show.
      pid_t child = -1;
      int status = -1;
      try {
        pool.transaction([&](Transaction& tx) {
          set_root_value(tx, 42);
          child = ::fork();
          if (child == 0) {
            if (child_throws) throw LeaveBody{};
            return;
          }
          ::waitpid(child, &status, 0);
        });
      } catch (const LeaveBody&) {
        if (child == 0) ::_exit(0);
      } catch (const pschema::usage_error& e) {
        if (child == 0) ::_exit(std::strstr(e.what(), "forked") != nullptr ? 0 : 2);
      } catch (...) {
        if (child == 0) ::_exit(3);
      }
      if (child == 0) ::_exit(4);  // the child's commit went through
      REQUIRE(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
      CHECK(root_value(pool) == 42);
      pool.close();
      Pool again = Pool::open(path, test_schema(), with_backend(backend));
      CHECK(root_value(again) == 42);
      CHECK_FALSE(again.info().recovered);
    }
  }
}
