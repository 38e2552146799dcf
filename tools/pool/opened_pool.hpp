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

namespace pschema::pool {

// Where a command reads its pool from: the file named on the command line,
// or (tests, the fuzz test) bytes in memory shown under that name.
struct PoolInput {
  std::string name;
  std::optional<std::span<const std::byte>> memory;
  SchemaCache* schema_cache = nullptr;
};

struct OpenedPool {
  PoolBytes bytes;
  PoolHeader header;
  std::optional<PoolSchema> schema;
};

// Throws Unreadable when the file is not a readable pool, or when
// `with_schema` and its schema cannot be used.
OpenedPool open_pool(const PoolInput& input, bool with_schema);

}  // namespace pschema::pool
