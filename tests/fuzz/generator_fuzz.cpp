// Robustness test of the generator: the generator never crashes, hangs or
// writes output on arbitrary input. Seeded random mutations of the schemas
// given on the command line (bytes flipped, tokens dropped, lines
// duplicated and shuffled, deep nesting, huge identifiers and literals,
// random and invalid UTF-8, NUL bytes, truncation, concatenation, imports)
// are run
//
//  - in process, through the pschema_compiler library (load_schemas,
//    analyze, emit_header), many of them: cheap, and under ASan/UBSan it
//    catches the same crashes and undefined behaviour. The cases run in a
//    forked child so that a crash or a hang is reported with its case and
//    the run goes on with the next case;
//  - through the real `pschema` executable, fewer of them: `check` and
//    `gen -o DIR`, each with a time limit.
//
// Every run must end with exit status 0 or 1; for 1 with a
// `file:line:col: error:` diagnostic, and `gen` must then write no file.
// The in-process run and the executable must agree on the status, and an
// accepted schema must have a possible layout (no size wrapped past 2^64).
// A run stops early after 20 failures or 3 hangs (each hang costs the
// timeout); failing inputs are saved with copies of the seeds they import.
//
// usage: generator_fuzz --pschema PATH [options] SCHEMA...
//   --runs N         cases run in process (env PSCHEMA_FUZZ_RUNS)
//   --exec-runs N    of those, how many also go through the executable
//                    (env PSCHEMA_FUZZ_EXEC_RUNS)
//   --seed S         (env PSCHEMA_FUZZ_SEED; default: random, printed)
//   --case I         run only case I of the seed (to reproduce a failure);
//                    with --save its input is saved even when it passes
//   --verbose        a line per case: status, time, size, mutations
//   --timeout SEC    per case and per process (env PSCHEMA_FUZZ_TIMEOUT)
//   --failures DIR   where failing inputs are saved (default
//                    ./generator-fuzz-failures)
//   --replay FILE    check one schema file instead of generated cases
//
// It prints `generator-fuzz: seed=S runs=N ok=A rejected=B failures=F` and
// exits 1 when there was a failure.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "analyzer.hpp"
#include "diagnostics.hpp"
#include "emitter.hpp"
#include "loader.hpp"
#include "model.hpp"
#include "mutator.hpp"

namespace fs = std::filesystem;
namespace gen = pschema::gen;
using pschema::fuzz::Case;
using pschema::fuzz::SeedSchema;

namespace {

// ---- Small helpers ----------------------------------------------------------

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

std::optional<std::uint64_t> parse_number(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return static_cast<std::uint64_t>(value);
}

// One line, printable: for the child -> parent protocol and for reports.
std::string one_line(const std::string& text, std::size_t limit = 400) {
  std::string out;
  for (char c : text) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u >= 0x7F) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out;
}

// True when `text` has a line `PATH:LINE:COLUMN: error: ...`.
bool has_located_error(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t marker = line.find(": error: ");
    if (marker == std::string::npos) continue;
    const std::string prefix = line.substr(0, marker);
    const std::size_t c2 = prefix.rfind(':');
    if (c2 == std::string::npos || c2 == 0) continue;
    const std::size_t c1 = prefix.rfind(':', c2 - 1);
    if (c1 == std::string::npos || c1 == 0) continue;
    auto digits = [](const std::string& s) {
      return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (digits(prefix.substr(c1 + 1, c2 - c1 - 1)) && digits(prefix.substr(c2 + 1))) return true;
  }
  return false;
}

// ---- The checks in process --------------------------------------------------

struct Verdict {
  int exit_code = 0;                  // what `pschema check` would return
  std::vector<std::string> problems;  // empty: fine
};

void check_model(const gen::Model& model, std::vector<std::string>& problems) {
  for (const auto& module : model.modules) {
    for (const auto& s : module->structs) {
      const gen::Layout& l = s->layout;
      const bool align_ok = l.align == 1 || l.align == 2 || l.align == 4 || l.align == 8;
      if (!align_ok || l.size == 0 || l.size % l.align != 0) {
        problems.push_back("accepted schema with an impossible layout: struct '" + s->name.substr(0, 80) +
                           "' has size " + std::to_string(l.size) + " and alignment " + std::to_string(l.align) +
                           " (a size that wrapped around 2^64?)");
        continue;
      }
      for (const gen::Field& f : s->fields) {
        if (f.offset + f.layout.size < f.offset || f.offset + f.layout.size > l.size) {
          problems.push_back("accepted schema with an impossible layout: field '" + f.name.substr(0, 80) +
                             "' of struct '" + s->name.substr(0, 80) + "' at offset " + std::to_string(f.offset) +
                             " with size " + std::to_string(f.layout.size) + " does not fit in the struct's " +
                             std::to_string(l.size) + " bytes");
          break;
        }
      }
    }
  }
}

