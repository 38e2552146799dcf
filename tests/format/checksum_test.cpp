#include "pschema/format/checksum.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <set>

TEST_CASE("checksum64 is deterministic and depends on every byte, the length and the seed") {
  std::array<unsigned char, 37> data{};
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 7 + 1);
  const std::uint64_t base = pschema::format::checksum64(data.data(), data.size(), 1);
  CHECK(base == pschema::format::checksum64(data.data(), data.size(), 1));
  CHECK(base != pschema::format::checksum64(data.data(), data.size(), 2));
  CHECK(base != pschema::format::checksum64(data.data(), data.size() - 1, 1));

  std::set<std::uint64_t> seen{base};
  for (std::size_t i = 0; i < data.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto copy = data;
      copy[i] ^= static_cast<unsigned char>(1u << bit);
      // A single flipped bit anywhere, the tail included, changes the sum.
      CHECK(seen.insert(pschema::format::checksum64(copy.data(), copy.size(), 1)).second);
    }
  }
}

TEST_CASE("checksum64 of zero-length input still depends on the seed") {
  CHECK(pschema::format::checksum64(nullptr, 0, 1) != pschema::format::checksum64(nullptr, 0, 2));
}
