// Checks that a system holds exactly what a workload put in, so that no
// system can skip work: the size field, every key with its value in key
// order (an in-order walk, which also finds extra keys), and lookups of
// keys that must be absent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "workload.hpp"

namespace harness {

class VerificationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class System>
void verify_contents(const System& system, const Workload& workload, std::string_view phase) {
  auto fail = [&](const std::string& what) {
    throw VerificationError("verification failed after " + std::string(phase) + " of " + workload.name + " on " +
                            std::string(System::name) + ": " + what);
  };
  if (system.count() != workload.size()) {
    fail("size field is " + std::to_string(system.count()) + ", expected " + std::to_string(workload.size()));
  }
  std::size_t i = 0;
  std::string mismatch;
  system.for_each([&](std::int64_t key, std::string_view value) {
    if (i >= workload.sorted.size()) {
      mismatch = "extra key " + std::to_string(key);
      return false;
    }
    const auto& [want_key, want_value] = workload.sorted[i];
    if (key != want_key || value != want_value) {
      mismatch = "entry " + std::to_string(i) + " is (" + std::to_string(key) + ", '" + std::string(value) +
                 "'), expected (" + std::to_string(want_key) + ", '" + want_value + "')";
      return false;
    }
    ++i;
    return true;
  });
  if (!mismatch.empty()) fail(mismatch);
  if (i != workload.sorted.size()) {
    fail("the walk found " + std::to_string(i) + " keys, expected " + std::to_string(workload.sorted.size()));
  }
  for (const std::int64_t key : workload.absent) {
    if (system.lookup(key)) fail("key " + std::to_string(key) + " should be absent");
  }
}

}  // namespace harness