// What `pschema check` and `pschema gen` do, minus the file writing.
Verdict run_in_process(const std::string& path) {
  Verdict verdict;
  try {
    gen::Diagnostics diagnostics;
    gen::LoadedSchemas schemas = gen::load_schemas({path}, diagnostics);
    std::optional<gen::Model> model = gen::analyze(schemas, diagnostics);
    std::ostringstream printed;
    diagnostics.print(printed);
    for (const gen::Diagnostic& d : diagnostics.all()) {
      if (d.span.file != nullptr && (d.span.begin > d.span.end || d.span.end > d.span.file->text().size())) {
        verdict.problems.push_back("diagnostic span [" + std::to_string(d.span.begin) + ", " +
                                   std::to_string(d.span.end) + ") outside its file of " +
                                   std::to_string(d.span.file->text().size()) + " bytes: " + one_line(d.message, 200));
      }
    }
    if (!model || diagnostics.has_errors()) {
      verdict.exit_code = 1;
      if (!diagnostics.has_errors()) {
        verdict.problems.push_back("exit status 1 but no error was reported");
      } else if (!has_located_error(printed.str())) {
        verdict.problems.push_back("exit status 1 without a file:line:col: error: diagnostic; printed: " +
                                   one_line(printed.str(), 300));
      }
      return verdict;
    }
    check_model(*model, verdict.problems);
    for (const auto& module : model->modules) {
      const std::string name = gen::header_name(*module);
      const std::string header = gen::emit_header(*module, "fuzz");
      if (name.empty() || header.empty())
        verdict.problems.push_back("empty header or header name for module '" + module->stem + "'");
    }
  } catch (const std::exception& e) {
    verdict.exit_code = 134;  // std::terminate
    verdict.problems.push_back(std::string("uncaught exception (pschema would abort): ") + typeid(e).name() + ": " +
                               one_line(e.what(), 200));
  } catch (...) {
    verdict.exit_code = 134;
    verdict.problems.push_back("uncaught exception of unknown type (pschema would abort)");
  }
  return verdict;
}

// ---- Running the executable -------------------------------------------------

struct ProcessResult {
  bool started = false;
  bool timed_out = false;
  int signal = 0;  // terminated by this signal
  int exit_code = -1;
  std::string out, err;
  double seconds = 0;
};

std::string with_option(const char* variable, const std::string& option) {
  const char* old = std::getenv(variable);
  return std::string(old != nullptr && *old != '\0' ? std::string(old) + ":" : "") + option;
}

ProcessResult run_process(const std::vector<std::string>& args, const fs::path& cwd, unsigned timeout_seconds) {
  ProcessResult result;
  const fs::path out_path = cwd / ".stdout", err_path = cwd / ".stderr";
  // A sanitizer report must not look like exit status 1.
  const std::string asan = with_option("ASAN_OPTIONS", "exitcode=86");
  const std::string ubsan = with_option("UBSAN_OPTIONS", "exitcode=86:print_stacktrace=1");
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) return result;
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(125);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) _exit(125);
    dup2(out, 1);
    dup2(err, 2);
    setenv("ASAN_OPTIONS", asan.c_str(), 1);
    setenv("UBSAN_OPTIONS", ubsan.c_str(), 1);
    alarm(timeout_seconds);  // survives exec: SIGALRM ends a hung generator
    execv(argv[0], argv.data());
    _exit(127);
  }
  result.started = true;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.timed_out = result.signal == SIGALRM;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  result.out = read_file(out_path).value_or("");
  result.err = read_file(err_path).value_or("");
  return result;
}

std::string clip(const std::string& line, std::size_t limit = 220) {
  return line.size() <= limit ? line : line.substr(0, limit) + "...";
}

// The function of a sanitizer stack frame line:
// "    #3 0x55f3670d0875 in resolve /work/main/generator/src/analyzer.cpp:297".
std::string frame_function(const std::string& line) {
  const std::size_t in = line.find(" in ");
  if (in == std::string::npos) return {};
  const std::size_t last_space = line.rfind(' ');
  if (last_space <= in + 3) return line.substr(in + 4);
  return line.substr(in + 4, last_space - in - 4);
}

