// Running a piece of a test in a forked child process, for tests of what a
// crash leaves behind (the child ends with _exit: what it wrote to files
// stays, its memory goes, no destructor closes a pool) and of what a child
// may do with its parent's pools.
#pragma once

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <type_traits>

namespace test_support {

// Runs `body` in a child and returns the child's exit status: what `body`
// returns (an int), else 0; `threw` if it threw; -1 if the child did not
// exit (a signal).
template <class Body>
int run_in_child(Body&& body, int threw = 3) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<Body&>>) {
        body();
      } else {
        code = body();
      }
    } catch (...) {
      code = threw;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace test_support
