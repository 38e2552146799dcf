// Waiting for another thread (a mutex holder, the writer at the gate):
// yield for a few rounds, which catches short transactions, then sleep,
// longer the longer it has been, leaving the core to the thread waited for
// (there may be fewer cores than threads).
#pragma once

#include <chrono>
#include <thread>

namespace pschema::detail {

inline void back_off(unsigned round) noexcept {
  if (round < 16) {
    std::this_thread::yield();
  } else {
    std::this_thread::sleep_for(std::chrono::microseconds(round < 64 ? 20 : 200));
  }
}

}  // namespace pschema::detail
