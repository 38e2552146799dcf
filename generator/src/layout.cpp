#include "layout.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace pschema::gen {

namespace {

// Deeper nesting of structs by value is refused: no real schema comes
// close, and computing layouts recurses once per level.
constexpr std::size_t max_nesting = 64;
// The largest object a struct may describe (1 TiB).
constexpr std::uint64_t max_object_size = std::uint64_t{1} << 40;

class LayoutComputer {
 public:
  LayoutComputer(BrokenStructs& broken, Diagnostics& d) : broken_(broken), d_(d) {}

  // Lays out `type` after the structs it holds by value; false when it is broken.
  bool compute(StructType& type);

 private:
  enum class State { none, in_progress, done };

  bool contained_ok(const Type& t);
  void report_cycle(const StructType& type);

  BrokenStructs& broken_;
  Diagnostics& d_;
  std::map<const StructType*, State> state_;
  std::vector<const StructType*> path_;  // the structs being laid out, outermost first
  std::vector<const Field*> via_;        // via_[i]: the field of path_[i] being laid out
};

// A cycle of by-value containment: reported once, at the field that closes
// it (the one a user most likely just added), with a note at every field on
// the way, so that a long cycle across files can be followed step by step.
void LayoutComputer::report_cycle(const StructType& type) {
  const auto start = static_cast<std::size_t>(std::find(path_.begin(), path_.end(), &type) - path_.begin());
  std::string chain;
  for (std::size_t i = start; i < path_.size(); ++i) chain += path_[i]->name + " -> ";
  chain += type.name;
  const Field& closing = *via_.back();
  d_.error(closing.span, "field '" + closing.name + "' of struct '" + path_.back()->name +
                             "' closes a cycle of structs held by value (" + chain + "): struct '" + type.name +
                             "' would contain itself and have infinite size; hold it through box<" + type.name +
                             ">? here instead");
  // The closing step is the error itself.
  for (std::size_t i = start; i + 1 < path_.size(); ++i) {
    d_.note(via_[i]->span, "struct '" + path_[i]->name + "' holds '" + path_[i + 1]->name +
                               "' by value through field '" + via_[i]->name + "'");
  }
  for (std::size_t i = start; i < path_.size(); ++i) broken_.insert(path_[i]);
}

// Whether the structs `t` holds by value (itself, or elements kept in
// place) could be laid out; only they must come before the holder.
bool LayoutComputer::contained_ok(const Type& t) {
  // Types point to structs as const; every struct belongs to the model
  // being laid out, which is not.
  if (t.kind == Kind::structure) return compute(*const_cast<StructType*>(t.structure));
  if (facts(t.kind).in_place) return contained_ok(*t.element);
  return true;
}

bool LayoutComputer::compute(StructType& type) {
  State& state = state_[&type];
  if (state == State::done) return broken_.count(&type) == 0;
  if (state == State::in_progress) {
    report_cycle(type);
    return false;
  }
  // A struct with a wrong field is laid out from the fields it kept, so
  // that the checks that run after errors (analyzer.cpp) know whether it is
  // plain; it stays broken.
  const bool had_wrong_field = broken_.count(&type) != 0;
  if (path_.size() >= max_nesting) {
    d_.error(type.span, "struct '" + type.name + "' is nested by value more than " + std::to_string(max_nesting) +
                            " levels deep inside other structs");
    broken_.insert(&type);
    state = State::done;
    return false;
  }
  state = State::in_progress;
  path_.push_back(&type);
  bool ok = true;
  std::uint64_t offset = 0, align = 1;
  for (Field& field : type.fields) {
    via_.push_back(&field);
    const bool contained = contained_ok(field.type);
    via_.pop_back();
    if (!contained) {
      ok = false;
      continue;
    }
    field.layout = layout_of(field.type);
    offset = (offset + field.layout.align - 1) / field.layout.align * field.layout.align;
    field.offset = offset;
    // No object may come near 2^64 bytes: sizes are computed in 64 bits and
    // must not wrap (layout_of saturates an overflowing array).
    if (field.layout.size > max_object_size || offset > max_object_size - field.layout.size) {
      d_.error(field.span, "field '" + field.name + "' makes struct '" + type.name + "' larger than " +
                               std::to_string(max_object_size >> 30) + " GiB, more than a pool can hold");
      ok = false;
      break;
    }
    offset += field.layout.size;
    align = std::max(align, field.layout.align);
  }
  path_.pop_back();
  // The structs held by value are done: asking whether a field is plain
  // reads their flag, it does not recurse.
  type.plain = ok && std::all_of(type.fields.begin(), type.fields.end(),
                                 [](const Field& field) { return is_plain(field.type); });
  if (type.fields.empty()) offset = 1;  // one reserved byte: C++ objects are never empty
  type.layout = Layout{(offset + align - 1) / align * align, align};
  state_[&type] = State::done;
  if (!ok || had_wrong_field) broken_.insert(&type);
  return ok && !had_wrong_field;
}

}  // namespace

void compute_layouts(Model& model, BrokenStructs& broken, Diagnostics& d) {
  LayoutComputer computer(broken, d);
  for (auto& module : model.modules) {
    for (auto& s : module->structs) computer.compute(*s);
  }
}

}  // namespace pschema::gen
