#include "fingerprints.hpp"

#include <functional>
#include <map>
#include <set>
#include <string>

#include "pschema/format/type_ids.hpp"
#include "stable_hash.hpp"

namespace pschema::gen {

namespace {

// The canonical layout of everything the pool can hold: any change to a
// field's type, offset or name changes it.
std::uint64_t fingerprint(const PoolType& pool) {
  std::string canonical = "pool " + pool.name + "\n";
  std::set<const EnumType*> enums;
  std::function<void(const Type&)> note_enums = [&](const Type& t) {
    if (t.kind == Kind::enumeration) enums.insert(t.enumeration);
    if (t.element) note_enums(*t.element);
  };
  for (const StructType* s : pool.reachable) {
    canonical += "struct " + s->name + " " + std::to_string(s->layout.size) + "/" + std::to_string(s->layout.align) +
                 " id " + std::to_string(s->type_id) + "\n";
    for (const Field& f : s->fields) {
      canonical += "  " + f.name + ": " + describe(f.type) + " @" + std::to_string(f.offset) +
                   (f.is_const ? " const" : "") + "\n";
      note_enums(f.type);
    }
  }
  for (const EnumType* e : enums) {
    canonical += "enum " + e->name + " " + describe(Type::scalar(e->underlying)) + "\n";
    for (const EnumValue& v : e->values) canonical += "  " + v.name + " = " + v.value + "\n";
  }
  return stable_hash(canonical);
}

}  // namespace

void assign_type_ids(Model& model, Diagnostics& d) {
  std::map<std::uint32_t, const StructType*> ids;
  for (auto& module : model.modules) {
    std::string prefix;
    for (const auto& part : module->namespace_parts) prefix += part + ".";
    for (auto& s : module->structs) {
      // The struct bits of a type id (pschema/format/type_ids.hpp): the
      // runtime marks shared (rc) blocks and its own blocks with the others.
      auto id = static_cast<std::uint32_t>(stable_hash(prefix + s->name) & format::type_ids::struct_id_mask);
      if (id == 0) id = 1;
      // Two structs of one name in one file were reported as declared twice
      // (this pass runs after errors too, analyzer.cpp).
      if (auto [it, inserted] = ids.emplace(id, s.get());
          !inserted && !(it->second->module == s->module && it->second->name == s->name)) {
        d.error(s->span,
                "struct '" + s->name + "' has the same type id as '" + it->second->name + "'; rename one of them");
      }
      s->type_id = id;
    }
  }
}

void compute_fingerprints(Model& model) {
  for (auto& module : model.modules) {
    for (auto& pool : module->pools) pool->fingerprint = fingerprint(*pool);
  }
}

}  // namespace pschema::gen
