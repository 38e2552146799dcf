#include "workload.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "splitmix.hpp"

namespace harness {
namespace {

Workload finish(std::string name, std::vector<std::int64_t> keys) {
  Workload w;
  w.name = std::move(name);
  w.keys = std::move(keys);
  w.values.reserve(w.keys.size());
  w.sorted.reserve(w.keys.size());
  for (const std::int64_t key : w.keys) {
    w.values.push_back(value_for(key));
    w.value_bytes += w.values.back().size();
    w.sorted.emplace_back(key, w.values.back());
  }
  std::sort(w.sorted.begin(), w.sorted.end());
  const std::int64_t max_key = w.sorted.empty() ? 0 : w.sorted.back().first;
  w.absent = {-1, max_key + 1, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
  return w;
}

}  // namespace

std::string value_for(std::int64_t key) {
  std::string value = "value-" + std::to_string(key);
  if (value.size() > 15) throw std::logic_error("value_for: key too large for a 15-byte value");
  return value;
}

Workload random_keys(std::string name, std::size_t n, std::uint64_t seed) {
  std::vector<std::int64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = static_cast<std::int64_t>(i);
  std::uint64_t state = seed;
  for (std::size_t i = n; i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(splitmix64(state) % i);
    std::swap(keys[i - 1], keys[j]);
  }
  return finish(std::move(name), std::move(keys));
}

Workload sequential_keys(std::string name, std::size_t n) {
  std::vector<std::int64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = static_cast<std::int64_t>(i);
  return finish(std::move(name), std::move(keys));
}

}  // namespace harness
