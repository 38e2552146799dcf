#include "command_line.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <system_error>

namespace harness {

namespace {

// A non-negative integer, decimal or 0x hex, into `out`; false if `text` is not one.
bool parse_number(std::string_view text, std::uint64_t& out) {
  int base = 10;
  if (text.starts_with("0x")) {
    text.remove_prefix(2);
    base = 16;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

}  // namespace

CommandLine::CommandLine(int argc, char** argv, std::string_view program, std::string_view usage)
    : argc_(argc), argv_(argv), program_(program), usage_(usage) {}

bool CommandLine::next() {
  if (++index_ >= argc_) return false;
  arg_ = argv_[index_];
  if (arg_ == "--help" || arg_ == "-h") {
    std::cout << usage_;
    std::exit(0);
  }
  return true;
}

std::string_view CommandLine::value() {
  if (index_ + 1 >= argc_) fail(std::string(arg_) + " needs a value");
  return argv_[++index_];
}

std::uint64_t CommandLine::number() {
  const std::string_view text = value();
  std::uint64_t result = 0;
  if (!parse_number(text, result)) not_a_number(text);
  return result;
}

std::vector<std::uint64_t> CommandLine::numbers() {
  std::vector<std::uint64_t> result;
  for (std::string_view item : list()) {
    if (!parse_number(item, result.emplace_back())) not_a_number(item);
  }
  return result;
}

void CommandLine::not_a_number(std::string_view text) const {
  fail(std::string(arg_) + " needs a non-negative integer, not '" + std::string(text) + "'");
}

std::vector<std::string_view> CommandLine::list() {
  std::string_view text = value();
  std::vector<std::string_view> items;
  while (!text.empty()) {
    const std::size_t comma = std::min(text.find(','), text.size());
    items.push_back(text.substr(0, comma));
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return items;
}

StorageMode CommandLine::storage_mode() {
  const std::string_view mode = value();
  if (mode == "pmem") return StorageMode::pmem;
  if (mode == "msync") return StorageMode::msync;
  fail(std::string(arg_) + " must be pmem or msync, not '" + std::string(mode) + "'");
}

void CommandLine::fail(std::string_view message) const {
  std::cerr << program_ << ": " << message << "\n" << usage_;
  std::exit(2);
}

}  // namespace harness
