// What every `pschema pool` command starts from: the file's bytes, its
// verified header and, for the commands that interpret objects, its
// embedded schema.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "pool/embedded_schema.hpp"
#include "pool/pool_file.hpp"
#include "pool/pool_header.hpp"
#include "pool/pool_log.hpp"

namespace pschema::pool {

// Where a command reads its pool from: the file named on the command line
// and the log next to it (`<name>.wal`, if there is one), or (tests, the
// fuzz test) bytes in memory shown under that name, with the log's bytes
// if it has one.
struct PoolInput {
  std::string name;
  std::optional<std::span<const std::byte>> memory;
  SchemaCache* schema_cache = nullptr;
  std::optional<std::span<const std::byte>> log_memory;
};

struct OpenedPool {
  PoolBytes bytes;  // with the log's committed records laid over it
  PoolHeader header;
  std::optional<PoolSchema> schema;
  PoolLog log;
};

// The log of the pool `name`: `<name>.wal`, as the runtime names it.
std::string log_path_of(const std::string& name);

// Throws Unreadable when the file is not a readable pool, or when
// `with_schema` and its schema cannot be used.
OpenedPool open_pool(const PoolInput& input, bool with_schema);

}  // namespace pschema::pool
