#include "pool/pool_file.hpp"

#include <fcntl.h>
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
  struct stat st{};
  if (::fstat(bytes.fd_, &st) != 0) throw Unreadable(path + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Unreadable(path + ": not a regular file");
  bytes.size_ = static_cast<std::uint64_t>(st.st_size);

  // A writer of the runtime marks the pool file with an fcntl write lock
  // on its first byte (runtime/src/writer_lock.hpp). Test for it without
  // taking a lock: any lock a reader holds could keep a writer from
  // marking the pool, and once readers could lock writers out.
  struct flock probe{};
  probe.l_type = F_RDLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = 0;
  probe.l_len = 1;
  if (::fcntl(bytes.fd_, F_OFD_GETLK, &probe) == 0) {
    bytes.lock_ = probe.l_type == F_WRLCK ? LockState::in_use : LockState::free;
  } else {
    bytes.lock_ = LockState::unknown;
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
      lock_(other.lock_),
      overlaid_(other.overlaid_),
      writable_(std::exchange(other.writable_, false)),
      copy_(std::move(other.copy_)) {}

PoolBytes& PoolBytes::operator=(PoolBytes&& other) noexcept {
  if (this != &other) {
    release();
    name_ = std::move(other.name_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapping_ = std::exchange(other.mapping_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
    lock_ = other.lock_;
    overlaid_ = other.overlaid_;
    writable_ = std::exchange(other.writable_, false);
    copy_ = std::move(other.copy_);
  }
  return *this;
}

PoolBytes::~PoolBytes() { release(); }

bool PoolBytes::overlay(std::uint64_t offset, const std::byte* data, std::uint64_t size) {
  if (!contains(offset, size)) return false;
  if (!writable_) {
    if (mapping_ != nullptr) {
      // The mapping is private: writing into it copies the pages written
      // (copy on write) and never reaches the file, whatever the
      // descriptor allows.
      if (::mprotect(mapping_, size_, PROT_READ | PROT_WRITE) != 0) {
        throw Unreadable(name_ +
                         ": cannot make a private copy of the pool to lay its log over: " + std::strerror(errno));
      }
    } else if (copy_.empty() && size_ > 0) {
      // Bytes in memory belong to the caller: copy them first.
      copy_.assign(data_, data_ + size_);
      data_ = copy_.data();
    }
    writable_ = true;
  }
  std::byte* writable = mapping_ != nullptr ? static_cast<std::byte*>(mapping_) : copy_.data();
  if (size > 0) std::memcpy(writable + offset, data, size);
  overlaid_ = true;
  return true;
}

void PoolBytes::seal() noexcept {
  if (writable_ && mapping_ != nullptr) ::mprotect(mapping_, size_, PROT_READ);
  writable_ = false;
}

void PoolBytes::release() noexcept {
  if (mapping_ != nullptr) ::munmap(mapping_, size_);
  if (fd_ >= 0) ::close(fd_);
  mapping_ = nullptr;
  fd_ = -1;
}

}  // namespace pschema::pool
