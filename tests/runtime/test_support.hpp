// Shared helpers for runtime tests: scratch directories and a test schema.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "pschema/pool.hpp"
#include "pschema/schema_info.hpp"

namespace test_support {

// A fresh directory removed at the end of the test. Placed in /dev/shm when
// it exists (tmpfs: msync is cheap, like the emulated PM the benchmarks
// use), else in the system temp directory.
class ScratchDir {
 public:
  ScratchDir() {
    std::filesystem::path root =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::string pattern = (root / "pschema-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A root object of `root_size` bytes, type id 1.
inline pschema::SchemaInfo test_schema(std::uint32_t root_size = 256, std::string_view name = "test.Pool",
                                       std::uint64_t fingerprint = 0x1234) {
  pschema::SchemaInfo info;
  info.name = name;
  info.fingerprint = fingerprint;
  info.text = "package test;\nstruct Root { data: array<u8, 256>; }\npool Pool { root: Root; }\n";
  info.root_size = root_size;
  info.root_type_id = 1;
  return info;
}

constexpr std::size_t small_pool = 4 << 20;

// Options that choose `backend` (undo on pmem or msync, or the file engine).
inline pschema::PoolOptions with_backend(pschema::Backend backend) {
  pschema::PoolOptions options;
  options.backend = backend;
  return options;
}

// The seed of a randomised test: PSCHEMA_TEST_SEED if set (to replay a
// failure), else a random one. Tests CAPTURE it so a failure prints it.
inline unsigned test_seed() {
  if (const char* text = std::getenv("PSCHEMA_TEST_SEED")) return static_cast<unsigned>(std::strtoul(text, nullptr, 0));
  return std::random_device{}();
}

}  // namespace test_support
