// The POSIX implementation of FileIo, and the helpers the file engine uses
// on top of any FileIo (whole transfers, errors as exceptions).
#include "pschema/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "file_io_util.hpp"
#include "pschema/errors.hpp"

namespace pschema {

namespace {

class PosixFileIo final : public FileIo {
 public:
  int open(const char* path, int flags, mode_t mode) override { return ::open(path, flags, mode); }
  int close(int fd) override { return ::close(fd); }
  int unlink(const char* path) override { return ::unlink(path); }
  ssize_t pread(int fd, void* buffer, std::size_t size, std::uint64_t offset) override {
    return ::pread(fd, buffer, size, static_cast<off_t>(offset));
  }
  ssize_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) override {
    return ::pwrite(fd, data, size, static_cast<off_t>(offset));
  }
  int fdatasync(int fd, SyncSite) override { return ::fdatasync(fd); }
  int fsync(int fd, SyncSite) override { return ::fsync(fd); }
  int ftruncate(int fd, std::uint64_t size) override { return ::ftruncate(fd, static_cast<off_t>(size)); }
  std::int64_t size(int fd) override {
    struct stat st{};
    if (::fstat(fd, &st) != 0) return -1;
    return st.st_size;
  }
};

}  // namespace

std::string_view sync_site_name(SyncSite site) noexcept {
  switch (site) {
    case SyncSite::log_commit: return "log_commit";
    case SyncSite::log_reset: return "log_reset";
    case SyncSite::log_directory: return "log_directory";
    case SyncSite::replay_pool: return "replay_pool";
    case SyncSite::undo_fence: return "undo_fence";
    case SyncSite::checkpoint_pool: return "checkpoint_pool";
    case SyncSite::pool_state: return "pool_state";
    case SyncSite::count_: break;
  }
  return "unknown";
}

std::shared_ptr<FileIo> make_posix_file_io() { return std::make_shared<PosixFileIo>(); }

namespace detail {

std::string errno_message(int err) { return std::strerror(err); }

std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

void io_write(FileIo& io, int fd, const void* data, std::size_t size, std::uint64_t offset, const std::string& path,
              std::string_view what) {
  const auto* at = static_cast<const std::byte*>(data);
  while (size > 0) {
    ssize_t n = io.pwrite(fd, at, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      throw io_error(path, "cannot write " + std::string(what) + ": " + errno_message(err));
    }
    at += n;
    offset += static_cast<std::uint64_t>(n);
    size -= static_cast<std::size_t>(n);
  }
}

std::size_t io_read(FileIo& io, int fd, void* buffer, std::size_t size, std::uint64_t offset, const std::string& path,
                    std::string_view what) {
  auto* at = static_cast<std::byte*>(buffer);
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = io.pread(fd, at + done, size - done, offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw io_error(path, "cannot read " + std::string(what) + ": " + errno_message(errno));
    if (n == 0) break;  // end of file
    done += static_cast<std::size_t>(n);
  }
  return done;
}

void io_sync(FileIo& io, int fd, const std::string& path, std::string_view what, SyncSite site) {
  int rc;
  do {
    rc = io.fdatasync(fd, site);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    // Once fdatasync has failed, the kernel may have dropped the pages it
    // could not write and a retry may report success without them: the
    // caller must treat everything written since the last good sync as lost.
    throw io_error(path,
                   "cannot sync " + std::string(what) + ": " + errno_message(errno) + "; the data may not be durable");
  }
}

}  // namespace detail

}  // namespace pschema
