// The two pool commands that write: they go through the runtime's public
// API (pschema::Pool), never around it, so a pool made or recovered here
// is exactly what a program would make or recover.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace pschema::pool {

// "64M" -> 67108864. K, M and G (any case, an optional trailing "iB" or
// "B") are powers of 1024. Nothing for text that is not a size.
std::optional<std::uint64_t> parse_size(std::string_view text);

struct CreateRequest {
  std::string schema_path;
  std::string pool_name;
  std::uint64_t size = 0;
  std::string path;
};

// Makes an empty pool of a declared pool type, its root initialised as the
// generated code initialises it. Returns 0, or 1 after printing why not.
int create_pool(const CreateRequest& request, std::ostream& out, std::ostream& err);

// Opens the pool file with the runtime (running recovery) and closes it
// again; returns a sentence saying what recovery did. Throws Unreadable
// when the runtime refuses the pool.
std::string recover_pool(const std::string& path);

}  // namespace pschema::pool
