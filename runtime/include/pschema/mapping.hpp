// What views and transactions resolve pool offsets against: the mapping's
// base address and the bounds of its heap. Every offset read from the pool
// (a box, an rc, a vec or string buffer, a map node) is checked here before
// it is followed: it must lie in the heap with the whole object (or element)
// it leads to, and be aligned for it. A damaged pool therefore ends in
// corrupt_pool, never in a read outside the mapping or a misaligned one.
//
// The check is two or three compares against bounds held next to the base
// pointer, on the same cache line; the message is built out of line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pschema {

class Mapping {
 public:
  Mapping() = default;
  // `path` names the pool in errors; it must outlive the Mapping.
  Mapping(std::byte* base, std::uint64_t heap_begin, std::uint64_t heap_end, const std::string* path) noexcept
      : base_(base), heap_begin_(heap_begin), heap_end_(heap_end), path_(path) {}

  std::byte* base() const noexcept { return base_; }
  std::uint64_t heap_begin() const noexcept { return heap_begin_; }
  std::uint64_t heap_end() const noexcept { return heap_end_; }

  // The T at `offset`, an offset read from the pool at `from` (named in the
  // error; null if it came from elsewhere). Throws corrupt_pool unless the
  // whole T lies in the heap, aligned.
  template <class T>
  T* object(std::uint64_t offset, const void* from = nullptr) const {
    if (offset % alignof(T) != 0 || !holds(offset, sizeof(T))) [[unlikely]] {
      bad_offset(offset, sizeof(T), alignof(T), from, "an object");
    }
    return reinterpret_cast<T*>(base_ + offset);
  }
  // Element `index` of an array of T at `offset` (a vec buffer): the same
  // checks for that element, without overflow however large `index` is.
  template <class T>
  T* element(std::uint64_t offset, std::uint64_t index, const void* from) const {
    if (offset % alignof(T) != 0 || !holds(offset, 0) || index >= (heap_end_ - offset) / sizeof(T)) [[unlikely]] {
      bad_element(offset, index, sizeof(T), alignof(T), from);
    }
    return reinterpret_cast<T*>(base_ + offset) + index;
  }
  // `size` bytes at `offset` (a string buffer: no alignment). Zero bytes
  // are never read and need no check.
  const unsigned char* bytes(std::uint64_t offset, std::uint64_t size, const void* from) const {
    if (size == 0) return nullptr;
    if (!holds(offset, size)) [[unlikely]]
      bad_offset(offset, size, 1, from, "a buffer");
    return reinterpret_cast<const unsigned char*>(base_ + offset);
  }

  // Throws corrupt_pool saying `what` is wrong with the data at `at` (a
  // count or length that does not fit what holds it).
  [[noreturn]] void corrupt(const void* at, const std::string& what) const;
  // How the errors write offsets: 0x... .
  static std::string hex(std::uint64_t value);

 private:
  // Whether [offset, offset + size) lies in the heap (no overflow).
  bool holds(std::uint64_t offset, std::uint64_t size) const noexcept {
    return offset >= heap_begin_ && offset <= heap_end_ && size <= heap_end_ - offset;
  }
  [[noreturn]] void bad_offset(std::uint64_t offset, std::uint64_t size, std::uint64_t align, const void* from,
                               const char* what) const;
  [[noreturn]] void bad_element(std::uint64_t offset, std::uint64_t index, std::uint64_t size, std::uint64_t align,
                                const void* from) const;

  std::byte* base_ = nullptr;
  std::uint64_t heap_begin_ = 0;
  std::uint64_t heap_end_ = 0;
  const std::string* path_ = nullptr;
};

}  // namespace pschema
