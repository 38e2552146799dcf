// The file operations of the file engine (Backend::file, docs/runtime.md
// section 11): its log, checkpoints, replay at open and pool state updates
// all reach the disk through this interface and nothing else, so that a
// test or a power-failure simulator can stand in for the operating system
// (PoolOptions::file_io). The default, make_posix_file_io(), calls the
// POSIX functions of the same names.
//
// Every method has the contract of its POSIX namesake: it returns what the
// system call returns and reports failure with -1 and errno. The engine
// retries short transfers and EINTR itself.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace pschema {

class FileIo {
 public:
  virtual ~FileIo() = default;

  // open(2) of the log file (the pool file itself is opened, validated and
  // locked before the engine exists and is handed to it as a descriptor).
  virtual int open(const char* path, int flags, mode_t mode) = 0;
  virtual int close(int fd) = 0;
  virtual int unlink(const char* path) = 0;
  virtual ssize_t pread(int fd, void* buffer, std::size_t size, std::uint64_t offset) = 0;
  virtual ssize_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) = 0;
  virtual int fdatasync(int fd) = 0;
  // fsync(2): the engine calls it on a directory after creating a log file
  // in it, so that the file's name is durable before anything relies on it.
  virtual int fsync(int fd) = 0;
  virtual int ftruncate(int fd, std::uint64_t size) = 0;
  // The file's size (fstat), or -1 with errno.
  virtual std::int64_t size(int fd) = 0;
};

std::shared_ptr<FileIo> make_posix_file_io();

}  // namespace pschema
