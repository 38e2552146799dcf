// `pschema pool info`: what a pool is, how full, in what state.
#pragma once

#include <iosfwd>

#include "pool/opened_pool.hpp"

namespace pschema::pool {

struct InfoOptions {
  bool json = false;
};

// 0 when the pool was described, 1 when its heap is damaged (described as
// far as it could be read), 2 when it is not a readable pool.
int run_info(const PoolInput& input, const InfoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pschema::pool
