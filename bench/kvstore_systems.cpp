#include "kvstore_systems.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace harness {

HashCoefficients draw_hash_coefficients(std::uint32_t seed) {
  std::srand(seed);
  HashCoefficients c{};
  do {
    c.a = static_cast<std::uint32_t>(std::rand());
  } while (c.a == 0);
  c.b = static_cast<std::uint32_t>(std::rand());
  return c;
}

PschemaKv::PschemaKv() : file_("pschema-kv"), pool_(kvbench::KvStore::create(file_.path(), pool_size, pool_options())) {
  // Default options, as a user would open it (unless --backend file): the
  // backend follows libpmem's is-pmem answer, which must be the one the
  // storage mode measures.
  require_backend(pool_.pool().info().backend, file_.path());
  const HashCoefficients c = draw_hash_coefficients(kv_seed);
  pool_.init(kv_seed, c.a, c.b);
}

void PschemaKv::for_each(const MapVisit& visit) const {
  pool_.read([&](const kvbench::KvStore::Snapshot& snapshot) {
    for (std::optional<kvbench::Entry::View> head : snapshot.root().buckets().chains()) {
      for (std::optional<kvbench::Entry::View> entry = head; entry; pschema::rebind(entry, entry->next())) {
        visit(entry->key(), entry->value());
      }
    }
  });
}

PmdkKv::PmdkKv() : PmdkMapSystem("pmdk-kv", PMDK_MAP_HASHMAP_TX, kv_seed) {}

VolatileKvSystem::VolatileKvSystem() {
  const HashCoefficients c = draw_hash_coefficients(kv_seed);
  map_.init(c.a, c.b);
}

}  // namespace harness
