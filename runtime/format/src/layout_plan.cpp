#include "pschema/format/layout_plan.hpp"

#include <algorithm>
#include <cstring>

#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"

namespace pschema::format {

std::variant<LayoutPlan, LayoutRefusal> plan_layout(const LayoutRequest& request) {
  const std::uint64_t size = request.pool_size;
  if (size < min_pool_size) {
    return LayoutRefusal{"a pool needs at least " + std::to_string(min_pool_size) + " bytes, asked for " +
                         std::to_string(size)};
  }
  if (request.schema_name_size == 0 || request.schema_name_size >= schema_name_capacity) {
    return LayoutRefusal{"schema name must be 1 to 63 bytes long"};
  }
  const std::uint32_t lanes = request.lanes == 0 ? default_lanes : request.lanes;
  if (lanes > max_lanes) return LayoutRefusal{"at most " + std::to_string(max_lanes) + " lanes"};

  LayoutPlan plan;
  plan.lanes_offset = round_up(schema_text_offset + request.schema_text_size, page);
  plan.lane_count = lanes;
  // About a 32nd of the pool for the journal, in whole pages per lane.
  plan.lane_size = std::clamp<std::uint64_t>(size / 32 / lanes / page * page, min_lane_size, max_lane_size);
  plan.heap_offset = plan.lanes_offset + lanes * plan.lane_size;
  plan.root_block_size = std::max(min_block_size, round_up(sizeof(BlockHeader) + request.root_size, block_alignment));
  if (plan.heap_offset > size || (size - plan.heap_offset) < min_heap_size + plan.root_block_size) {
    return LayoutRefusal{"a pool of " + std::to_string(size) + " bytes has no room for a heap after its " +
                         std::to_string(lanes) + " journal lanes and " + std::to_string(request.schema_text_size) +
                         " bytes of schema text; make it larger"};
  }
  plan.heap_size = (size - plan.heap_offset) / block_alignment * block_alignment;
  plan.root_offset = plan.heap_offset + sizeof(BlockHeader);
  return plan;
}

Superblock superblock_from_plan(const LayoutRequest& request, const LayoutPlan& plan, std::string_view schema_name,
                                std::string_view schema_text) {
  Superblock sb{};
  sb.magic = magic;
  sb.format_version = version;
  sb.superblock_size = sizeof(Superblock);
  sb.pool_size = request.pool_size;
  std::memcpy(sb.schema_name, schema_name.data(), schema_name.size());  // plan_layout checked that it fits
  sb.schema_text_offset = schema_text_offset;
  sb.schema_text_size = schema_text.size();
  sb.schema_text_checksum = schema_text_checksum(schema_text.data(), schema_text.size());
  sb.state_offset = state_offset;
  sb.lanes_offset = plan.lanes_offset;
  sb.lane_count = plan.lane_count;
  sb.lane_size = plan.lane_size;
  sb.heap_offset = plan.heap_offset;
  sb.heap_size = plan.heap_size;
  sb.root_offset = plan.root_offset;
  sb.root_size = request.root_size;
  return sb;
}

}  // namespace pschema::format
