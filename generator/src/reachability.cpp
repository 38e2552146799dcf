#include "reachability.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

namespace pschema::gen {

namespace {

std::vector<const StructType*> reachable_from(const StructType* root) {
  std::vector<const StructType*> reachable;
  std::set<const StructType*> seen;
  std::vector<const StructType*> stack{root};
  while (!stack.empty()) {
    const StructType* s = stack.back();
    stack.pop_back();
    if (!seen.insert(s).second) continue;
    reachable.push_back(s);
    std::function<void(const Type&)> walk = [&](const Type& t) {
      if (t.kind == Kind::structure) stack.push_back(t.structure);
      if (t.element) walk(*t.element);
    };
    for (const Field& f : s->fields) walk(f.type);
  }
  // Root first, then the others in a stable order.
  std::sort(reachable.begin() + 1, reachable.end(),
            [](const StructType* a, const StructType* b) { return a->name < b->name; });
  return reachable;
}

}  // namespace

void find_reachable_structs(Model& model) {
  for (auto& module : model.modules) {
    for (auto& pool : module->pools) {
      if (pool->root != nullptr) pool->reachable = reachable_from(pool->root);
    }
  }
}

}  // namespace pschema::gen
