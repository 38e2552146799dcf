#include "btree_systems.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace harness {

PschemaBtree::PschemaBtree()
    : file_("pschema-btree"), pool_(btreebench::Btree::create(file_.path(), pool_size, pool_options())) {
  require_backend(pool_.pool().info().backend, file_.path());
}

void PschemaBtree::for_each(const MapVisit& visit) const {
  pool_.read([&](const btreebench::Btree::Snapshot& snapshot) {
    std::vector<btreebench::Node::View> stack;
    if (std::optional<btreebench::Node::View> root = snapshot.root().root()) stack.push_back(*root);
    while (!stack.empty()) {
      const btreebench::Node::View node = stack.back();
      stack.pop_back();
      const auto n = static_cast<std::size_t>(node.n());
      for (std::size_t i = 0; i < n; ++i) visit(node.items()[i].key(), node.items()[i].value());
      for (std::size_t i = 0; i <= n; ++i) {
        if (std::optional<btreebench::Node::View> child = node.children()[i]) stack.push_back(*child);
      }
    }
  });
}

PmdkBtree::PmdkBtree() : PmdkMapSystem("pmdk-btree", PMDK_MAP_BTREE, 0) {}

PschemaMapSystem::PschemaMapSystem()
    : file_("pschema-map"), pool_(mapbench::U64Map::create(file_.path(), pool_size, pool_options())) {
  require_backend(pool_.pool().info().backend, file_.path());
}

void PschemaMapSystem::for_each(const MapVisit& visit) const {
  pool_.read([&](const mapbench::U64Map::Snapshot& snapshot) {
    for (auto [key, value] : snapshot.root().entries()) visit(key, value);
  });
}

}  // namespace harness
