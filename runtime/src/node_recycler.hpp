// An allocator for the node-based containers a lane clears at the end of
// every transaction (std::map): the nodes they free are kept and handed
// out again, so once the lane is warm a transaction allocates none. A
// plain std::map paid a malloc and a free per node (the B-tree benchmark's
// profile showed them), and std::pmr's pool resource cost about as much
// in its own bookkeeping.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace pschema::detail {

// The kept nodes of one container. All its nodes have one size (the first
// one freed sets it); anything else goes to the global heap as usual. At
// most `limit` nodes are kept, so that one huge transaction does not pin
// its memory for the life of the pool.
class NodeRecycler {
 public:
  NodeRecycler() = default;
  NodeRecycler(const NodeRecycler&) = delete;
  NodeRecycler& operator=(const NodeRecycler&) = delete;
  ~NodeRecycler() {
    for (void* node : kept_) ::operator delete(node);
  }

  void* take(std::size_t size) {
    if (size == size_ && !kept_.empty()) {
      void* node = kept_.back();
      kept_.pop_back();
      return node;
    }
    return ::operator new(size);
  }
  void give(void* node, std::size_t size) noexcept {
    if (size_ == 0) size_ = size;
    if (size == size_ && kept_.size() < limit) {
      try {
        kept_.push_back(node);
        return;
      } catch (...) {
        // No room to keep it: free it instead.
      }
    }
    ::operator delete(node);
  }

 private:
  static constexpr std::size_t limit = 4096;
  std::size_t size_ = 0;
  std::vector<void*> kept_;
};

// Must outlive the container that uses it (declare the recycler first).
template <class T>
class RecyclingAllocator {
 public:
  using value_type = T;

  explicit RecyclingAllocator(NodeRecycler& recycler) noexcept : recycler_(&recycler) {}
  template <class U>
  RecyclingAllocator(const RecyclingAllocator<U>& other) noexcept : recycler_(other.recycler_) {}

  T* allocate(std::size_t n) {
    if (n != 1) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(recycler_->take(sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n != 1) return ::operator delete(p);
    recycler_->give(p, sizeof(T));
  }

  template <class U>
  bool operator==(const RecyclingAllocator<U>& other) const noexcept {
    return recycler_ == other.recycler_;
  }

 private:
  template <class>
  friend class RecyclingAllocator;
  NodeRecycler* recycler_;
};

}  // namespace pschema::detail
