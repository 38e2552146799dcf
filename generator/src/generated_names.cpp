#include "generated_names.hpp"

#include <algorithm>
#include <vector>

namespace pschema::gen {

namespace {

using enum GeneratedScope;

constexpr std::string_view set_prefix = "set_";
constexpr std::string_view init_prefix = "init_";

constexpr GeneratedName names[] = {
    // Every struct S: its nested classes, its type id (pschema::allocate_object
    // reads it), and the functions that give a new object its members and
    // free what it owns.
    {"View", struct_type, true},
    {"Mut", struct_type, true},
    {"Layout", struct_type, true},
    {"Value", struct_type, true},
    {"type_id", struct_type},
    {"init", struct_type},
    {"destroy", struct_type},
    // S::View and S::Mut, beside one accessor per field.
    {"to_value", struct_views},
    {"assign", struct_views},
    {"log_whole", struct_views},
    {"holds_mutex", struct_views},
    {"p_", struct_views},
    {"tx_", struct_views},
    {"base_", struct_views},
    {set_prefix, struct_views, false, true},
    {init_prefix, struct_views, false, true},
    // A pool class: what pschema::TypedPool gives it (read, transaction,
    // create, open, open_or_create, close, pool, Tx, Snapshot) and what the
    // emitter adds (schema_info, Ops).
    {"read", pool_class},
    {"transaction", pool_class},
    {"schema_info", pool_class},
    {"create", pool_class},
    {"open", pool_class},
    {"open_or_create", pool_class},
    {"close", pool_class},
    {"pool", pool_class},
    {"Ops", pool_class, true},
    {"Tx", pool_class, true},
    {"Snapshot", pool_class, true},
    // The first argument of each generated operation function.
    {"tx", operation},
    {"snapshot", operation},
};

std::vector<std::string_view> types_of(GeneratedScope scope) {
  std::vector<std::string_view> out;
  for (const GeneratedName& g : names) {
    if (g.scope == scope && g.is_type) out.push_back(g.name);
  }
  return out;
}

}  // namespace

std::span<const GeneratedName> generated_names() { return names; }

std::string setter_name(std::string_view field) { return std::string(set_prefix) + std::string(field); }

std::string initializer_name(std::string_view field) { return std::string(init_prefix) + std::string(field); }

const GeneratedName* find_generated_name(GeneratedScope scope, std::string_view name) {
  for (const GeneratedName& g : names) {
    if (g.scope == scope && (g.is_prefix ? name.substr(0, g.name.size()) == g.name : name == g.name)) return &g;
  }
  return nullptr;
}

bool is_generated_type(std::string_view name) {
  return std::any_of(std::begin(names), std::end(names),
                     [&](const GeneratedName& g) { return g.is_type && g.name == name; });
}

std::string list_of_names(GeneratedScope scope) {
  std::string out;
  for (const GeneratedName& g : names) {
    if (g.scope != scope) continue;
    if (!out.empty()) out += ", ";
    out += std::string(g.name) + (g.is_prefix ? "*" : "");
  }
  return out;
}

std::string sentence_of_types(GeneratedScope scope) {
  const std::vector<std::string_view> types = types_of(scope);
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out += i + 1 == types.size() ? " and " : ", ";
    out += types[i];
  }
  return out;
}

}  // namespace pschema::gen
