// The seeded generator of the benchmark workloads' keys (splitmix64): the
// same sequence on every machine, unlike std::uniform_int_distribution.
#pragma once

#include <cstdint>

namespace harness {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace harness
