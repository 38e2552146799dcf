// Helpers shared by the process-crash tests: child processes, pipes,
// seeds and counts taken from the environment.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

namespace crash_support {

// A number from the environment (decimal, or hex with 0x), else `fallback`.
inline std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0') return fallback;
  return value;
}

// The seed of a randomised test: PSCHEMA_CRASH_SEED if set, else random.
inline std::uint64_t seed_from_env() {
  std::random_device random;
  const std::uint64_t fresh = (static_cast<std::uint64_t>(random()) << 32) ^ random();
  return env_number("PSCHEMA_CRASH_SEED", fresh);
}

inline std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

[[noreturn]] inline void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Writes all of `data`, retrying after signals. For the child: returns
// false instead of throwing.
inline bool write_all(int fd, const void* data, std::size_t size) noexcept {
  const auto* at = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, at, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Reads what the other end wrote until it closes its end.
inline std::string read_to_end(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read");
    if (n == 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

// A pipe whose ends are closed by the destructor unless closed before.
class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw_errno("pipe2");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_end(0); }
  void close_write() { close_end(1); }

 private:
  void close_end(int i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }
  int fds_[2] = {-1, -1};
};

// Called first thing in a forked child: it must die with the test process
// (a ctest timeout, a parent crash), never outlive it.
inline void child_dies_with_parent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(99);
}

// Ends a child with a message on its error pipe (and stderr).
[[noreturn]] inline void child_fail(int error_fd, std::string_view message, int code = 3) {
  write_all(error_fd, message.data(), message.size());
  std::string line = "crash test child: " + std::string(message) + "\n";
  write_all(STDERR_FILENO, line.data(), line.size());
  ::_exit(code);
}

// Waits for a child, retrying after signals; returns its wait status.
inline int wait_for(pid_t pid) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, 0);
    if (r == pid) return status;
    if (r < 0 && errno == EINTR) continue;
    throw_errno("waitpid");
  }
}

inline std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  return "wait status " + std::to_string(status);
}

// When the kill's delay starts.
enum class KillClock {
  at_fork,          // anywhere: while the pool opens and recovers, or later
  at_first_report,  // once the child reported its first commit: under a
                    // loaded machine, opening alone can outlast any fixed
                    // delay, and the kills would never meet a transaction
};

// Forks a child that runs `body(report_fd)` (it must not return: end it
// with _exit), lets it work for `delay` (counted as `clock` says), kills it
// with SIGKILL and returns everything it wrote to `report_fd`. Throws if
// the child died otherwise.
template <class Body>
std::string run_and_kill(Body&& body, std::chrono::microseconds delay, KillClock clock = KillClock::at_fork) {
  Pipe pipe;
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) throw_errno("fork");
  if (child == 0) {
    child_dies_with_parent(parent);
    pipe.close_read();
    body(pipe.write_end());
    ::_exit(5);  // the body must not return
  }
  pipe.close_write();
  std::string first;
  if (clock == KillClock::at_first_report) {
    // Blocks until the child reports (or ends: then read returns 0 and the
    // status below says how).
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(pipe.read_end(), buffer, sizeof buffer)) < 0 && errno == EINTR) {}
    if (n > 0) first.assign(buffer, static_cast<std::size_t>(n));
  }
  std::this_thread::sleep_for(delay);
  ::kill(child, SIGKILL);
  const int status = wait_for(child);
  if (!WIFSIGNALED(status)) throw std::runtime_error("the child " + describe_status(status));
  return first + read_to_end(pipe.read_end());
}

// The last fixed-size record in what a child reported, if any.
template <class Record>
bool last_record(const std::string& reported, Record& out) {
  if (reported.size() < sizeof(Record)) return false;
  std::memcpy(&out, reported.data() + (reported.size() / sizeof(Record) - 1) * sizeof(Record), sizeof(Record));
  return true;
}

}  // namespace crash_support