// What a crash log says, in one line: the sanitizer's summary without
// addresses; for a stack overflow, the functions of the recursion (the top
// frame is wherever the stack happened to run out).
std::string summary_of(const std::string& log) {
  std::istringstream lines(log);
  std::string line, summary;
  std::map<std::string, int> functions;
  while (std::getline(lines, line)) {
    if (line.rfind("    #", 0) == 0) {
      if (std::string f = frame_function(line); !f.empty()) ++functions[f];
    } else if (summary.empty() &&
               (line.find("SUMMARY:") != std::string::npos || line.find("what():") != std::string::npos)) {
      std::istringstream words(line);
      std::string word;
      while (words >> word) {
        if (word.rfind("0x", 0) == 0 || word.rfind("==", 0) == 0) continue;
        summary += (summary.empty() ? "" : " ") + word;
        if (word == "stack-overflow") break;
      }
    }
  }
  if (summary.find("stack-overflow") != std::string::npos && !functions.empty()) {
    std::vector<std::pair<int, std::string>> ranked;
    for (const auto& [f, n] : functions) ranked.emplace_back(n, f);
    std::sort(ranked.rbegin(), ranked.rend());
    summary += " in a recursion through " + clip(ranked[0].second, 100);
    if (ranked.size() > 1 && ranked[1].first * 2 >= ranked[0].first) summary += " and " + clip(ranked[1].second, 100);
  }
  return summary;
}

// Lines of a sanitizer report or of an abort that say what happened.
std::vector<std::string> crash_excerpt(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream lines(log);
  std::string line;
  int frames = 0;
  while (std::getline(lines, line) && out.size() < 16) {
    const bool frame = line.rfind("    #", 0) == 0;
    if (frame && frames < 8) {
      ++frames;
      out.push_back(clip(line));
    } else if (!frame &&
               (line.find("ERROR:") != std::string::npos || line.find("runtime error") != std::string::npos ||
                line.find("what():") != std::string::npos || line.find("terminate called") != std::string::npos)) {
      out.push_back(clip(line));
    }
  }
  if (std::string s = summary_of(log); !s.empty()) out.push_back(clip(s, 400));
  return out;
}

std::string describe_termination(const ProcessResult& r) {
  if (!r.started) return "could not be started";
  if (r.timed_out) return "timed out (hang?)";
  if (r.signal != 0)
    return std::string("killed by signal ") + std::to_string(r.signal) + " (" + strsignal(r.signal) + ")";
  return "exit status " + std::to_string(r.exit_code);
}

// ---- The run ----------------------------------------------------------------

struct Options {
  std::string pschema;
  std::vector<std::string> seed_paths;
  std::uint64_t seed = 0;
  // About 30 s in the ASan build on two cores when nothing fails (some
  // inputs are megabytes, thousands of declarations or nesting levels).
  std::uint64_t runs = 300;
  std::uint64_t exec_runs = 30;
  std::optional<std::uint64_t> only_case;
  unsigned timeout = 10;
  fs::path failures_dir = "generator-fuzz-failures";
  std::string replay;
  bool verbose = false;
  bool save = false;  // with --case: save the input even when it passes
};

struct Failure {
  std::string where;  // "in process", "pschema check", "pschema gen"
  std::string message;
  std::string signature;  // to group failures of one bug
};

class Fuzzer {
 public:
  Fuzzer(Options options, std::vector<SeedSchema> seeds, fs::path scratch)
      : o_(std::move(options)), seeds_(std::move(seeds)), scratch_(std::move(scratch)) {}

  int run();
  int replay();

 private:
  void prepare_dir(const fs::path& dir) const;
  void write_case(const fs::path& dir, const Case& c) const;
  void run_children(std::uint64_t first, std::uint64_t end);
  void weigh_seeds();
  fs::path save_case(std::uint64_t index, const Case& c) const;
  void exec_checks(const fs::path& dir, const std::string& file, std::optional<int> in_process_code,
                   std::vector<Failure>& failures);
  void report(const std::string& name, std::optional<std::uint64_t> index, const Case* c,
              const std::vector<Failure>& failures, const std::vector<std::string>& excerpt);
  // Each hang costs the full timeout: a few are enough to show the bug.
  std::string case_name(std::uint64_t index) const {
    return "seed " + std::to_string(o_.seed) + " case " + std::to_string(index);
  }
  bool too_many_failures() const { return failure_count_ >= max_failures || hangs_ >= max_hangs; }

