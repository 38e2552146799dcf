// Maps the pool file through the descriptor that open validated (and
// marked as a writer's, writer_lock.hpp), never again by path: between the
// checks and a second open of the path, another process could rename a
// different file over it, and the pool would then run on a file nobody
// validated.
#pragma once

#include <cstddef>
#include <string>

namespace pschema::detail {

struct PoolMapping {
  std::byte* base = nullptr;
  std::size_t size = 0;  // the whole file, as it was when mapped
  bool is_pmem = false;  // a DAX mapping (MAP_SYNC), or PMEM_IS_PMEM_FORCE=1
};

// Maps all of `fd` shared and writable. On a DAX file system the mapping
// is MAP_SYNC (flushes from user space are enough, as libpmem assumes);
// elsewhere an ordinary shared mapping, which libpmem's detection (and
// its PMEM_IS_PMEM_FORCE override) classifies. Throws io_error.
PoolMapping map_pool_file(int fd, const std::string& path);
void unmap_pool_file(std::byte* base, std::size_t size) noexcept;

}  // namespace pschema::detail
