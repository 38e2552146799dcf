// The `pschema` command line: parses arguments and dispatches to the
// subcommands. Exit status: 0 success, 1 an error in the input, 2 bad usage.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "parser.hpp"
#include "source_file.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_input_error = 1;
constexpr int exit_usage = 2;

const char* const usage_text =
    "usage: pschema <command> [options]\n"
    "\n"
    "commands:\n"
    "  check FILE...     parse and type-check schema files, write nothing\n"
    "\n"
    "options:\n"
    "  --version         print the version and exit\n"
    "  --help            print this help and exit\n";

int usage_error(const std::string& message) {
  std::cerr << "pschema: " << message << "\n\n" << usage_text;
  return exit_usage;
}

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return false;
  text = buffer.str();
  return true;
}

int run_check(const std::vector<std::string>& paths) {
  if (paths.empty()) return usage_error("check needs at least one schema file");
  pschema::gen::Diagnostics diagnostics;
  std::vector<std::unique_ptr<pschema::gen::SourceFile>> files;
  for (const auto& path : paths) {
    std::string text;
    if (!read_file(path, text)) {
      diagnostics.error_without_location("cannot read '" + path + "'");
      continue;
    }
    files.push_back(std::make_unique<pschema::gen::SourceFile>(path, std::move(text)));
    pschema::gen::parse_schema(*files.back(), diagnostics);
  }
  diagnostics.print(std::cerr);
  return diagnostics.has_errors() ? exit_input_error : exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("no command given");
  const std::string& command = args[0];
  if (command == "--version") {
    std::cout << "pschema " << PSCHEMA_VERSION << "\n";
    return exit_ok;
  }
  if (command == "--help" || command == "-h") {
    std::cout << usage_text;
    return exit_ok;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "check") return run_check(rest);
  return usage_error("unknown command '" + command + "'");
}
