// The shared block of rc<T> and weak<T> (pschema/rc.hpp): its layout, two
// counts and then the object, and the functions that make it and change
// its counts. The pool tool makes and reads the same blocks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pschema/access.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/type_ids.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

template <schema_struct T>
struct RcBlock {
  std::uint64_t strong;
  std::uint64_t weak;
  typename T::Layout value;
};

// The start of every shared block, whatever T is.
struct RcCounts {
  std::uint64_t strong;
  std::uint64_t weak;
};

namespace detail {

// The block at `offset` (read from the pool at `from`, if not null), checked.
template <schema_struct T>
RcBlock<T>* rc_block(Transaction& tx, std::uint64_t offset, const void* from = nullptr) {
  return tx.at<RcBlock<T>>(offset, from);
}

// A new shared block of `block_size` bytes for an object of the struct
// whose type id is `struct_type_id`: zeroed, with a strong count of 1. The
// caller initialises the object after the counts. Untyped, so that the
// pool tool, which knows the struct only at run time, makes the same block.
inline std::uint64_t new_shared_block(Transaction& tx, std::size_t block_size, std::uint32_t struct_type_id) {
  const std::uint64_t offset = tx.allocate(block_size, format::type_ids::shared_block_id(struct_type_id));
  tx.write(tx.at<RcCounts>(offset)->strong, std::uint64_t{1});
  return offset;
}

template <schema_struct T>
std::uint64_t new_rc_block(Transaction& tx) {
  static_assert(offsetof(RcBlock<T>, strong) == offsetof(RcCounts, strong) &&
                offsetof(RcBlock<T>, weak) == offsetof(RcCounts, weak));
  const std::uint64_t offset = new_shared_block(tx, sizeof(RcBlock<T>), T::type_id);
  access::init<T>(tx, &rc_block<T>(tx, offset)->value);
  return offset;
}

template <schema_struct T>
void retain_strong(Transaction& tx, std::uint64_t offset) {
  RcBlock<T>* block = rc_block<T>(tx, offset);
  tx.write(block->strong, block->strong + 1);
}

template <schema_struct T>
void release_strong(Transaction& tx, std::uint64_t offset) {
  if (offset == 0) return;
  RcBlock<T>* block = rc_block<T>(tx, offset);
  if (block->strong == 0) throw usage_error("", "rc count underflow: the pool is inconsistent");
  tx.write(block->strong, block->strong - 1);
  if (block->strong != 0) return;
  access::destroy<T>(tx, &block->value);
  if (block->weak == 0) tx.free(offset);
}

template <schema_struct T>
void retain_weak(Transaction& tx, std::uint64_t offset) {
  RcBlock<T>* block = rc_block<T>(tx, offset);
  tx.write(block->weak, block->weak + 1);
}

template <schema_struct T>
void release_weak(Transaction& tx, std::uint64_t offset) {
  if (offset == 0) return;
  RcBlock<T>* block = rc_block<T>(tx, offset);
  if (block->weak == 0) throw usage_error("", "weak count underflow: the pool is inconsistent");
  tx.write(block->weak, block->weak - 1);
  if (block->weak == 0 && block->strong == 0) tx.free(offset);
}

}  // namespace detail

}  // namespace pschema
