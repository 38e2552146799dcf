// `handle<T>`: a reference to a persistent object that volatile code may
// keep between transactions. It holds no address, only the pool instance
// and the object's offset, and is checked each time it is resolved: an
// object since freed (or replaced by an object of another type), or a
// handle from another or a closed pool, resolves to nothing. It also
// holds the generation its block had when it was taken: the pool instance
// advances a block's generation when a free of it commits (or its
// allocation rolls back), so a handle to a freed object resolves to nothing
// even once a new object of the same type reuses the block.
#pragma once

#include <cstdint>
#include <functional>

#include "pschema/traits.hpp"

namespace pschema {

template <schema_struct T>
class Handle {
 public:
  Handle() = default;
  bool empty() const noexcept { return offset_ == 0; }
  std::uint64_t offset() const noexcept { return offset_; }
  std::uint64_t pool_instance() const noexcept { return pool_instance_; }
  std::uint64_t generation() const noexcept { return generation_; }
  friend bool operator==(const Handle&, const Handle&) = default;

 private:
  template <class, schema_struct>
  friend class TxBase;
  template <class, schema_struct>
  friend class SnapshotBase;
  friend struct access;
  Handle(std::uint64_t pool_instance, std::uint64_t offset, std::uint64_t generation)
      : pool_instance_(pool_instance), offset_(offset), generation_(generation) {}

  std::uint64_t pool_instance_ = 0;
  std::uint64_t offset_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace pschema

template <class T>
struct std::hash<pschema::Handle<T>> {
  std::size_t operator()(const pschema::Handle<T>& h) const noexcept {
    return std::hash<std::uint64_t>()(h.offset() * 31 + h.pool_instance());
  }
};
