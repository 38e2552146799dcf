// Checks that a u64-map system holds exactly the keys it should, each with
// its value, so that no system can skip work: the count, a full walk
// (which also finds extra and duplicate keys), and lookups of keys that
// must be absent.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bst_verify.hpp"  // VerificationError
#include "map_workload.hpp"

namespace harness {

// `expected` ascending; `absent` keys must not be found.
template <class System>
void verify_map(const System& system, const std::vector<std::uint64_t>& expected,
                const std::vector<std::uint64_t>& absent, const MapWorkload& workload, std::string_view phase) {
  auto fail = [&](const std::string& what) {
    throw VerificationError("verification failed after " + std::string(phase) + " of " + workload.name + " on " +
                            std::string(System::name) + ": " + what);
  };
  if (system.count() != expected.size()) {
    fail("count is " + std::to_string(system.count()) + ", expected " + std::to_string(expected.size()));
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seen;
  seen.reserve(expected.size());
  system.for_each([&](std::uint64_t key, std::uint64_t value) { seen.emplace_back(key, value); });
  std::sort(seen.begin(), seen.end());
  if (seen.size() != expected.size()) {
    fail("the walk found " + std::to_string(seen.size()) + " entries, expected " + std::to_string(expected.size()));
  }
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (seen[i].first != expected[i] || seen[i].second != map_value_for(expected[i])) {
      fail("entry " + std::to_string(i) + " is (" + std::to_string(seen[i].first) + ", " +
           std::to_string(seen[i].second) + "), expected key " + std::to_string(expected[i]));
    }
  }
  for (const std::uint64_t key : absent) {
    if (system.get(key)) fail("key " + std::to_string(key) + " should be absent");
  }
}

}  // namespace harness
