// Where the pools live: files in /dev/shm, treated as persistent memory by
// both systems (PMEM_IS_PMEM_FORCE=1), so that both flush with the same
// cache-line instructions and neither pays for msync.
#pragma once

#include <string>
#include <string_view>

namespace harness {

inline constexpr std::string_view pool_dir = "/dev/shm";

// Call first thing in main, before anything calls into libpmem or
// libpmemobj. If PMEM_IS_PMEM_FORCE is unset, sets it to 1 for this
// process (libpmem reads it once, at its first is-pmem check, which is why
// this must come before any pool is made); if it is set to anything else,
// throws. Then maps a probe file in pool_dir with libpmem and throws unless
// libpmem reports it as persistent memory. Returns a note for the user.
std::string require_emulated_pmem();

// A pool file name in pool_dir that is unique to this process and `label`.
// The file must not exist yet (the systems create it); it is removed when
// the ScratchFile goes away, and also at construction if an earlier run of
// this process id left it behind.
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
