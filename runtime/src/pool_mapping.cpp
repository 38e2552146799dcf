#include "pool_mapping.hpp"

#include <libpmem.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "pschema/errors.hpp"

namespace pschema::detail {

PoolMapping map_pool_file(int fd, const std::string& path) {
  struct stat st{};
  if (::fstat(fd, &st) != 0) throw io_error(path, std::string("cannot stat the pool: ") + std::strerror(errno));
  if (st.st_size <= 0) throw io_error(path, "cannot map the pool: the file is empty");
  const auto size = static_cast<std::size_t>(st.st_size);

  PoolMapping mapping;
  mapping.size = size;
  void* addr = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
  if (addr != MAP_FAILED) {
    mapping.base = static_cast<std::byte*>(addr);
    mapping.is_pmem = true;
    return mapping;
  }
  // Not DAX (EOPNOTSUPP), or a kernel without MAP_SYNC (EINVAL): an
  // ordinary page-cache mapping.
  addr = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) throw io_error(path, std::string("cannot map the pool: ") + std::strerror(errno));
  mapping.base = static_cast<std::byte*>(addr);
  mapping.is_pmem = pmem_is_pmem(addr, size) != 0;
  return mapping;
}

void unmap_pool_file(std::byte* base, std::size_t size) noexcept {
  if (base != nullptr) ::munmap(base, size);
}

}  // namespace pschema::detail
