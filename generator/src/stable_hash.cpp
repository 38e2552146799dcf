#include "stable_hash.hpp"

namespace pschema::gen {

std::uint64_t stable_hash(std::string_view text) {
  // FNV-1a: the 64-bit offset basis and prime.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace pschema::gen
