// `pschema pool dump`: every object reachable from the root with its typed
// fields, as indented text or as JSON.
#pragma once

#include <cstdint>
#include <iosfwd>

#include "pool/opened_pool.hpp"

namespace pschema::pool {

struct DumpOptions {
  bool json = false;
  std::uint64_t max_depth = UINT64_MAX;  // values nested deeper are shown as elided
};

// 0 when everything was read, 1 when the walk met problems (printed to
// `err`, and listed in the JSON), 2 when the file is not a readable pool.
int run_dump(const PoolInput& input, const DumpOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pschema::pool
