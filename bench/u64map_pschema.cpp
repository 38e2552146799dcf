// The operations of u64map.pschema: each one call on the generated map.
#include <cstdint>
#include <optional>

#include "u64map.pschema.h"

using mapbench::U64Map;

bool U64Map::Ops::insert(Tx& tx, std::uint64_t key, std::uint64_t value) {
  return tx.root().entries().insert(key, value);
}

std::optional<std::uint64_t> U64Map::Ops::get(const Snapshot& snapshot, std::uint64_t key) {
  return snapshot.root().entries().find(key);
}

bool U64Map::Ops::remove(Tx& tx, std::uint64_t key) { return tx.root().entries().erase(key); }

std::uint64_t U64Map::Ops::count(const Snapshot& snapshot) { return snapshot.root().entries().size(); }
