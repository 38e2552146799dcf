// Reading a benchmark program's command line (pschema_bench and
// pschema_mt_bench share it): arguments one by one, their values as
// numbers, lists or storage modes. Bad usage prints the message and the
// program's usage to stderr and exits with status 2; --help (or -h)
// prints the usage and exits with 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage.hpp"

namespace harness {

class CommandLine {
 public:
  CommandLine(int argc, char** argv, std::string_view program, std::string_view usage);

  // Moves to the next argument; false when there is none. Handles --help.
  bool next();
  std::string_view arg() const { return arg_; }

  // The value that follows the current argument.
  std::string_view value();
  // ... as a non-negative integer, decimal or 0x hex.
  std::uint64_t number();
  // ... split at commas, each a number (as number()).
  std::vector<std::uint64_t> numbers();
  // ... split at commas (an empty value gives no items).
  std::vector<std::string_view> list();
  // ... as a storage mode: pmem or msync.
  StorageMode storage_mode();

  [[noreturn]] void fail(std::string_view message) const;

 private:
  [[noreturn]] void not_a_number(std::string_view text) const;
  int argc_;
  char** argv_;
  int index_ = 0;
  std::string_view arg_;
  std::string_view program_;
  std::string_view usage_;
};

}  // namespace harness
