// The msync backend with its system call replaceable. Only tests use the
// seam: they watch when each range is synced, or hold a sync up, to check
// what a fence promises while other threads flush and fence.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "pschema/persistence.hpp"

namespace pschema::detail {

// Makes the page-aligned range [begin, end) durable; returns 0, or the
// errno value of the failure.
using SyncRange = std::function<int(std::uintptr_t begin, std::uintptr_t end)>;

// `page_size` must be a power of two; flushes are widened to whole pages.
std::unique_ptr<Persistence> make_msync_persistence(SyncRange sync, std::uintptr_t page_size);

}  // namespace pschema::detail
