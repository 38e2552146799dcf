// Type ids: what a heap block holds, as its BlockHeader::type_id says. One
// 32-bit space shared by the code generator (the ids of schema structs),
// the runtime (the blocks its containers allocate, shared blocks) and the
// pool tool (which names and checks every block by its id):
//
//   0                        no type: free blocks (journal overflow
//                            segments too: they are never marked allocated)
//   bit 31 set               a block the runtime's containers allocate for
//                            themselves (the list below)
//   bit 30 set, bit 31 clear a shared block of an rc<T>: the two counts,
//                            then a T; bits 0-29 are T's id
//   anything else            a schema struct: bits 0-29 of a hash of its
//                            qualified name, never 0
#pragma once

#include <cstdint>

namespace pschema::format::type_ids {

inline constexpr std::uint32_t no_type = 0;
inline constexpr std::uint32_t struct_id_mask = 0x3FFFFFFFu;
inline constexpr std::uint32_t shared_flag = 0x40000000u;
inline constexpr std::uint32_t runtime_flag = 0x80000000u;

inline constexpr std::uint32_t string_buffer = runtime_flag | 1;
inline constexpr std::uint32_t vec_buffer = runtime_flag | 2;
// runtime_flag | 3 is unassigned: shared blocks carry shared_block_id instead.
inline constexpr std::uint32_t map_leaf = runtime_flag | 4;
inline constexpr std::uint32_t map_inner = runtime_flag | 5;

constexpr bool is_runtime_block(std::uint32_t id) { return (id & runtime_flag) != 0; }
constexpr bool is_shared_block(std::uint32_t id) { return !is_runtime_block(id) && (id & shared_flag) != 0; }
// The id of the shared block of an rc<T>, from T's id, and back.
constexpr std::uint32_t shared_block_id(std::uint32_t struct_id) { return struct_id | shared_flag; }
constexpr std::uint32_t struct_id_of_shared(std::uint32_t shared_id) { return shared_id & ~shared_flag; }

}  // namespace pschema::format::type_ids