  static constexpr std::size_t max_failures = 20;
  static constexpr std::size_t max_hangs = 3;
  static constexpr std::size_t max_detailed_reports = 8;

  Options o_;
  std::vector<SeedSchema> seeds_;
  fs::path scratch_;
  std::uint64_t ok_ = 0, rejected_ = 0, done_ = 0;
  std::size_t failure_count_ = 0;
  std::size_t hangs_ = 0;
  std::map<std::string, std::size_t> signatures_;
  double slowest_ = 0;
  std::uint64_t slowest_case_ = 0;
};

void Fuzzer::prepare_dir(const fs::path& dir) const {
  fs::create_directories(dir);
  // The seeds import each other by file name (everything -> units).
  for (const SeedSchema& s : seeds_) write_file(dir / s.name, s.text);
}

void Fuzzer::write_case(const fs::path& dir, const Case& c) const {
  write_file(dir / pschema::fuzz::main_file_name, c.main_text);
  std::error_code ec;
  if (c.has_import) {
    write_file(dir / pschema::fuzz::import_file_name, c.import_text);
  } else {
    fs::remove(dir / pschema::fuzz::import_file_name, ec);
  }
}

void Fuzzer::exec_checks(const fs::path& dir, const std::string& file, std::optional<int> in_process_code,
                         std::vector<Failure>& failures) {
  bool counted_hang = false;
  auto fail = [&](const std::string& where, const std::string& message, const ProcessResult& r) {
    std::string signature = where + ": " + message;
    if (std::string s = summary_of(r.err); !s.empty()) signature = where + ": " + s;
    failures.push_back({where, message + (r.err.empty() ? "" : "; stderr: " + one_line(r.err, 300)), signature});
  };
  auto sane = [&](const std::string& where, const ProcessResult& r) {
    if (r.timed_out || r.signal != 0 || !r.started || (r.exit_code != 0 && r.exit_code != 1)) {
      if (r.timed_out && !counted_hang) {
        ++hangs_;  // once per input
        counted_hang = true;
      }
      fail(where, describe_termination(r), r);
      return false;
    }
    if (r.err.find("Sanitizer") != std::string::npos || r.err.find("runtime error:") != std::string::npos) {
      fail(where, "sanitizer report", r);
      return false;
    }
    if (r.exit_code == 1 && !has_located_error(r.err)) {
      fail(where, "exit status 1 without a file:line:col: error: diagnostic", r);
      return false;
    }
    if (r.exit_code == 0 && r.err.find(": error: ") != std::string::npos) {
      fail(where, "exit status 0 but an error was printed", r);
      return false;
    }
    return true;
  };

  const ProcessResult check = run_process({o_.pschema, "check", file}, dir, o_.timeout);
  const bool check_sane = sane("pschema check", check);
  if (check_sane && in_process_code && check.exit_code != *in_process_code) {
    fail("pschema check",
         "exit status " + std::to_string(check.exit_code) + " but " + std::to_string(*in_process_code) + " in process",
         check);
  }
  if (check_sane && !check.out.empty()) fail("pschema check", "wrote to stdout: " + one_line(check.out, 100), check);

  const fs::path out_dir = dir / "out";
  std::error_code ec;
  fs::remove_all(out_dir, ec);
  const ProcessResult generated = run_process({o_.pschema, "gen", file, "-o", "out"}, dir, o_.timeout);
  const bool gen_sane = sane("pschema gen", generated);
  std::vector<std::string> written;
  if (fs::exists(out_dir, ec)) {
    for (const auto& entry : fs::directory_iterator(out_dir, ec)) written.push_back(entry.path().filename().string());
  }
  if (generated.exit_code != 0 && !written.empty()) {
    fail("pschema gen",
         describe_termination(generated) + " but it wrote " + written.front() +
             (written.size() > 1 ? " and " + std::to_string(written.size() - 1) + " more" : ""),
         generated);
  }
  if (gen_sane && check_sane && generated.exit_code != check.exit_code) {
    fail("pschema gen",
         "exit status " + std::to_string(generated.exit_code) + " but check gave " + std::to_string(check.exit_code),
         generated);
  }
  const std::string expected_header = fs::path(file).stem().string() + ".pschema.h";  // <stem>.pschema.h
  if (gen_sane && generated.exit_code == 0 &&
      std::find(written.begin(), written.end(), expected_header) == written.end()) {
    fail("pschema gen", "exit status 0 but " + expected_header + " was not written", generated);
  }
}

