// ReadView: read-only access to a pool's committed data, what the bodies of
// Pool::read get (pschema/pool.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "pschema/mapping.hpp"

namespace pschema {

namespace detail {
class PoolImpl;
class ReadScope;
}  // namespace detail

// Read-only access to committed data, handed to Pool::read bodies.
class ReadView {
 public:
  const std::byte* base() const noexcept { return base_; }
  // What views check the offsets they read against (pschema/mapping.hpp).
  const Mapping* mapping() const noexcept { return &mapping_; }
  // The T at `offset`; throws corrupt_pool unless it lies in the heap, aligned.
  template <class T>
  const T* at(std::uint64_t offset) const {
    return mapping_.object<const T>(offset);
  }
  std::uint64_t root_offset() const noexcept { return root_offset_; }
  std::uint64_t pool_instance() const noexcept;
  bool concurrent() const noexcept;
  // Whether `offset` is a live object of type `type_id` (for handles).
  bool holds_object(std::uint64_t offset, std::uint32_t type_id) const noexcept;
  // See Transaction::handle_generation.
  std::uint64_t handle_generation(std::uint64_t offset, bool track) const;

 private:
  friend class detail::ReadScope;
  explicit ReadView(const detail::PoolImpl& pool);
  const detail::PoolImpl* pool_;
  const std::byte* base_;
  Mapping mapping_;
  std::uint64_t root_offset_;
};

}  // namespace pschema
