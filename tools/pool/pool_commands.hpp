// `pschema pool <command>`: argument parsing and dispatch for the pool
// tools (info, schema, dump, check, create).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "pool/opened_pool.hpp"

namespace pschema::pool {

extern const char* const pool_usage_text;

// Runs `pschema pool ARGS...`. Exit status: 0 success; 1 problems found
// (check, dump), a damaged heap (info) or an input error (create); 2 a file
// that cannot be read as a pool, or bad usage. `memory`, when given, is
// used instead of reading the FILE argument (tests and the fuzz test).
int run_pool_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                     const PoolInput* memory = nullptr);

}  // namespace pschema::pool