// A directory with the case's files and copies of the seeds (which it may
// import): `--replay DIR/fuzz_input.pschema` runs it again.
fs::path Fuzzer::save_case(std::uint64_t index, const Case& c) const {
  const fs::path dir = o_.failures_dir / ("seed-" + std::to_string(o_.seed) + "-case-" + std::to_string(index));
  std::error_code ec;
  fs::create_directories(dir, ec);
  prepare_dir(dir);
  write_case(dir, c);
  return dir;
}

void Fuzzer::report(const std::string& name, std::optional<std::uint64_t> index, const Case* c,
                    const std::vector<Failure>& failures, const std::vector<std::string>& excerpt) {
  if (failures.empty()) return;
  failure_count_ += failures.size();
  for (const Failure& f : failures) ++signatures_[f.signature];
  std::ostringstream msg;
  for (const Failure& f : failures)
    msg << "generator-fuzz: FAILURE (" << name << ", " << f.where << "): " << f.message << "\n";
  if (c != nullptr) {
    msg << "  started from " << c->seed_name << "; mutations:";
    for (const std::string& m : c->mutations) msg << " [" << m << "]";
    msg << "\n";
  }
  for (const std::string& line : excerpt) msg << "  | " << line << "\n";
  if (index && c != nullptr) {
    const fs::path dir = save_case(*index, *c);
    std::ofstream why(dir / "failure.txt");
    why << msg.str();
    msg << "  input saved in " << fs::absolute(dir).string() << "/" << pschema::fuzz::main_file_name << "\n"
        << "  reproduce: PSCHEMA_FUZZ_SEED=" << o_.seed << " generator_fuzz --case " << *index
        << " ... (or --replay that file)\n";
  }
  if (signatures_.size() <= max_detailed_reports || failure_count_ <= max_detailed_reports) {
    std::cout << msg.str() << std::flush;
  } else {
    std::cout << "generator-fuzz: FAILURE (" << name << "): " << one_line(failures.front().message, 160) << "\n"
              << std::flush;
  }
}

