#include "pool/pool_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace pschema::pool {

PoolBytes PoolBytes::open_file(const std::string& path) {
  PoolBytes bytes;
  bytes.name_ = path;
  bytes.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (bytes.fd_ < 0) throw Unreadable(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(bytes.fd_, &st) != 0) throw Unreadable(path + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Unreadable(path + ": not a regular file");
  bytes.size_ = static_cast<std::uint64_t>(st.st_size);

  if (::flock(bytes.fd_, LOCK_SH | LOCK_NB) == 0) {
    bytes.lock_ = LockState::free;
  } else {
    bytes.lock_ = errno == EWOULDBLOCK ? LockState::in_use : LockState::unknown;
  }
  if (bytes.size_ > 0) {
    // MAP_PRIVATE and PROT_READ: the tools can never write to the pool.
    void* p = ::mmap(nullptr, bytes.size_, PROT_READ, MAP_PRIVATE, bytes.fd_, 0);
    if (p == MAP_FAILED) throw Unreadable(path + ": cannot map: " + std::strerror(errno));
    bytes.mapping_ = p;
    bytes.data_ = static_cast<const std::byte*>(p);
  }
  return bytes;
}

PoolBytes PoolBytes::in_memory(std::string name, std::span<const std::byte> data) {
  PoolBytes bytes;
  bytes.name_ = std::move(name);
  bytes.data_ = data.data();
  bytes.size_ = data.size();
  return bytes;
}

PoolBytes::PoolBytes(PoolBytes&& other) noexcept
    : name_(std::move(other.name_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      fd_(std::exchange(other.fd_, -1)),
      lock_(other.lock_) {}

PoolBytes& PoolBytes::operator=(PoolBytes&& other) noexcept {
  if (this != &other) {
    release();
    name_ = std::move(other.name_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapping_ = std::exchange(other.mapping_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
    lock_ = other.lock_;
  }
  return *this;
}

PoolBytes::~PoolBytes() { release(); }

void PoolBytes::release() noexcept {
  if (mapping_ != nullptr) ::munmap(mapping_, size_);
  if (fd_ >= 0) ::close(fd_);  // also drops the shared lock
  mapping_ = nullptr;
  fd_ = -1;
}

}  // namespace pschema::pool
