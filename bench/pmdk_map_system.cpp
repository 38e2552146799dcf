#include "pmdk_map_system.hpp"

#include <stdexcept>

#include "bst_systems.hpp"  // pool_size

namespace harness {

PmdkMapSystem::PmdkMapSystem(const std::string& file_name, pmdk_map_kind kind, std::uint32_t seed)
    : file_(file_name), map_(pmdk_map_create(file_.path().c_str(), pool_size, kind, seed)) {
  if (map_ == nullptr) {
    throw std::runtime_error("cannot create the PMDK pool " + file_.path() + ": " + pmdk_map_errormsg());
  }
}

int PmdkMapSystem::insert_entry(std::uint64_t key, std::uint64_t value) {
  const int r = pmdk_map_insert(map_, key, value);
  if (r < 0) throw std::runtime_error("PMDK insert of key " + std::to_string(key) + " failed: " + pmdk_map_errormsg());
  return r;
}

void PmdkMapSystem::for_each(const MapVisit& visit) const {
  auto trampoline = [](std::uint64_t key, std::uint64_t value, void* arg) -> int {
    (*static_cast<const MapVisit*>(arg))(key, value);
    return 0;
  };
  pmdk_map_foreach(map_, trampoline, const_cast<MapVisit*>(&visit));
}

}  // namespace harness
