// The hash behind struct type ids and pool fingerprints. Both are stored in
// pool files, so the hash must give the same value on every machine and in
// every version of the generator: it is FNV-1a (64 bits), never
// std::hash, and must never change.
#pragma once

#include <cstdint>
#include <string_view>

namespace pschema::gen {

std::uint64_t stable_hash(std::string_view text);

}  // namespace pschema::gen
