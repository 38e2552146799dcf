// What the typed layer asks of the runtime about concurrent pools: the
// refusal of handles there (session.hpp), and locking a mutex word shared for
// the transaction or read the thread runs (mutex.hpp, defined in the runtime).
#pragma once

#include <cstdint>

#include "pschema/errors.hpp"

namespace pschema::detail {

// A handle leads straight to an object: in a concurrent pool that would
// bypass the mutex guarding it.
inline void refuse_in_concurrent_pool(bool concurrent) {
  if (concurrent) {
    throw usage_error("",
                      "handles cannot be resolved in a concurrent pool: the object would be reached "
                      "without the mutex that guards it");
  }
}

// Locks `word` shared for the transaction or read this thread is running
// on the pool holding it (a View reached the mutex: it only reads). Throws
// usage_error outside of one, deadlock if waiting would never end.
// `container`: the map<K, mutex<T>> the mutex is an entry of (taken
// shared first), or null.
void lock_shared_for_current(const std::uint64_t* word, const void* container = nullptr);
// Takes the lock of the map<K, mutex<T>> at `container` shared, likewise
// (a read looks the map up).
void lock_container_shared_for_current(const void* container);

}  // namespace pschema::detail
