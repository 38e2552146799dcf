#include "pool/pool_commands.hpp"

#include <ostream>

#include "pool/check.hpp"
#include "pool/dump.hpp"
#include "pool/info.hpp"
#include "pool/runtime_bridge.hpp"

namespace pschema::pool {

const char* const pool_usage_text =
    "pool commands (read any pool with no application code; see docs/tools.md):\n"
    "  pool info FILE [--json]\n"
    "                    format, UUID, schema, size, used and free bytes, objects\n"
    "                    per type, clean or needing recovery, open elsewhere or not,\n"
    "                    the log of committed transactions not yet in the file\n"
    "  pool schema FILE  print the schema stored in the pool\n"
    "  pool dump FILE [--json] [--max-depth N]\n"
    "                    every object reachable from the root, with its fields\n"
    "  pool check FILE [--recover]\n"
    "                    verify header, journal, log, heap, every pointer,\n"
    "                    container and reference count, and find leaked blocks;\n"
    "                    exit 1 when problems are found. --recover opens the pool\n"
    "                    first (the runtime replays its log and recovers)\n"
    "info, dump and check show a pool with the committed transactions of its log\n"
    "(FILE.wal) laid over it, without writing either file.\n"
    "  pool create --schema FILE.pschema --pool NAME --size SIZE PATH\n"
    "                    create an empty pool (SIZE accepts K, M and G)\n";

namespace {

constexpr int exit_usage = 2;

int usage(std::ostream& err, const std::string& message) {
  err << "pschema: " << message << "\n\n" << pool_usage_text;
  return exit_usage;
}

struct Parsed {
  std::vector<std::string> files;
  bool json = false;
  bool recover = false;
  std::optional<std::uint64_t> max_depth;
  std::string schema, pool, size;
};

// Options a command accepts; anything else is a usage error.
struct Accepts {
  bool json = false, recover = false, max_depth = false, create = false;
};

std::optional<std::string> parse(const std::vector<std::string>& args, const Accepts& accepts, Parsed& parsed) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 == args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--json" && accepts.json) {
      parsed.json = true;
    } else if (a == "--recover" && accepts.recover) {
      parsed.recover = true;
    } else if (a == "--max-depth" && accepts.max_depth) {
      auto v = value();
      if (!v) return a + " needs a value";
      auto n = parse_size(*v);
      if (!n || v->find_first_not_of("0123456789") != std::string::npos)
        return "--max-depth needs a number, not '" + *v + "'";
      parsed.max_depth = n;
    } else if ((a == "--schema" || a == "--pool" || a == "--size") && accepts.create) {
      auto v = value();
      if (!v) return a + " needs a value";
      (a == "--schema" ? parsed.schema : a == "--pool" ? parsed.pool : parsed.size) = *v;
    } else if (!a.empty() && a[0] == '-') {
      return "unknown option '" + a + "' for pool " + args[0];
    } else {
      parsed.files.push_back(a);
    }
  }
  return std::nullopt;
}

}  // namespace

int run_pool_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                     const PoolInput* memory) {
  if (args.empty()) return usage(err, "pool needs a command");
  const std::string& command = args[0];
  Accepts accepts;
  if (command == "info") {
    accepts.json = true;
  } else if (command == "dump") {
    accepts.json = accepts.max_depth = true;
  } else if (command == "check") {
    accepts.recover = true;
  } else if (command == "create") {
    accepts.create = true;
  } else if (command != "schema") {
    return usage(err, "unknown pool command '" + command + "'");
  }
  Parsed parsed;
  if (auto error = parse(args, accepts, parsed)) return usage(err, *error);
  if (parsed.files.size() != 1) return usage(err, "pool " + command + " needs exactly one pool file");
  PoolInput input = memory != nullptr ? *memory : PoolInput{parsed.files[0], std::nullopt, nullptr, std::nullopt};
  input.name = parsed.files[0];

  if (command == "info") return run_info(input, InfoOptions{parsed.json}, out, err);
  if (command == "dump") {
    DumpOptions options;
    options.json = parsed.json;
    if (parsed.max_depth) options.max_depth = *parsed.max_depth;
    return run_dump(input, options, out, err);
  }
  if (command == "check") return run_check(input, CheckOptions{parsed.recover}, out, err);
  if (command == "schema") {
    try {
      OpenedPool pool = open_pool(input, false);
      out << pool.header.schema_text;
      return 0;
    } catch (const Unreadable& e) {
      err << "pschema: error: " << e.what() << "\n";
      return 2;
    }
  }
  // create
  if (parsed.schema.empty()) return usage(err, "pool create needs --schema FILE.pschema");
  if (parsed.pool.empty()) return usage(err, "pool create needs --pool NAME");
  if (parsed.size.empty()) return usage(err, "pool create needs --size SIZE");
  const auto size = parse_size(parsed.size);
  if (!size) return usage(err, "--size needs a size such as 4194304, 64M or 1G, not '" + parsed.size + "'");
  return create_pool(CreateRequest{parsed.schema, parsed.pool, *size, parsed.files[0]}, out, err);
}

}  // namespace pschema::pool
