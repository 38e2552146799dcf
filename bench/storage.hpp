// Where the pools live and how both systems make them durable.
//
// pmem (the default): files in /dev/shm treated as persistent memory by
//   both systems (PMEM_IS_PMEM_FORCE=1), so both flush with the same
//   cache-line instructions and a fence, and neither pays for msync.
// msync: ordinary files on disk (/var/tmp by default) that libpmem does not
//   take for persistent memory (PMEM_IS_PMEM_FORCE=0), so both systems fall
//   back to msync(2) for every durability point.
#pragma once

#include <string>
#include <string_view>

#include "pschema/pool.hpp"

namespace harness {

enum class StorageMode { pmem, msync };

struct Storage {
  StorageMode mode = StorageMode::pmem;
  std::string dir;  // where the pool files go
  // --backend file: pschema's pools run the file engine (redo log) whatever
  // the medium, instead of the default the runtime picks (the undo engine
  // on persistent memory), to compare the two engines on the same storage.
  bool file_engine = false;
};

std::string_view name_of(StorageMode mode);
std::string_view default_dir(StorageMode mode);

// Call first thing in main, before anything calls into libpmem or
// libpmemobj: libpmem reads PMEM_IS_PMEM_FORCE once, at its first is-pmem
// check. Sets PMEM_IS_PMEM_FORCE to what `storage.mode` needs if it is
// unset, throws if it is set to anything else; then maps a probe file in
// storage.dir and throws unless libpmem's is-pmem answer is the one the
// mode needs. Remembers `storage` for ScratchFile and require_backend.
// Returns a note for the user (empty if there is nothing to say).
std::string configure_storage(const Storage& storage);
const Storage& storage();

// The options pschema's pools are created with: the defaults, as a user
// would open them, or Backend::file with --backend file.
pschema::PoolOptions pool_options();

// Throws unless `backend` (a pschema pool's PoolInfo::backend, opened with
// pool_options()) is the one the storage mode measures: on persistent
// memory pmem (or file with --backend file), on ordinary files file.
void require_backend(std::string_view backend, const std::string& path);

// A pool file name in storage().dir that is unique to this process and
// `label`. The file must not exist yet (the systems create it); it is
// removed when the ScratchFile goes away, and also at construction if an
// earlier run of this process id left it behind.
class ScratchFile {
 public:
  explicit ScratchFile(std::string_view label);
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile();
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

}  // namespace harness
