// `pschema pool check`: everything a pool's own bytes and schema let us
// verify, with no application code. Read-only unless asked to recover.
#pragma once

#include <iosfwd>

#include "pool/opened_pool.hpp"

namespace pschema::pool {

struct CheckOptions {
  bool recover = false;  // open and close the pool with the runtime first, so recovery runs
};

// Prints each problem as "<path>: <message>" and a summary to `out`.
// Returns 0 when the pool is consistent, 1 when problems were found, 2 when
// the file cannot be read as a pool.
int run_check(const PoolInput& input, const CheckOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pschema::pool
