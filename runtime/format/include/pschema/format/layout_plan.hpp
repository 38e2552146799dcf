// How a new pool is carved up: where the schema text, the journal lanes and
// the heap go in a file of a given size, and how big the root block is
// (docs/runtime.md 1.1). Pool::create writes exactly this plan; every plan
// it makes passes check_superblock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "pschema/format/layout.hpp"

namespace pschema::format {

// What create may choose; the limits every pool obeys (min_pool_size,
// max_lanes) are in layout.hpp.
inline constexpr std::uint32_t default_lanes = 8;
inline constexpr std::uint64_t min_lane_size = 16 * 1024;
inline constexpr std::uint64_t max_lane_size = 4 * 1024 * 1024;
inline constexpr std::uint64_t min_heap_size = 64 * 1024;

struct LayoutRequest {
  std::uint64_t pool_size = 0;
  std::uint64_t schema_name_size = 0;  // without a terminating NUL
  std::uint64_t schema_text_size = 0;
  std::uint32_t lanes = 0;  // 0: default_lanes
  std::uint32_t root_size = 0;
};

struct LayoutPlan {
  std::uint64_t lanes_offset = 0;
  std::uint32_t lane_count = 0;
  std::uint64_t lane_size = 0;
  std::uint64_t heap_offset = 0;
  std::uint64_t heap_size = 0;
  // The root block is the heap's first block; the rest of the heap is one
  // free block after it.
  std::uint64_t root_block_size = 0;
  std::uint64_t root_offset = 0;  // the root's payload
};

// Why a pool cannot be made as requested, in words for the caller's error.
struct LayoutRefusal {
  std::string message;
};

// The layout of a new pool, or why there is none (a pool below the
// minimum size, a schema name that does not fit, too many lanes, no room
// left for a heap).
std::variant<LayoutPlan, LayoutRefusal> plan_layout(const LayoutRequest& request);

// The superblock of a new pool laid out by `plan`, made for `request`, for
// the schema named `schema_name` with the source `schema_text` (the sizes
// the request gave). The caller fills what is not the format's to choose:
// the pool's uuid and creation time, the schema's fingerprint and the
// root's type id; then it sets the checksum (superblock_checksum), last.
Superblock superblock_from_plan(const LayoutRequest& request, const LayoutPlan& plan, std::string_view schema_name,
                                std::string_view schema_text);

}  // namespace pschema::format
