// The key sequences of the BST workloads, made once and given to every
// system, so that all of them do exactly the same operations in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace harness {

struct Workload {
  std::string name;                 // "bst", "bst-seq" (the CSV's workload column)
  std::vector<std::int64_t> keys;   // in insertion (and lookup) order
  std::vector<std::string> values;  // values[i] goes with keys[i]
  // For verification: every (key, value) in ascending key order, the keys
  // that must be absent, and the total length of all values.
  std::vector<std::pair<std::int64_t, std::string>> sorted;
  std::vector<std::int64_t> absent;
  std::size_t value_bytes = 0;

  std::size_t size() const noexcept { return keys.size(); }
};

// The value stored with `key`: a short string ("value-<key>", at most 15 bytes).
std::string value_for(std::int64_t key);

// Keys 0..n-1 in a random order drawn from `seed` (Fisher-Yates with
// splitmix64, so the order is the same on every platform and library).
Workload random_keys(std::string name, std::size_t n, std::uint64_t seed);
// Keys 0..n-1 in ascending order: an unbalanced tree degenerates into a chain.
Workload sequential_keys(std::string name, std::size_t n);

}  // namespace harness
