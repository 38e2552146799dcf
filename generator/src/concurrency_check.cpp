#include "concurrency_check.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <string>

namespace pschema::gen {

namespace {

// map<K, mutex<T>>: a map whose entries are mutexes. Its entries move (on
// insert and erase) but it guards them with a lock of its own, taken
// exclusively to move them and shared to reach one (docs/runtime.md 8.1).
bool is_map_of_mutexes(const Type& type) { return type.kind == Kind::map && type.element->kind == Kind::mutex; }

// The first container in `type` that moves its elements (vec, map, T?)
// and would hold a mutex as one, or nullptr. A map of mutexes is allowed
// (its element's struct is checked as a struct of its own), but not
// inside a container that moves it: its lock is found by its address.
// Whether `type` holds, in place, a mutex or a map of mutexes: something
// that must not move.
bool holds_pinned(const Type& type) {
  if (contains_mutex(type) || is_map_of_mutexes(type)) return true;
  if (type.kind == Kind::structure) {
    return std::any_of(type.structure->fields.begin(), type.structure->fields.end(),
                       [](const Field& field) { return holds_pinned(field.type); });
  }
  const KindFacts& kind = facts(type.kind);
  return kind.in_place && !kind.moves_elements && holds_pinned(*type.element);
}

const Type* moving_container_of_mutex(const Type& type) {
  if (is_map_of_mutexes(type)) return nullptr;
  if (facts(type.kind).moves_elements && holds_pinned(*type.element)) return &type;
  if (type.element) return moving_container_of_mutex(*type.element);
  return nullptr;
}

// Whether `type` holds a pointer whose target shares a reference count.
bool is_shared_pointer(const Type& type) {
  if (facts(type.kind).counted) return true;
  return type.element && is_shared_pointer(*type.element);
}

}  // namespace

void check_mutex_placement(const Model& model, Diagnostics& d) {
  for (const auto& module : model.modules) {
    for (const auto& s : module->structs) {
      for (const Field& f : s->fields) {
        if (const Type* container = moving_container_of_mutex(f.type)) {
          d.error(f.span,
                  "field '" + f.name + "' has type '" + describe(f.type) + "': a mutex cannot be an element of '" +
                      describe(*container) +
                      "', which moves and copies its elements; hold it through a box, as in vec<box<T>>, or use "
                      "map<K, mutex<T>>");
        }
      }
    }
  }
}

void check_race_freedom(const Model& model, Diagnostics& d) {
  for (const auto& module : model.modules) {
    for (const auto& pool : module->pools) {
      if (!pool->concurrent || pool->root == nullptr) continue;
      bool reported = false;
      // Walks what lies outside every mutex: fields of the root, and of
      // structs held in place by them. `path` names the place from the root.
      // A struct already on the way is not entered again: such a cycle (an
      // infinite size) was reported by the layout pass, and this one runs
      // after errors too (analyzer.cpp).
      std::set<const StructType*> on_path;
      std::function<void(const StructType&, const std::string&)> walk = [&](const StructType& s,
                                                                            const std::string& path) {
        if (!on_path.insert(&s).second) return;
        for (const Field& f : s.fields) {
          const std::string here = path + "." + f.name;
          if (f.is_const) continue;
          const Type* t = &f.type;
          std::string where = here;
          while (t->kind == Kind::array) {  // elements of an array are places of their own
            t = t->element.get();
            where += "[]";
          }
          if (t->kind == Kind::mutex || is_map_of_mutexes(*t)) continue;  // guarded
          if (t->kind == Kind::structure) {
            walk(*t->structure, where);
            continue;
          }
          d.error(f.span, where + " is mutable and reachable by concurrent transactions without a mutex (pool '" +
                              pool->name + "' is concurrent); put it inside a mutex<T>" +
                              (is_scalar(t->kind) ? ", or declare it const" : ""));
          reported = true;
        }
        on_path.erase(&s);
      };
      walk(*pool->root, pool->root->name);
      if (reported) d.note(pool->span, "pool '" + pool->name + "' is declared concurrent here");

      for (const StructType* s : pool->reachable) {
        for (const Field& f : s->fields) {
          if (is_shared_pointer(f.type)) {
            d.error(f.span, "field '" + s->name + "." + f.name + "' has type '" + describe(f.type) +
                                "', which concurrent pool '" + pool->name +
                                "' cannot hold: objects guarded by different mutexes could share its reference "
                                "count; use box<T>");
          }
        }
      }
    }
  }
}

}  // namespace pschema::gen
