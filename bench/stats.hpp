// Timing, the median of repeated runs, and what the runtime did in a phase.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <vector>

#include "pschema/counters.hpp"

namespace harness {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// The median; for an even count, the mean of the two middle values.
inline double median(std::vector<double> samples) {
  if (samples.empty()) throw std::logic_error("median of no samples");
  std::sort(samples.begin(), samples.end());
  const std::size_t mid = samples.size() / 2;
  return samples.size() % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
}

// The pschema runtime's counters for a phase; nothing for systems that
// have none.
inline std::optional<pschema::Counters> difference(const std::optional<pschema::Counters>& after,
                                                   const std::optional<pschema::Counters>& before) {
  if (!after || !before) return std::nullopt;
  return *after - *before;
}

}  // namespace harness
