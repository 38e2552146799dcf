#include "cycle_checks.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "strongly_connected.hpp"

namespace pschema::gen {

namespace {

// The structs that making a `from` makes too: those it holds in place (by
// value, as array elements, inside a mutex), and the targets of its
// pointers that are never empty. A T? or a container starts empty.
std::vector<const StructType*> eager_targets(const StructType* from) {
  std::vector<const StructType*> out;
  std::vector<const Type*> pending;
  for (const Field& f : from->fields) pending.push_back(&f.type);
  while (!pending.empty()) {
    const Type* t = pending.back();
    pending.pop_back();
    if (t->kind == Kind::structure) out.push_back(t->structure);
    if (facts(t->kind).never_empty) out.push_back(t->element->structure);
    if (facts(t->kind).in_place && !facts(t->kind).moves_elements) pending.push_back(t->element.get());
  }
  return out;
}

// The structs a `from` keeps alive: those it holds by value, and the
// targets of its rc<T> and rc<T>? fields (weak<T> keeps nothing alive).
std::vector<const StructType*> rc_targets(const StructType* from) {
  std::vector<const StructType*> out;
  for (const Field& f : from->fields) {
    const Type* t = &f.type;
    if (t->kind == Kind::optional) t = t->element.get();
    if (t->kind == Kind::rc) out.push_back(t->element->structure);
    if (t->kind == Kind::structure) out.push_back(t->structure);
  }
  return out;
}

bool has_rc_field(const StructType& s) {
  return std::any_of(s.fields.begin(), s.fields.end(), [](const Field& f) {
    return f.type.kind == Kind::rc || (f.type.kind == Kind::optional && f.type.element->kind == Kind::rc);
  });
}

}  // namespace

void check_eager_cycles(const Model& model, const BrokenStructs& broken, Diagnostics& d) {
  // Depth-first search with an explicit stack; state 1 = on the path.
  std::map<const StructType*, int> state;
  for (const auto& module : model.modules) {
    for (const auto& root : module->structs) {
      if (state[root.get()] != 0 || broken.count(root.get()) != 0) continue;
      struct Frame {
        const StructType* type;
        std::vector<const StructType*> next;
        std::size_t index = 0;
      };
      std::vector<Frame> path;
      state[root.get()] = 1;
      path.push_back({root.get(), eager_targets(root.get())});
      while (!path.empty()) {
        Frame& top = path.back();
        if (top.index == top.next.size()) {
          state[top.type] = 2;
          path.pop_back();
          continue;
        }
        const StructType* next = top.next[top.index++];
        if (state[next] == 1) {
          std::string chain;
          auto start = std::find_if(path.begin(), path.end(), [&](const Frame& f) { return f.type == next; });
          for (auto it = start; it != path.end(); ++it) chain += it->type->name + " -> ";
          d.error(next->span, "struct '" + next->name + "' always owns another '" + next->name + "' (" + chain +
                                  next->name +
                                  " through box<> or rc<> without '?'), so making one would never end; "
                                  "make a link optional, as in box<" +
                                  next->name + ">?");
          continue;
        }
        if (state[next] == 0 && broken.count(next) == 0) {
          state[next] = 1;
          path.push_back({next, eager_targets(next)});
        }
      }
    }
  }
}

// Every cycle of the rc_targets graph has an rc edge (a cycle by value
// alone is an infinite size, refused earlier). A struct with an rc field
// on such a cycle is warned about.
void check_rc_cycles(const Model& model, Diagnostics& d) {
  std::vector<const StructType*> structs;
  std::map<const StructType*, std::size_t> number;
  for (const auto& module : model.modules) {
    for (const auto& s : module->structs) {
      number[s.get()] = structs.size();
      structs.push_back(s.get());
    }
  }
  std::vector<std::vector<std::size_t>> successors(structs.size());
  for (std::size_t i = 0; i < structs.size(); ++i) {
    for (const StructType* target : rc_targets(structs[i])) successors[i].push_back(number.at(target));
  }
  const std::vector<bool> on_cycle = nodes_on_cycles(successors);
  for (std::size_t i = 0; i < structs.size(); ++i) {
    if (on_cycle[i] && has_rc_field(*structs[i])) {
      d.warning(structs[i]->span, "struct '" + structs[i]->name +
                                      "' can reach itself through rc<> pointers alone: a "
                                      "cycle of rc pointers is never freed; make one of them weak<>");
    }
  }
}

}  // namespace pschema::gen
