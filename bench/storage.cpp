#include "storage.hpp"

#include <libpmem.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace harness {

std::string require_emulated_pmem() {
  std::string note;
  const char* force = std::getenv("PMEM_IS_PMEM_FORCE");
  if (force == nullptr) {
    if (::setenv("PMEM_IS_PMEM_FORCE", "1", 1) != 0) {
      throw std::runtime_error("cannot set PMEM_IS_PMEM_FORCE: " + std::string(std::strerror(errno)));
    }
    note = "PMEM_IS_PMEM_FORCE was not set: set to 1 for this process, before any pmem call";
  } else if (std::string_view(force) != "1") {
    throw std::runtime_error("PMEM_IS_PMEM_FORCE=" + std::string(force) +
                             ": both systems must treat the pool files in " + std::string(pool_dir) +
                             " as persistent memory; run with PMEM_IS_PMEM_FORCE=1 (or unset it and the "
                             "benchmark sets it to 1 itself)");
  }

  ScratchFile probe("probe");
  std::size_t mapped = 0;
  int is_pmem = 0;
  void* address = pmem_map_file(probe.path().c_str(), 4096, PMEM_FILE_CREATE | PMEM_FILE_EXCL, 0600, &mapped,
                                &is_pmem);
  if (address == nullptr) {
    throw std::runtime_error("cannot map a probe file in " + std::string(pool_dir) + ": " + pmem_errormsg());
  }
  pmem_unmap(address, mapped);
  if (is_pmem == 0) {
    throw std::runtime_error("libpmem does not treat " + probe.path() +
                             " as persistent memory although PMEM_IS_PMEM_FORCE=1; refusing to compare "
                             "msync-backed pools");
  }
  return note;
}

ScratchFile::ScratchFile(std::string_view label)
    : path_(std::string(pool_dir) + "/pschema-bench-" + std::to_string(::getpid()) + "-" + std::string(label) +
            ".pool") {
  ::unlink(path_.c_str());
}

ScratchFile::~ScratchFile() { ::unlink(path_.c_str()); }

}  // namespace harness
