// A Persistence that ends the process at the n-th fence of one site, before
// that fence: what a power cut leaves when every store reached the medium
// (the mapping is shared, so the file gets every store; flushes do nothing)
// but the entries of the last batch were never fenced. Exit status 42.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <string_view>

#include "pschema/persistence.hpp"

namespace test_support {

class DieAtFence final : public pschema::Persistence {
 public:
  DieAtFence(pschema::Site site, int nth) : site_(site), nth_(nth) {}
  std::size_t flush(const void*, std::size_t, pschema::Site) override { return 0; }
  void fence(pschema::Site site) override {
    if (site == site_ && ++seen_ == nth_) ::_exit(42);
  }
  std::string_view name() const noexcept override { return "die-at-fence"; }

 private:
  pschema::Site site_;
  int nth_;
  int seen_ = 0;
};

}  // namespace test_support
