#include "ownership_check.hpp"

#include <functional>
#include <map>
#include <set>

namespace pschema::gen {

namespace {

// Objects that pointers lead to live in the pool's heap: their type
// belongs to the pool, even when it is plain data.
std::set<const StructType*> pointed_to(const PoolType& pool) {
  std::set<const StructType*> targets;
  for (const StructType* s : pool.reachable) {
    std::function<void(const Type&)> note = [&](const Type& t) {
      if (facts(t.kind).heap_offset) targets.insert(t.element->structure);
      if (t.element) note(*t.element);
    };
    for (const Field& f : s->fields) note(f.type);
  }
  return targets;
}

}  // namespace

void check_pool_ownership(const Model& model, Diagnostics& d) {
  std::map<const StructType*, const PoolType*> owner;
  for (const auto& module : model.modules) {
    for (const auto& pool : module->pools) {
      const std::set<const StructType*> targets = pointed_to(*pool);
      for (const StructType* s : pool->reachable) {
        if (is_plain(Type::of(s)) && targets.count(s) == 0) continue;  // plain data held by value may be shared
        auto [it, inserted] = owner.emplace(s, pool.get());
        if (!inserted && it->second != pool.get()) {
          d.error(s->span, "struct '" + s->name +
                               "' holds or is the target of pointers and is reachable from the roots of pools '" +
                               it->second->name + "' and '" + pool->name +
                               "'; a type with pointers must belong to exactly one pool, so that no pointer can "
                               "lead from one pool into another (copy the plain fields into a separate struct "
                               "for each pool)");
        }
      }
    }
  }
}

}  // namespace pschema::gen