// Runs cases [first, end) in forked children: a child runs cases until it
// finishes or dies; the parent reads its progress from a pipe, and after a
// crash or a hang starts a new child after the failing case.
void Fuzzer::run_children(std::uint64_t first, std::uint64_t end) {
  const fs::path dir = scratch_ / "in-process";
  prepare_dir(dir);
  const fs::path exec_dir = scratch_ / "executable";
  prepare_dir(exec_dir);
  const fs::path log_path = scratch_ / "child.log";

  std::uint64_t next = first;
  while (next < end && !too_many_failures()) {
    int fds[2];
    if (pipe(fds) != 0) {
      std::cerr << "generator-fuzz: pipe: " << std::strerror(errno) << "\n";
      std::exit(2);
    }
    std::cout << std::flush;
    const pid_t pid = fork();
    if (pid < 0) {
      std::cerr << "generator-fuzz: fork: " << std::strerror(errno) << "\n";
      std::exit(2);
    }
    if (pid == 0) {
      close(fds[0]);
      const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) dup2(log, 2);
      if (chdir(dir.c_str()) != 0) _exit(125);
      auto send = [&](const std::string& line) {
        std::string text = line + "\n";
        for (std::size_t done = 0; done < text.size();) {
          ssize_t n = write(fds[1], text.data() + done, text.size() - done);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) _exit(126);
          done += static_cast<std::size_t>(n);
        }
      };
      for (std::uint64_t i = next; i < end; ++i) {
        const Case c = pschema::fuzz::make_case(o_.seed, i, seeds_);
        write_case(dir, c);
        send("B " + std::to_string(i));
        const auto start = std::chrono::steady_clock::now();
        const Verdict v = run_in_process(pschema::fuzz::main_file_name);
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
        for (const std::string& p : v.problems) send("F " + std::to_string(i) + " " + one_line(p, 2000));
        send("R " + std::to_string(i) + " " + std::to_string(v.exit_code) + " " + std::to_string(micros));
      }
      send("D");
      _exit(0);  // no leak check, no static destructors in the child
    }
    close(fds[1]);

    std::string buffer;
    // The case the child is running (a plain pair, not std::optional: GCC's
    // -O2 -Wmaybe-uninitialized misfires on the optional here).
    std::uint64_t current = 0;
    bool running = false;
    std::map<std::uint64_t, std::vector<std::string>> problems;
    bool finished = false, hung = false;
    for (;;) {
      pollfd p{fds[0], POLLIN, 0};
      const int ready = poll(&p, 1, static_cast<int>(o_.timeout) * 1000);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {
        hung = true;
        break;
      }
      char chunk[4096];
      const ssize_t n = read(fds[0], chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the child is gone
      buffer.append(chunk, static_cast<std::size_t>(n));
      std::size_t nl;
      while ((nl = buffer.find('\n')) != std::string::npos) {
        const std::string line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        std::istringstream in(line);
        std::string kind;
        std::uint64_t index = 0;
        in >> kind;
        if (kind == "D") {
          finished = true;
          continue;
        }
        in >> index;
        if (kind == "B") {
          current = index;
          running = true;
        } else if (kind == "F") {
          std::string message;
          std::getline(in >> std::ws, message);
          problems[index].push_back(message);
        } else if (kind == "R") {
          int code = 0;
          long long micros = 0;
          in >> code >> micros;
          running = false;
          ++done_;
          if (code == 0) ++ok_;
          if (code == 1) ++rejected_;
          if (static_cast<double>(micros) / 1e6 > slowest_) {
            slowest_ = static_cast<double>(micros) / 1e6;
            slowest_case_ = index;
          }
          if (o_.verbose) {
            const Case shown = pschema::fuzz::make_case(o_.seed, index, seeds_);
            std::cout << "case " << index << ": exit " << code << ", " << static_cast<double>(micros) / 1e6 << " s, "
                      << shown.main_text.size() << " bytes, from " << shown.seed_name << ":";
            for (const std::string& m : shown.mutations) std::cout << " [" << m << "]";
            std::cout << "\n";
          }
          std::vector<Failure> failures;
          for (const std::string& message : problems[index]) {
            failures.push_back(
                {"in process", message, "in process: " + message.substr(0, message.find('\'')).substr(0, 80)});
          }
          problems.erase(index);
          const bool executable = index - first < o_.exec_runs;
          std::optional<Case> c;
          if (executable || !failures.empty()) c = pschema::fuzz::make_case(o_.seed, index, seeds_);
          if (executable) {
            write_case(exec_dir, *c);
            exec_checks(exec_dir, pschema::fuzz::main_file_name, code, failures);
          }
          report(case_name(index), index, c ? &*c : nullptr, failures, {});
          next = index + 1;
          if (too_many_failures()) break;
        }
      }
      if (too_many_failures()) break;
    }
    close(fds[0]);
    if (hung || too_many_failures()) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (finished || too_many_failures()) break;

    // The child crashed or hung on case `current` (or died between cases).
    const std::uint64_t index = running ? current : next;
    const std::string log = read_file(log_path).value_or("");
    std::string what;
    if (hung) {
      what = "no result within " + std::to_string(o_.timeout) + " s (hang?)";
    } else if (WIFSIGNALED(status)) {
      what =
          std::string("crashed: signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    } else {
      what = "crashed: exit status " + std::to_string(WEXITSTATUS(status));
    }
    std::string signature = summary_of(log);
    if (!hung && !signature.empty()) what = "crashed: " + signature;
    signature = "in process: " + (signature.empty() ? what : signature);
    if (hung) ++hangs_;
    std::vector<Failure> failures{{"in process", what, signature}};
    const Case c = pschema::fuzz::make_case(o_.seed, index, seeds_);
    // The executable would very likely hang too: not worth two more timeouts.
    if (index - first < o_.exec_runs && !hung) {
      write_case(exec_dir, c);
      exec_checks(exec_dir, pschema::fuzz::main_file_name, std::nullopt, failures);
    }
    ++done_;
    report(case_name(index), index, &c, failures, crash_excerpt(log));
    next = index + 1;
  }
}

