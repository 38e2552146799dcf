#include "pool/opened_pool.hpp"

namespace pschema::pool {

std::string log_path_of(const std::string& name) { return name + ".wal"; }

OpenedPool open_pool(const PoolInput& input, bool with_schema) {
  PoolBytes bytes = input.memory ? PoolBytes::in_memory(input.name, *input.memory) : PoolBytes::open_file(input.name);
  PoolHeader header = read_header(bytes);
  // In memory, a pool has a log only if one is given with it.
  PoolLog log = input.memory && !input.log_memory
                    ? PoolLog{}
                    : read_pool_log(log_path_of(input.name), input.log_memory, bytes, header);
  if (!log.present) log.path = log_path_of(input.name);
  OpenedPool pool{std::move(bytes), std::move(header), std::nullopt, std::move(log)};
  if (with_schema) {
    try {
      pool.schema.emplace(load_embedded_schema(pool.header, input.schema_cache));
    } catch (const Unreadable& e) {
      throw Unreadable(input.name + ": " + e.what());
    }
  }
  return pool;
}

}  // namespace pschema::pool
