#include "oracle.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

namespace crash_sim {

void Oracle::record_states(const std::string& path, const pschema::PoolOptions& options) {
  states_.clear();
  workload_.create(path, options);
  bool recovered = false;
  states_.push_back(workload_.digest(path, recovered));
  for (std::size_t k = 0; k < workload_.transactions; ++k) {
    workload_.run(path, options, k, k + 1, [](std::size_t) {});
    states_.push_back(workload_.digest(path, recovered));
  }
}

void Oracle::violation(const std::function<std::string()>& where, const std::string& what) {
  ++result_.violations;
  if (result_.first_violation.empty()) result_.first_violation = where() + ": " + what;
}

void Oracle::check(const std::string& file, std::size_t lowest, std::size_t highest,
                   const std::function<std::string()>& where) {
  highest = std::min(highest, transactions());
  bool first_recovered = false, second_recovered = false;
  std::string first, second;
  try {
    first = workload_.digest(file, first_recovered);
    second = workload_.digest(file, second_recovered);
  } catch (const std::exception& e) {
    violation(where, std::string("the image does not open: ") + e.what());
    return;
  }
  bool matched = false;
  for (std::size_t k = lowest; k <= highest && !matched; ++k) matched = first == states_[k];
  if (!matched) {
    violation(where, lowest + 1 == highest
                         ? "recovered data is neither the state before the transaction nor after it"
                         : "recovered data is not the state after any of transactions " + std::to_string(lowest) +
                               " to " + std::to_string(highest) + " (a prefix of the committed ones)");
  } else if (second_recovered || second != first) {
    violation(where, "a second open found something to recover (recovery is not idempotent)");
  }
}

void Oracle::print(const std::string& medium, const std::string& extra) const {
  std::printf("crash-sim: workload=%s medium=%s points=%zu images=%zu violations=%zu%s\n", workload_.name.c_str(),
              medium.c_str(), result_.points, result_.images, result_.violations, extra.c_str());
  if (!result_.first_violation.empty())
    std::printf("crash-sim: first violation: %s\n", result_.first_violation.c_str());
  std::fflush(stdout);
}

}  // namespace crash_sim