// The seeds the generator accepts start three times as many cases as the
// others (most of the diagnostics schemas are errors by design): more cases
// get past the parser into the checks and the emitter. Also checks the
// seeds themselves through the executable.
void Fuzzer::weigh_seeds() {
  const fs::path dir = scratch_ / "seeds";
  prepare_dir(dir);
  std::size_t valid = 0;
  for (SeedSchema& seed : seeds_) {
    const ProcessResult r = run_process({o_.pschema, "check", seed.name}, dir, o_.timeout);
    if (r.started && !r.timed_out && r.signal == 0 && r.exit_code == 0) {
      seed.weight = 3;
      seed.valid = true;
      ++valid;
    } else if (!r.started || r.timed_out || r.signal != 0 || r.exit_code != 1 || !has_located_error(r.err)) {
      report("seed schema " + seed.name, std::nullopt, nullptr,
             {{"pschema check", describe_termination(r) + "; stderr: " + one_line(r.err, 300), "seed: " + seed.name}},
             {});
    }
  }
  std::cout << "generator-fuzz: " << seeds_.size() << " seed schemas, " << valid << " of them valid\n" << std::flush;
}

int Fuzzer::run() {
  const std::uint64_t first = o_.only_case.value_or(0);
  const std::uint64_t end = o_.only_case ? first + 1 : o_.runs;
  if (o_.only_case) o_.exec_runs = 1;
  std::cout << "generator-fuzz: seed=" << o_.seed << " runs=" << (end - first)
            << " exec-runs=" << std::min(o_.exec_runs, end - first) << " timeout=" << o_.timeout
            << "s (PSCHEMA_FUZZ_SEED=" << o_.seed << " repeats this run)\n"
            << std::flush;
  if (o_.only_case && o_.save) {
    const fs::path dir = save_case(*o_.only_case, pschema::fuzz::make_case(o_.seed, *o_.only_case, seeds_));
    std::cout << "generator-fuzz: case saved in " << dir.string() << "\n";
  }
  const auto start = std::chrono::steady_clock::now();
  weigh_seeds();
  run_children(first, end);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (too_many_failures()) {
    std::cout << "generator-fuzz: stopped early after " << failure_count_ << " failures (" << hangs_ << " hangs)\n";
  }
  if (!signatures_.empty()) {
    std::cout << "generator-fuzz: failures by kind:\n";
    for (const auto& [signature, count] : signatures_)
      std::cout << "  " << count << " x " << one_line(signature, 200) << "\n";
  }
  char timing[128];
  std::snprintf(timing, sizeof timing, " (%.1f s; slowest case %llu: %.2f s)", seconds,
                static_cast<unsigned long long>(slowest_case_), slowest_);
  std::cout << "generator-fuzz: seed=" << o_.seed << " runs=" << done_ << " ok=" << ok_ << " rejected=" << rejected_
            << " failures=" << failure_count_ << timing << "\n";
  return failure_count_ == 0 ? 0 : 1;
}

int Fuzzer::replay() {
  const fs::path file = fs::absolute(o_.replay);
  // In a forked child, like the cases: a crash is a result, not the end.
  const fs::path log_path = scratch_ / "child.log";
  int fds[2];
  if (pipe(fds) != 0) return 2;
  std::cout << std::flush;
  const pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    close(fds[0]);
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) dup2(log, 2);
    alarm(o_.timeout);
    if (chdir(file.parent_path().c_str()) != 0) _exit(125);
    const Verdict v = run_in_process(file.filename().string());
    std::string text = std::to_string(v.exit_code) + "\n";
    for (const std::string& p : v.problems) text += one_line(p, 2000) + "\n";
    if (write(fds[1], text.data(), text.size()) < 0) _exit(126);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fds[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(chunk, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  std::vector<Failure> failures;
  std::optional<int> code;
  std::vector<std::string> excerpt;
  if (text.empty()) {
    std::string what = WIFSIGNALED(status)
                           ? (WTERMSIG(status) == SIGALRM ? std::string("timed out (hang?)")
                                                          : "crashed: signal " + std::to_string(WTERMSIG(status)))
                           : "crashed: exit status " + std::to_string(WEXITSTATUS(status));
    const std::string log = read_file(log_path).value_or("");
    failures.push_back({"in process", what, what});
    excerpt = crash_excerpt(log);
  } else {
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    code = std::atoi(line.c_str());
    while (std::getline(in, line)) failures.push_back({"in process", line, line});
  }
  // The executable, in a scratch copy of the file's directory so that
  // `gen -o out` writes nowhere else.
  const fs::path dir = scratch_ / "replay";
  fs::create_directories(dir);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(file.parent_path(), ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".pschema") {
      fs::copy_file(entry.path(), dir / entry.path().filename(), fs::copy_options::overwrite_existing, ec);
    }
  }
  exec_checks(dir, file.filename().string(), code, failures);
  report("replay of " + o_.replay, std::nullopt, nullptr, failures, excerpt);
  std::cout << "generator-fuzz: replay " << o_.replay << ": "
            << (code ? "exit status " + std::to_string(*code) + " in process" : std::string("no result in process"))
            << ", failures=" << failure_count_ << "\n";
  return failure_count_ == 0 ? 0 : 1;
}

