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

PschemaKv::PschemaKv() : file_("pschema-kv"), pool_(kvbench::KvStore::create(file_.path(), pool_size)) {
  const std::string backend(pool_.pool().info().backend);
  if (backend != "pmem") {
    throw std::runtime_error("the pschema pool " + file_.path() + " uses the '" + backend +
                             "' backend, not pmem; is PMEM_IS_PMEM_FORCE=1 in effect?");
  }
  const HashCoefficients c = draw_hash_coefficients(kv_seed);
  pool_.init(kv_seed, c.a, c.b);
}

void PschemaKv::for_each(const MapVisit& visit) const {
  pool_.read([&](const kvbench::KvStore::Snapshot& snapshot) {
    for (std::optional<kvbench::Entry::View> head : snapshot.root().buckets().chains()) {
      for (std::optional<kvbench::Entry::View> entry = head; entry; entry = entry->next()) {
        visit(entry->key(), entry->value());
      }
    }
  });
}

PmdkKv::PmdkKv()
    : file_("pmdk-kv"), map_(pmdk_map_create(file_.path().c_str(), pool_size, PMDK_MAP_HASHMAP_TX, kv_seed)) {
  if (map_ == nullptr) {
    throw std::runtime_error("cannot create the PMDK pool " + file_.path() + ": " + pmdk_map_errormsg());
  }
}

bool PmdkKv::insert(std::uint64_t key, std::uint64_t value) {
  const int r = pmdk_map_insert(map_, key, value);
  if (r < 0) throw std::runtime_error("PMDK insert of key " + std::to_string(key) + " failed: " + pmdk_map_errormsg());
  return r == 0;
}

void PmdkKv::for_each(const MapVisit& visit) const {
  auto trampoline = [](std::uint64_t key, std::uint64_t value, void* arg) -> int {
    (*static_cast<const MapVisit*>(arg))(key, value);
    return 0;
  };
  pmdk_map_foreach(map_, trampoline, const_cast<MapVisit*>(&visit));
}

VolatileKvSystem::VolatileKvSystem() {
  const HashCoefficients c = draw_hash_coefficients(kv_seed);
  map_.init(c.a, c.b);
}

}  // namespace harness
