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
#include <string_view>

namespace pschema {

// Where in the file engine a sync comes from. The power-failure simulator
// can drop one site at a time (the sync then does nothing) to check that a
// test notices, as with the undo engine's flush and fence sites (Site).
enum class SyncSite : std::uint16_t {
  log_commit,       // the log, up to the records of waiting committers (commits, Pool::sync, before a checkpoint)
  log_reset,        // a new log header, before records of the new log generation overwrite old ones
  log_directory,    // the directory of a newly created log (fsync), before a commit relies on its name
  replay_pool,      // the pool file, after an open replayed the log's records into it
  undo_fence,       // a fence of the undo protocol on the shared mapping (recovery at open, pool creation)
  checkpoint_pool,  // the pool file, after a checkpoint wrote the committed records into it
  pool_state,       // the pool state written through to the file (a clean close)
  count_            // number of sites, not a site
};

std::string_view sync_site_name(SyncSite site) noexcept;

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
  // `site` says which of the engine's syncs this is; POSIX ignores it.
  virtual int fdatasync(int fd, SyncSite site) = 0;
  // fsync(2): the engine calls it on a directory after creating a log file
  // in it, so that the file's name is durable before anything relies on it.
  virtual int fsync(int fd, SyncSite site) = 0;
  virtual int ftruncate(int fd, std::uint64_t size) = 0;
  // The file's size (fstat), or -1 with errno.
  virtual std::int64_t size(int fd) = 0;
};

std::shared_ptr<FileIo> make_posix_file_io();

}  // namespace pschema