int usage(const std::string& message) {
  std::cerr << "generator_fuzz: " << message
            << "\nusage: generator_fuzz --pschema PATH [--runs N] [--exec-runs N] [--seed S] [--case I [--save]]\n"
               "                      [--timeout SEC] [--failures DIR] [--verbose] (SCHEMA... | --replay FILE)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (auto v = parse_number(std::getenv("PSCHEMA_FUZZ_RUNS"))) o.runs = *v;
  if (auto v = parse_number(std::getenv("PSCHEMA_FUZZ_EXEC_RUNS"))) o.exec_runs = *v;
  if (auto v = parse_number(std::getenv("PSCHEMA_FUZZ_TIMEOUT"))) o.timeout = static_cast<unsigned>(*v);
  std::optional<std::uint64_t> seed = parse_number(std::getenv("PSCHEMA_FUZZ_SEED"));
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    auto number = [&](std::uint64_t& target) {
      const std::optional<std::uint64_t> v = parse_number(value());
      if (v) target = *v;
      return v.has_value();
    };
    if (arg == "--pschema") {
      const char* v = value();
      if (v == nullptr) return usage("--pschema needs a path");
      o.pschema = v;
    } else if (arg == "--runs") {
      if (!number(o.runs)) return usage("--runs needs a number");
    } else if (arg == "--exec-runs") {
      if (!number(o.exec_runs)) return usage("--exec-runs needs a number");
    } else if (arg == "--seed") {
      std::uint64_t s = 0;
      if (!number(s)) return usage("--seed needs a number");
      seed = s;
    } else if (arg == "--case") {
      std::uint64_t c = 0;
      if (!number(c)) return usage("--case needs a number");
      o.only_case = c;
    } else if (arg == "--timeout") {
      std::uint64_t t = 0;
      if (!number(t) || t == 0) return usage("--timeout needs a number of seconds");
      o.timeout = static_cast<unsigned>(t);
    } else if (arg == "--failures") {
      const char* v = value();
      if (v == nullptr) return usage("--failures needs a directory");
      o.failures_dir = v;
    } else if (arg == "--save") {
      o.save = true;
    } else if (arg == "--verbose") {
      o.verbose = true;
    } else if (arg == "--replay") {
      const char* v = value();
      if (v == nullptr) return usage("--replay needs a file");
      o.replay = v;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option '" + arg + "'");
    } else {
      o.seed_paths.push_back(arg);
    }
  }
  if (o.pschema.empty()) return usage("--pschema PATH is required");
  if (o.seed_paths.empty() && o.replay.empty()) return usage("no seed schemas given");
  if (o.timeout == 0) o.timeout = 10;
  o.pschema = fs::absolute(o.pschema).string();
  if (access(o.pschema.c_str(), X_OK) != 0) return usage("cannot execute '" + o.pschema + "'");
  if (!seed) seed = (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  o.seed = *seed;
  if (o.exec_runs > o.runs) o.exec_runs = o.runs;

  std::vector<SeedSchema> seeds;
  for (const std::string& path : o.seed_paths) {
    std::optional<std::string> text = read_file(path);
    if (!text) return usage("cannot read seed schema '" + path + "'");
    std::string name = fs::path(path).filename().string();
    if (std::any_of(seeds.begin(), seeds.end(), [&](const SeedSchema& s) { return s.name == name; })) continue;
    seeds.push_back({name, std::move(*text)});
  }

  // Scratch space for the inputs and the executable's output.
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = (fs::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") / "pschema-fuzz-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "generator_fuzz: mkdtemp: " << std::strerror(errno) << "\n";
    return 2;
  }
  const fs::path scratch = pattern;
  o.failures_dir = fs::absolute(o.failures_dir);
  const bool replaying = !o.replay.empty();
  int result = 0;
  {
    Fuzzer fuzzer(std::move(o), std::move(seeds), scratch);
    result = replaying ? fuzzer.replay() : fuzzer.run();
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return result;
}
