// The `pschema` command line: parses arguments and dispatches to the
// subcommands. Exit status: 0 success, 1 an error in the input, 2 bad usage.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer.hpp"
#include "diagnostics.hpp"
#include "emitter.hpp"
#include "loader.hpp"
#include "source_file.hpp"
#ifdef PSCHEMA_HAS_POOL_TOOL
#include "pool/pool_commands.hpp"
#endif

namespace {

constexpr int exit_ok = 0;
constexpr int exit_input_error = 1;
constexpr int exit_usage = 2;

// `pschema pool ...` is the pool tool (tools/pool/), linked in unless the
// build turned it off (PSCHEMA_BUILD_POOL_TOOL=OFF).
#ifdef PSCHEMA_HAS_POOL_TOOL
const char* pool_usage() { return pschema::pool::pool_usage_text; }
int run_pool(const std::vector<std::string>& args) {
  return pschema::pool::run_pool_command(args, std::cout, std::cerr);
}
#else
const char* pool_usage() { return ""; }
int run_pool(const std::vector<std::string>&) {
  std::cerr << "pschema: this pschema was built without the pool tool (PSCHEMA_BUILD_POOL_TOOL=OFF)\n";
  return exit_usage;
}
#endif

const char* const usage_text =
    "usage: pschema <command> [options]\n"
    "\n"
    "commands:\n"
    "  check FILE...     parse and type-check schema files, write nothing\n"
    "  gen FILE... -o DIR [--depfile PATH]\n"
    "                    write DIR/<name>.pschema.h for each schema and the\n"
    "                    schemas it imports; files whose content would not\n"
    "                    change are left untouched. --depfile writes the\n"
    "                    schema files read, for build systems\n"
    "  pool COMMAND ...  inspect, check or create pool files (below)\n"
    "\n"
    "options:\n"
    "  --version         print the version and exit\n"
    "  --help            print this help and exit\n";

int usage_error(const std::string& message) {
  std::cerr << "pschema: " << message << "\n\n" << usage_text << "\n" << pool_usage();
  return exit_usage;
}

int run_check(const std::vector<std::string>& paths) {
  if (paths.empty()) return usage_error("check needs at least one schema file");
  pschema::gen::Diagnostics diagnostics;
  pschema::gen::LoadedSchemas schemas = pschema::gen::load_schemas(paths, diagnostics);
  pschema::gen::analyze(schemas, diagnostics);
  diagnostics.print(std::cerr);
  return diagnostics.has_errors() ? exit_input_error : exit_ok;
}

// Writes `content` to `path` unless the file already holds exactly that
// (keeps builds incremental). Writes a temporary file and renames it, so a
// reader never sees half a header.
bool write_if_changed(const std::filesystem::path& path, const std::string& content, std::string& error) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream existing;
      existing << in.rdbuf();
      if (existing.str() == content) return true;
    }
  }
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      error = "cannot write '" + temporary.string() + "'";
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    error = "cannot write '" + path.string() + "': " + ec.message();
    return false;
  }
  return true;
}

std::string escape_make(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

int run_gen(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  std::string out_dir, depfile;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" || args[i] == "--depfile") {
      if (i + 1 == args.size()) return usage_error(args[i] + " needs a value");
      std::string& target = args[i] == "-o" ? out_dir : depfile;
      target = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      return usage_error("unknown option '" + args[i] + "'");
    } else {
      paths.push_back(args[i]);
    }
  }
  if (paths.empty()) return usage_error("gen needs at least one schema file");
  if (out_dir.empty()) return usage_error("gen needs an output directory: -o DIR");

  pschema::gen::Diagnostics diagnostics;
  pschema::gen::LoadedSchemas schemas = pschema::gen::load_schemas(paths, diagnostics);
  std::optional<pschema::gen::Model> model = pschema::gen::analyze(schemas, diagnostics);
  diagnostics.print(std::cerr);
  if (!model || diagnostics.has_errors()) return exit_input_error;

  // Everything is generated in memory first: nothing is written unless
  // every header could be made.
  std::vector<std::pair<std::filesystem::path, std::string>> outputs;
  for (const auto& module : model->modules) {
    outputs.emplace_back(std::filesystem::path(out_dir) / pschema::gen::header_name(*module),
                         pschema::gen::emit_header(*module, PSCHEMA_VERSION));
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    std::cerr << "pschema: error: cannot create '" << out_dir << "': " << ec.message() << "\n";
    return exit_input_error;
  }
  for (const auto& [path, content] : outputs) {
    std::string error;
    if (!write_if_changed(path, content, error)) {
      std::cerr << "pschema: error: " << error << "\n";
      return exit_input_error;
    }
  }
  if (!depfile.empty()) {
    // The target is the header of the first schema named on the command
    // line (the build system's declared output), not of an import.
    std::size_t first = 0;
    for (std::size_t i = 0; i < schemas.files.size(); ++i) {
      if (schemas.files[i].source->path() == paths.front()) first = i;
    }
    std::string text = escape_make(outputs[first].first.string()) + ":";
    for (const auto& file : schemas.files) {
      text += " " + escape_make(std::filesystem::absolute(file.source->path()).lexically_normal().string());
    }
    text += "\n";
    std::string error;
    if (!write_if_changed(depfile, text, error)) {
      std::cerr << "pschema: error: " << error << "\n";
      return exit_input_error;
    }
  }
  return exit_ok;
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
    std::cout << usage_text << "\n" << pool_usage();
    return exit_ok;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "check") return run_check(rest);
  if (command == "gen") return run_gen(rest);
  if (command == "pool") return run_pool(rest);
  return usage_error("unknown command '" + command + "'");
}
