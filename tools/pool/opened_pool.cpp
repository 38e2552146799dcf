#include "pool/opened_pool.hpp"

namespace pschema::pool {

OpenedPool open_pool(const PoolInput& input, bool with_schema) {
  PoolBytes bytes = input.memory ? PoolBytes::in_memory(input.name, *input.memory) : PoolBytes::open_file(input.name);
  PoolHeader header = read_header(bytes);
  OpenedPool pool{std::move(bytes), std::move(header), std::nullopt};
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
