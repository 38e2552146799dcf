// The bytes of a pool file, for the `pschema pool` tools. The file may be
// damaged or hostile: every access goes through `contains`/`load`/`at`,
// which check offset and length against the file size, so nothing here
// can read outside it whatever the header says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace pschema::pool {

// The file cannot be read as a pool at all (exit status 2): not a file,
// not a pool, a damaged header, a schema that cannot be interpreted.
class Unreadable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whether another process has the pool open for writing (the runtime's
// writers mark the file with an fcntl write lock while it is open).
enum class LockState {
  unknown,  // bytes given in memory: no file to ask
  free,
  in_use,
};

class PoolBytes {
 public:
  // Maps `path` read-only (a private mapping: nothing can reach the file)
  // and tests for a writer's mark, taking no lock: a reader must never be
  // able to keep the pool's owner from opening it, so a writer may open the
  // pool while it is being read (`check` and `info` then see it changing).
  static PoolBytes open_file(const std::string& path);
  // Bytes the caller keeps alive (the fuzz test works on memory copies).
  static PoolBytes in_memory(std::string name, std::span<const std::byte> bytes);

  PoolBytes(PoolBytes&& other) noexcept;
  PoolBytes& operator=(PoolBytes&& other) noexcept;
  PoolBytes(const PoolBytes&) = delete;
  PoolBytes& operator=(const PoolBytes&) = delete;
  ~PoolBytes();

  const std::string& name() const { return name_; }
  std::uint64_t size() const { return size_; }
  LockState lock_state() const { return lock_; }

  bool contains(std::uint64_t offset, std::uint64_t length) const {
    return offset <= size_ && length <= size_ - offset;
  }
  // A pointer to [offset, offset + length), or null if that is not all
  // inside the file.
  const std::byte* at(std::uint64_t offset, std::uint64_t length) const {
    return contains(offset, length) ? data_ + offset : nullptr;
  }
  // A copy of the T at `offset` (any alignment), or nothing when it does
  // not fit in the file.
  // Lays `size` bytes over [offset, offset + size) of this view only (the
  // committed records of the pool's log, docs/tools.md): the pages written
  // become private copies, the file is never written. Returns false, and
  // changes nothing, when the range is not all inside the file.
  bool overlay(std::uint64_t offset, const std::byte* data, std::uint64_t size);
  // Ends a series of overlay calls: the view is read-only again.
  void seal() noexcept;
  bool overlaid() const { return overlaid_; }

  template <class T>
  std::optional<T> load(std::uint64_t offset) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::byte* p = at(offset, sizeof(T));
    if (p == nullptr) return std::nullopt;
    T value;
    std::memcpy(&value, p, sizeof(T));
    return value;
  }

 private:
  PoolBytes() = default;
  void release() noexcept;

  std::string name_;
  const std::byte* data_ = nullptr;
  std::uint64_t size_ = 0;
  void* mapping_ = nullptr;  // munmap'ed on destruction when set
  int fd_ = -1;
  LockState lock_ = LockState::unknown;
  bool overlaid_ = false;
  bool writable_ = false;
  std::vector<std::byte> copy_;  // an in-memory pool's private copy, once overlaid
};

}  // namespace pschema::pool
