#include "writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pschema/errors.hpp"

namespace pschema::detail {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string octal(mode_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode));
  return text;
}

// The lock file's permissions for a pool file with `pool_mode`: the owner
// reads and writes it; group and others may only write it, and only if
// they may write the pool (no read bit: a reader must not be able to open
// it, and so lock it).
mode_t lock_mode_for(mode_t pool_mode) { return 0600 | (pool_mode & 0022); }

struct flock first_byte(short type) {
  struct flock lock{};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 1;
  return lock;
}

}  // namespace

std::string writer_lock_path_for(const std::string& pool_path) { return pool_path + ".lock"; }

int lock_writers(const std::string& pool_path, int pool_fd) {
  struct stat pool{};
  if (::fstat(pool_fd, &pool) != 0) throw io_error(pool_path, "cannot stat: " + errno_text(errno));
  const std::string path = writer_lock_path_for(pool_path);
  const mode_t mode = lock_mode_for(pool.st_mode);
  // O_NOFOLLOW: a symbolic link planted at the name is refused, not followed.
  bool created = true;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) {
    throw io_error(path, "cannot open the writers' lock file of the pool: " + errno_text(errno) +
                             " (only a user who may write the pool may open it; the first writer creates it in "
                             "the pool's directory)");
  }
  struct Closer {
    int fd;
    bool armed = true;
    ~Closer() {
      if (armed) ::close(fd);
    }
  } closer{fd};
  struct stat st{};
  if (::fstat(fd, &st) != 0) throw io_error(path, "cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) throw io_error(path, "the writers' lock file of the pool is not a regular file");
  if (st.st_uid != pool.st_uid && st.st_uid != ::geteuid()) {
    // Made by a user who is neither the pool's owner nor this one: someone
    // who can write the directory, and could hold it to keep writers out.
    throw io_error(path, "the writers' lock file of the pool belongs to user " + std::to_string(st.st_uid) +
                             ", not to the pool's owner (" + std::to_string(pool.st_uid) +
                             "); remove it once no process has the pool open");
  }
  if (created || (st.st_mode & 0044) != 0) {
    // The umask may have taken group and others' write bit from a new
    // file; an older or hand-made file may be readable. Only its owner
    // can fix that: a lock file that readers can open is refused.
    if (::fchmod(fd, mode) != 0 && (st.st_mode & 0044) != 0) {
      throw io_error(path, "the writers' lock file of the pool is readable by others (mode " +
                               octal(st.st_mode & 0777) +
                               "), so a reader could lock it, and it cannot be changed: " + errno_text(errno));
    }
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      throw pool_in_use(pool_path,
                        "the pool is already open (in another process, or elsewhere in this one); "
                        "opening it twice would corrupt it");
    }
    throw io_error(path, "cannot lock the writers' lock file: " + errno_text(errno));
  }
  closer.armed = false;
  return fd;
}

void mark_writer(int pool_fd) noexcept {
  struct flock lock = first_byte(F_WRLCK);
  (void)::fcntl(pool_fd, F_OFD_SETLK, &lock);
}

bool writer_marked(int fd, const std::string& path) {
  // Could a read lock be placed? Only a write lock (a writer's mark) stands
  // in its way; the test takes nothing.
  struct flock lock = first_byte(F_RDLCK);
  if (::fcntl(fd, F_OFD_GETLK, &lock) != 0) {
    throw io_error(path, "cannot test whether a writer has the pool open: " + errno_text(errno));
  }
  return lock.l_type == F_WRLCK;
}

}  // namespace pschema::detail
