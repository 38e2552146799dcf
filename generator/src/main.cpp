// The `pschema` command line: parses arguments and dispatches to the
// subcommands. Exit status: 0 success, 1 an error in the input, 2 bad usage;
// `diff` has its own (below), since its 1 and 2 grade the changes.
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
#include "schema_diff.hpp"
#include "source_file.hpp"
#ifdef PSCHEMA_HAS_POOL_TOOL
#include "pool/embedded_schema.hpp"
#include "pool/opened_pool.hpp"
#include "pool/pool_commands.hpp"
#endif

namespace {

constexpr int exit_ok = 0;
constexpr int exit_input_error = 1;
constexpr int exit_usage = 2;

// `pschema diff`: 0, 1 and 2 are the most severe change (Verdict), so an
// input error and bad usage get codes of their own.
constexpr int exit_diff_input_error = 3;
constexpr int exit_diff_usage = 4;

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
    "  diff OLD NEW      list the changes from schema OLD to schema NEW and\n"
    "                    what each means for existing pools (compatible,\n"
    "                    needs-migration, refused); exit 0, 1 or 2 for the\n"
    "                    most severe, 3 an error in the input. OLD may be a\n"
    "                    pool file (any name not ending in .pschema): its\n"
    "                    stored schema is compared\n"
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

// A schema and what keeps alive the sources its spans point into.
struct DiffSide {
  pschema::gen::LoadedSchemas loaded;
  pschema::gen::Diagnostics diagnostics;
  std::optional<pschema::gen::Model> own_model;
#ifdef PSCHEMA_HAS_POOL_TOOL
  std::shared_ptr<const pschema::pool::AnalyzedSchema> from_pool;
#endif
  const pschema::gen::Model* model = nullptr;
};

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Loads and checks a schema file (and its imports); prints its diagnostics.
bool load_schema_side(const std::string& path, DiffSide& side) {
  side.loaded = pschema::gen::load_schemas({path}, side.diagnostics);
  side.own_model = pschema::gen::analyze(side.loaded, side.diagnostics);
  side.diagnostics.print(std::cerr);
  if (!side.own_model || side.diagnostics.has_errors()) return false;
  side.model = &*side.own_model;
  return true;
}

// The schema stored in a pool file, analysed as the pool tool does.
bool load_pool_side(const std::string& path, DiffSide& side) {
#ifdef PSCHEMA_HAS_POOL_TOOL
  try {
    pschema::pool::OpenedPool pool = pschema::pool::open_pool(pschema::pool::PoolInput{path, {}, nullptr, {}}, false);
    side.from_pool = pschema::pool::AnalyzedSchema::from_bundle(pool.header.schema_text);
    side.model = &side.from_pool->model();
    return true;
  } catch (const std::exception& e) {
    std::cerr << "pschema: error: " << e.what() << "\n";
    return false;
  }
#else
  std::cerr << "pschema: error: '" << path
            << "' is not a .pschema file, and this pschema was built without the pool tool to read a pool\n";
  (void)side;
  return false;
#endif
}

int run_diff(const std::vector<std::string>& args) {
  if (args.size() != 2 || (!args[0].empty() && args[0][0] == '-') || (!args[1].empty() && args[1][0] == '-')) {
    usage_error("diff takes two arguments: OLD (a .pschema file or a pool) and NEW (a .pschema file)");
    return exit_diff_usage;
  }
  DiffSide old_side, new_side;
  const bool old_ok =
      ends_with(args[0], ".pschema") ? load_schema_side(args[0], old_side) : load_pool_side(args[0], old_side);
  const bool new_ok = load_schema_side(args[1], new_side);
  if (!old_ok || !new_ok) return exit_diff_input_error;
  const std::vector<pschema::gen::SchemaChange> changes = pschema::gen::diff_schemas(*old_side.model, *new_side.model);
  for (const pschema::gen::SchemaChange& change : changes) std::cout << pschema::gen::format_change(change) << "\n";
  return static_cast<int>(pschema::gen::overall_verdict(changes));
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
  if (command == "diff") return run_diff(rest);
  return usage_error("unknown command '" + command + "'");
}
