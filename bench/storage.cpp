#include "storage.hpp"

#include <libpmem.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace harness {

namespace {
Storage configured;
}  // namespace

std::string_view name_of(StorageMode mode) { return mode == StorageMode::pmem ? "pmem" : "msync"; }

std::string_view default_dir(StorageMode mode) { return mode == StorageMode::pmem ? "/dev/shm" : "/var/tmp"; }

const Storage& storage() { return configured; }

std::string configure_storage(const Storage& wanted) {
  configured = wanted;
  const bool pmem = wanted.mode == StorageMode::pmem;
  const std::string_view force_value = pmem ? "1" : "0";
  std::string note;
  const char* force = std::getenv("PMEM_IS_PMEM_FORCE");
  if (force == nullptr) {
    if (::setenv("PMEM_IS_PMEM_FORCE", std::string(force_value).c_str(), 1) != 0) {
      throw std::runtime_error("cannot set PMEM_IS_PMEM_FORCE: " + std::string(std::strerror(errno)));
    }
    note = "PMEM_IS_PMEM_FORCE was not set: set to " + std::string(force_value) +
           " for this process, before any pmem call";
  } else if (std::string_view(force) != force_value) {
    throw std::runtime_error("PMEM_IS_PMEM_FORCE=" + std::string(force) + " but the " +
                             std::string(name_of(wanted.mode)) + " storage needs " + std::string(force_value) +
                             " for both systems; set it so (or unset it and the benchmark sets it itself)");
  }

  std::error_code ec;
  std::filesystem::create_directories(wanted.dir, ec);
  ScratchFile probe("probe");
  std::size_t mapped = 0;
  int is_pmem = 0;
  void* address = pmem_map_file(probe.path().c_str(), 4096, PMEM_FILE_CREATE | PMEM_FILE_EXCL, 0600, &mapped, &is_pmem);
  if (address == nullptr) {
    throw std::runtime_error("cannot map a probe file in " + wanted.dir + ": " + pmem_errormsg());
  }
  pmem_unmap(address, mapped);
  if ((is_pmem != 0) != pmem) {
    throw std::runtime_error("libpmem " + std::string(is_pmem ? "treats " : "does not treat ") + probe.path() +
                             " as persistent memory, which the " + std::string(name_of(wanted.mode)) +
                             " storage does not expect; refusing to compare");
  }
  return note;
}

pschema::PoolOptions pool_options() {
  pschema::PoolOptions options;
  if (configured.file_engine) options.backend = pschema::Backend::file;
  return options;
}

void require_backend(std::string_view backend, const std::string& path) {
  // On ordinary files a user's pool runs on the file engine (the msync
  // backend must be asked for).
  const std::string_view expected = configured.mode == StorageMode::pmem && !configured.file_engine ? "pmem" : "file";
  if (backend != expected) {
    throw std::runtime_error("the pschema pool " + path + " uses the '" + std::string(backend) + "' backend, not " +
                             std::string(expected) + "; is PMEM_IS_PMEM_FORCE what the storage mode needs?");
  }
}

ScratchFile::ScratchFile(std::string_view label)
    : path_(configured.dir + "/pschema-bench-" + std::to_string(::getpid()) + "-" + std::string(label) + ".pool") {
  ::unlink(path_.c_str());
}

ScratchFile::~ScratchFile() { ::unlink(path_.c_str()); }

}  // namespace harness
