// Helpers for tests of the file engine: a FileIo that forwards to POSIX and
// lets a test intercept single operations, and whole-file helpers.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pschema/file_io.hpp"

namespace io_support {

// Forwards every call to the POSIX implementation; override to intercept.
class ForwardingIo : public pschema::FileIo {
 public:
  int open(const char* path, int flags, mode_t mode) override { return posix_->open(path, flags, mode); }
  int close(int fd) override { return posix_->close(fd); }
  int unlink(const char* path) override { return posix_->unlink(path); }
  ssize_t pread(int fd, void* buffer, std::size_t size, std::uint64_t offset) override {
    return posix_->pread(fd, buffer, size, offset);
  }
  ssize_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) override {
    return posix_->pwrite(fd, data, size, offset);
  }
  int fdatasync(int fd, pschema::SyncSite site) override { return posix_->fdatasync(fd, site); }
  int fsync(int fd, pschema::SyncSite site) override { return posix_->fsync(fd, site); }
  int ftruncate(int fd, std::uint64_t size) override { return posix_->ftruncate(fd, size); }
  std::int64_t size(int fd) override { return posix_->size(fd); }

 protected:
  std::shared_ptr<pschema::FileIo> posix_ = pschema::make_posix_file_io();
};

inline std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  std::vector<char> bytes(static_cast<std::size_t>(in.tellg()));
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

inline void write_file(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::uint64_t file_size(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::uint64_t>(size);
}

// `size` bytes of the file at `offset` (what the disk holds, not the mapping).
inline std::vector<char> file_bytes(const std::string& path, std::uint64_t offset, std::size_t size) {
  std::vector<char> out(size);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const ssize_t n = ::pread(fd, out.data(), size, static_cast<off_t>(offset));
  ::close(fd);
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

}  // namespace io_support
