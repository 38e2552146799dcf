#include "schema_diff.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace pschema::gen {

namespace {

std::string package_prefix(const Module& module) {
  std::string prefix;
  for (const std::string& part : module.namespace_parts) prefix += part + ".";
  return prefix;
}

template <class Decl>
std::string qualified(const Decl& decl) {
  return package_prefix(*decl.module) + decl.name;
}

// The outcome of comparing one type with another: nothing when the data
// stays as it is, else a verdict and why.
struct TypeChange {
  Verdict verdict;
  std::string why;
};

Verdict worst(Verdict a, Verdict b) { return std::max(a, b); }

// "struct 'Kind'" or "enum 'Kind'" for a user type (a struct may become an
// enum of the same name), the type as written otherwise.
std::string kind_and_name(const Type& type) {
  if (type.kind == Kind::structure) return "struct '" + type.structure->name + "'";
  if (type.kind == Kind::enumeration) return "enum '" + type.enumeration->name + "'";
  return describe(type);
}

bool is_unsigned_integer(Kind kind) { return facts(kind).integer && !facts(kind).is_signed; }

// u8 -> u16 -> u32 -> u64, i8 -> ... -> i64, and unsigned to a strictly
// wider signed type: every old value is a new value.
bool widens(Kind from, Kind to) {
  const KindFacts& a = facts(from);
  const KindFacts& b = facts(to);
  if (from == Kind::f32 && to == Kind::f64) return true;
  if (!a.integer || !b.integer) return false;
  if (a.is_signed == b.is_signed) return b.layout.size > a.layout.size;
  return is_unsigned_integer(from) && b.layout.size > a.layout.size;
}

class SchemaDiff {
 public:
  SchemaDiff(const Model& old_schema, const Model& new_schema) : old_(old_schema), new_(new_schema) {}

  std::vector<SchemaChange> run() {
    match_types();
    for (const auto& [o, n] : struct_pairs_) diff_struct(*o, *n);
    for (const auto& [o, n] : enum_pairs_) diff_enum(*o, *n);
    diff_pools();
    diff_operations();
    // By subject, then in the order found. (Not std::stable_sort: with
    // libstdc++ 12 it uses get_temporary_buffer, which clang-19 flags as
    // deprecated.)
    std::vector<std::size_t> order(changes_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(changes_[a].subject, a) < std::tie(changes_[b].subject, b);
    });
    std::vector<SchemaChange> sorted;
    sorted.reserve(order.size());
    for (std::size_t i : order) sorted.push_back(std::move(changes_[i]));
    return sorted;
  }

 private:
  void add(Verdict verdict, std::string kind, std::string subject, Span old_side, Span new_side, std::string text) {
    changes_.push_back(SchemaChange{verdict, std::move(kind), std::move(subject), old_side, new_side, std::move(text)});
  }

  // ---- Types: which new struct or enum continues which old one.

  template <class Decl>
  static std::map<std::string, const Decl*> by_name(const Model& model, std::vector<Owned<Decl>> Module::* list) {
    std::map<std::string, const Decl*> out;
    for (const auto& module : model.modules) {
      for (const auto& decl : (*module).*list) out.emplace(qualified(*decl), decl.get());
    }
    return out;
  }

  // A `@was` marker first (it may name a declaration the old schema has
  // under a name the new one reuses), then the same name. A `@was` whose
  // old name the old schema does not have is an earlier rename: ignored.
  template <class Decl>
  static void match(const std::map<std::string, const Decl*>& olds, const std::map<std::string, const Decl*>& news,
                    std::map<const Decl*, const Decl*>& old_to_new,
                    std::vector<std::pair<const Decl*, const Decl*>>& pairs) {
    std::set<const Decl*> matched_new;
    for (const auto& [name, n] : news) {
      if (n->was.name.empty()) continue;
      auto it = olds.find(package_prefix(*n->module) + n->was.name);
      if (it == olds.end() || old_to_new.count(it->second) != 0) continue;
      old_to_new[it->second] = n;
      matched_new.insert(n);
    }
    for (const auto& [name, n] : news) {
      if (matched_new.count(n) != 0) continue;
      auto it = olds.find(name);
      if (it == olds.end() || old_to_new.count(it->second) != 0) continue;
      old_to_new[it->second] = n;
      matched_new.insert(n);
    }
    for (const auto& [o, n] : old_to_new) pairs.emplace_back(o, n);
    std::sort(pairs.begin(), pairs.end(),
              [](const auto& a, const auto& b) { return qualified(*a.second) < qualified(*b.second); });
  }

  void match_types() {
    const auto old_structs = by_name(old_, &Module::structs);
    const auto new_structs = by_name(new_, &Module::structs);
    const auto old_enums = by_name(old_, &Module::enums);
    const auto new_enums = by_name(new_, &Module::enums);
    match(old_structs, new_structs, struct_map_, struct_pairs_);
    match(old_enums, new_enums, enum_map_, enum_pairs_);

    std::set<const StructType*> new_structs_matched;
    for (const auto& [o, n] : struct_map_) new_structs_matched.insert(n);
    std::set<const EnumType*> new_enums_matched;
    for (const auto& [o, n] : enum_map_) new_enums_matched.insert(n);

    // A name that was a struct and is now an enum, or the reverse.
    std::set<std::string> kind_changed;
    for (const auto& [name, o] : old_structs) {
      auto e = new_enums.find(name);
      if (struct_map_.count(o) != 0 || e == new_enums.end() || new_enums_matched.count(e->second) != 0) continue;
      kind_changed.insert(name);
      add(Verdict::refused, "type-kind-changed", name, o->span, e->second->span,
          "struct '" + o->name + "' became an enum: stored objects cannot become numbers");
    }
    for (const auto& [name, o] : old_enums) {
      auto s = new_structs.find(name);
      if (enum_map_.count(o) != 0 || s == new_structs.end() || new_structs_matched.count(s->second) != 0) continue;
      kind_changed.insert(name);
      add(Verdict::refused, "type-kind-changed", name, o->span, s->second->span,
          "enum '" + o->name + "' became a struct: stored numbers cannot become objects");
    }

    for (const auto& [name, n] : new_structs) {
      if (new_structs_matched.count(n) != 0 || kind_changed.count(name) != 0) continue;
      add(Verdict::compatible, "struct-added", name, {}, n->span, "struct '" + n->name + "' added");
    }
    for (const auto& [name, n] : new_enums) {
      if (new_enums_matched.count(n) != 0 || kind_changed.count(name) != 0) continue;
      add(Verdict::compatible, "enum-added", name, {}, n->span, "enum '" + n->name + "' added");
    }
    for (const auto& [name, o] : old_structs) {
      if (struct_map_.count(o) != 0 || kind_changed.count(name) != 0) continue;
      add(Verdict::compatible, "struct-removed", name, o->span, {},
          "struct '" + o->name +
              "' removed; its objects go with the fields that held them (each listed as its own change)");
    }
    for (const auto& [name, o] : old_enums) {
      if (enum_map_.count(o) != 0 || kind_changed.count(name) != 0) continue;
      add(Verdict::compatible, "enum-removed", name, o->span, {},
          "enum '" + o->name + "' removed; the fields that held it are listed as their own changes");
    }
  }

  // ---- Comparing two types, old and new.

  std::optional<TypeChange> compare(const Type& o, const Type& n) const {
    if (o.kind != n.kind) return compare_kinds(o, n);
    switch (o.kind) {
      case Kind::structure: {
        auto it = struct_map_.find(o.structure);
        if (it != struct_map_.end() && it->second == n.structure) return std::nullopt;
        return TypeChange{Verdict::refused, "struct '" + o.structure->name + "' is not struct '" + n.structure->name +
                                                "' (a renamed struct needs @was(" + o.structure->name + "))"};
      }
      case Kind::enumeration: {
        auto it = enum_map_.find(o.enumeration);
        if (it != enum_map_.end() && it->second == n.enumeration) return std::nullopt;
        return TypeChange{Verdict::refused, "enum '" + o.enumeration->name + "' is not enum '" + n.enumeration->name +
                                                "' (a renamed enum needs @was(" + o.enumeration->name + "))"};
      }
      case Kind::map: {
        if (compare(*o.key, *n.key)) {
          return TypeChange{Verdict::refused, "the key of a map changed from " + describe(*o.key) + " to " +
                                                  describe(*n.key) + ": its entries are ordered by the old key"};
        }
        return compare(*o.element, *n.element);
      }
      case Kind::array: {
        std::optional<TypeChange> element = compare(*o.element, *n.element);
        if (o.length == n.length) return element;
        if (n.length < o.length) {
          return TypeChange{Verdict::refused, "the array shrinks from " + std::to_string(o.length) + " to " +
                                                  std::to_string(n.length) + " elements: the last ones would be lost"};
        }
        TypeChange grown{Verdict::compatible, "the array grows from " + std::to_string(o.length) + " to " +
                                                  std::to_string(n.length) + " elements (the new ones zero)"};
        if (element) {
          grown.verdict = worst(grown.verdict, element->verdict);
          grown.why += "; " + element->why;
        }
        return grown;
      }
      default: break;
    }
    if (facts(o.kind).args == TypeArgs::none) return std::nullopt;  // the same scalar, string or bytes
    return compare(*o.element, *n.element);  // vec, box, rc, weak, handle, mutex, T?
  }

  std::optional<TypeChange> compare_kinds(const Type& o, const Type& n) const {
    if (widens(o.kind, n.kind)) {
      return TypeChange{Verdict::compatible, "widened from " + describe(o) + " to " + describe(n)};
    }
    if (n.kind == Kind::optional) {
      std::optional<TypeChange> inner = compare(o, *n.element);
      if (!inner || inner->verdict == Verdict::compatible) {
        return TypeChange{Verdict::compatible,
                          "now optional: every existing value is kept" + (inner ? "; " + inner->why : "")};
      }
      return inner;
    }
    if (o.kind == Kind::optional) {
      std::optional<TypeChange> inner = compare(*o.element, n);
      if (!inner || inner->verdict != Verdict::refused) {
        return TypeChange{Verdict::needs_migration,
                          "no longer optional: a migration must choose what replaces "
                          "the empty ones" +
                              (inner ? "; " + inner->why : "")};
      }
      return inner;
    }
    if (n.kind == Kind::mutex) {
      std::optional<TypeChange> inner = compare(o, *n.element);
      if (!inner) return TypeChange{Verdict::compatible, "now behind a mutex (an unlocked lock word is added)"};
      return inner;
    }
    if (o.kind == Kind::mutex) {
      std::optional<TypeChange> inner = compare(*o.element, n);
      if (!inner) return TypeChange{Verdict::compatible, "no longer behind a mutex (its lock word is dropped)"};
      return inner;
    }
    if (o.kind == Kind::box && (n.kind == Kind::rc || n.kind == Kind::weak)) {
      return TypeChange{Verdict::refused, "a box (the object's only owner) cannot become " + describe(n) +
                                              " (shared objects carry a reference count a box's object lacks)"};
    }
    if (facts(o.kind).integer && facts(n.kind).integer) {
      return TypeChange{Verdict::refused, describe(n) + " cannot hold every " + describe(o) +
                                              " value (only a wider type of the same signedness, or a strictly wider "
                                              "signed one for an unsigned type, can)"};
    }
    return TypeChange{Verdict::refused, "a stored " + kind_and_name(o) + " cannot be converted to " + kind_and_name(n)};
  }

  // ---- Structs.

  void diff_struct(const StructType& o, const StructType& n) {
    const std::string subject = qualified(n);
    if (o.name != n.name) {
      add(Verdict::compatible, "struct-renamed", subject, o.span, n.span,
          "struct '" + o.name + "' renamed to '" + n.name + "' (@was)");
    }
    // New field index -> old field index.
    std::vector<std::optional<std::size_t>> source(n.fields.size());
    std::vector<bool> old_used(o.fields.size(), false);
    auto old_index = [&](const std::string& name) -> std::optional<std::size_t> {
      for (std::size_t i = 0; i < o.fields.size(); ++i) {
        if (o.fields[i].name == name && !old_used[i]) return i;
      }
      return std::nullopt;
    };
    for (std::size_t i = 0; i < n.fields.size(); ++i) {
      if (n.fields[i].was.name.empty()) continue;
      if (auto j = old_index(n.fields[i].was.name)) {
        source[i] = *j;
        old_used[*j] = true;
      }
    }
    for (std::size_t i = 0; i < n.fields.size(); ++i) {
      if (source[i]) continue;
      if (auto j = old_index(n.fields[i].name)) {
        source[i] = *j;
        old_used[*j] = true;
      }
    }

    for (std::size_t i = 0; i < n.fields.size(); ++i) {
      const Field& nf = n.fields[i];
      const std::string field_subject = subject + "." + nf.name;
      if (!source[i]) {
        add(Verdict::compatible, "field-added", field_subject, {}, nf.span,
            "field '" + nf.name + ": " + describe(nf.type) + "' added; existing objects get " +
                (nf.default_value.empty() ? "zero or empty (no default given)" : nf.default_value + ", its default"));
        continue;
      }
      const Field& of = o.fields[*source[i]];
      if (of.name != nf.name) {
        add(Verdict::compatible, "field-renamed", field_subject, of.span, nf.span,
            "field '" + of.name + "' renamed to '" + nf.name + "' (@was)");
      }
      if (std::optional<TypeChange> change = compare(of.type, nf.type)) {
        add(change->verdict, "field-type-changed", field_subject, of.span, nf.span,
            "field '" + nf.name + "' changed from " + describe(of.type) + " to " + describe(nf.type) + ": " +
                change->why);
      }
      if (of.is_const != nf.is_const) {
        add(Verdict::compatible, "field-const-changed", field_subject, of.span, nf.span,
            "field '" + nf.name + (nf.is_const ? "' is now const" : "' is no longer const") +
                " (the stored value stays; only the generated setters change)");
      }
    }

    for (std::size_t j = 0; j < o.fields.size(); ++j) {
      if (old_used[j]) continue;
      const Field& of = o.fields[j];
      const std::string field_subject = subject + "." + of.name;
      auto marker =
          std::find_if(n.removed.begin(), n.removed.end(), [&](const RemovedField& r) { return r.name == of.name; });
      if (marker != n.removed.end()) {
        add(Verdict::compatible, "field-removed", field_subject, of.span, marker->span,
            "field '" + of.name + ": " + describe(of.type) + "' removed (marked removed); its data is dropped");
      } else {
        add(Verdict::refused, "field-removed-unmarked", field_subject, of.span, n.span,
            "field '" + of.name + ": " + describe(of.type) + "' is gone from struct '" + n.name +
                "'; its data would be dropped: write 'removed " + of.name +
                ";' in the struct if that is meant, or mark the field that replaces it @was(" + of.name + ")");
      }
    }

    // Fields kept in both versions but in another order.
    std::vector<std::string> old_order, new_order;
    for (std::size_t j = 0; j < o.fields.size(); ++j) {
      if (old_used[j]) old_order.push_back(o.fields[j].name);
    }
    std::vector<std::pair<std::size_t, std::string>> kept;
    for (std::size_t i = 0; i < n.fields.size(); ++i) {
      if (source[i]) kept.emplace_back(*source[i], o.fields[*source[i]].name);
    }
    bool reordered = false;
    for (std::size_t k = 1; k < kept.size(); ++k) reordered = reordered || kept[k].first < kept[k - 1].first;
    if (reordered) {
      std::string before, after;
      for (const std::string& name : old_order) before += (before.empty() ? "" : ", ") + name;
      for (const auto& [index, name] : kept) after += (after.empty() ? "" : ", ") + name;
      add(Verdict::compatible, "field-order-changed", subject, o.span, n.span,
          "fields reordered (" + before + " -> " + after +
              "); fields are laid out in declaration order, so the layout changes and a migration copies "
              "each field by name");
    }
  }

  // ---- Enums.

  void diff_enum(const EnumType& o, const EnumType& n) {
    const std::string subject = qualified(n);
    if (o.name != n.name) {
      add(Verdict::compatible, "enum-renamed", subject, o.span, n.span,
          "enum '" + o.name + "' renamed to '" + n.name + "' (@was)");
    }
    if (o.underlying != n.underlying) {
      if (widens(o.underlying, n.underlying)) {
        add(Verdict::compatible, "enum-widened", subject, o.span, n.span,
            "underlying type widened from " + std::string(facts(o.underlying).name) + " to " +
                std::string(facts(n.underlying).name));
      } else {
        add(Verdict::refused, "enum-underlying-changed", subject, o.span, n.span,
            "underlying type changed from " + std::string(facts(o.underlying).name) + " to " +
                std::string(facts(n.underlying).name) + ", which cannot hold every old value");
      }
    }
    std::vector<bool> old_used(o.values.size(), false);
    std::vector<std::optional<std::size_t>> source(n.values.size());
    auto old_index = [&](const std::string& name) -> std::optional<std::size_t> {
      for (std::size_t j = 0; j < o.values.size(); ++j) {
        if (o.values[j].name == name && !old_used[j]) return j;
      }
      return std::nullopt;
    };
    for (int pass = 0; pass < 2; ++pass) {  // @was markers first, then names
      for (std::size_t i = 0; i < n.values.size(); ++i) {
        const std::string& wanted = pass == 0 ? n.values[i].was.name : n.values[i].name;
        if (source[i] || wanted.empty()) continue;
        if (auto j = old_index(wanted)) {
          source[i] = *j;
          old_used[*j] = true;
        }
      }
    }
    for (std::size_t i = 0; i < n.values.size(); ++i) {
      const EnumValue& nv = n.values[i];
      const std::string value_subject = subject + "." + nv.name;
      if (!source[i]) {
        add(Verdict::compatible, "enum-value-added", value_subject, {}, nv.span,
            "value '" + nv.name + "' = " + nv.value + " added");
        continue;
      }
      const EnumValue& ov = o.values[*source[i]];
      if (ov.name != nv.name) {
        add(Verdict::compatible, "enum-value-renamed", value_subject, ov.span, nv.span,
            "value '" + ov.name + "' renamed to '" + nv.name + "' (@was)");
      }
      if (ov.value != nv.value) {
        add(Verdict::needs_migration, "enum-value-renumbered", value_subject, ov.span, nv.span,
            "value '" + nv.name + "' changed from " + ov.value + " to " + nv.value +
                ": stored numbers must be rewritten, and values may share a number, so a migration decides");
      }
    }
    for (std::size_t j = 0; j < o.values.size(); ++j) {
      if (old_used[j]) continue;
      const EnumValue& ov = o.values[j];
      add(Verdict::refused, "enum-value-removed", subject + "." + ov.name, ov.span, n.span,
          "value '" + ov.name + "' = " + ov.value + " is gone from enum '" + n.name +
              "'; stored data may hold it (keep it, or rename it with @was)");
    }
  }

  // ---- Pools.

  void diff_pools() {
    const auto olds = by_name(old_, &Module::pools);
    const auto news = by_name(new_, &Module::pools);
    std::vector<std::pair<const PoolType*, const PoolType*>> pairs;
    match(olds, news, pool_map_, pairs);
    std::set<const PoolType*> matched_new;
    for (const auto& [o, n] : pairs) {
      matched_new.insert(n);
      const std::string subject = qualified(*n);
      if (o->name != n->name) {
        add(Verdict::compatible, "pool-renamed", subject, o->span, n->span,
            "pool '" + o->name + "' renamed to '" + n->name + "' (@was); the name in each pool file is rewritten");
      }
      if (o->root != nullptr && n->root != nullptr) {
        if (std::optional<TypeChange> change = compare(Type::of(o->root), Type::of(n->root))) {
          add(Verdict::needs_migration, "pool-root-changed", subject, o->span, n->span,
              "the root changed from struct '" + o->root->name + "' to struct '" + n->root->name +
                  "': a migration must build the new root from the old one");
        }
      }
      if (o->concurrent != n->concurrent) {
        add(Verdict::compatible, "pool-concurrent-changed", subject, o->span, n->span,
            std::string("the pool is ") + (n->concurrent ? "now" : "no longer") +
                " concurrent (nothing stored changes; its mutex fields are listed as their own changes)");
      }
    }
    for (const auto& [name, n] : news) {
      if (matched_new.count(n) == 0)
        add(Verdict::compatible, "pool-added", name, {}, n->span, "pool '" + n->name + "' added");
    }
    for (const auto& [name, o] : olds) {
      if (pool_map_.count(o) != 0) continue;
      add(Verdict::refused, "pool-removed", name, o->span, {},
          "pool '" + o->name +
              "' is gone: its pool files could not be opened with the new schema (keep it, or rename it with @was)");
    }
  }

  // ---- Operations: no stored data, listed so that the list is complete.

  static std::string signature(const Operation& op) {
    std::string text = std::string(op.kind == ast::OperationKind::tx ? "tx " : "query ") + op.name + "(";
    for (std::size_t i = 0; i < op.params.size(); ++i) {
      text += (i == 0 ? "" : ", ") + op.params[i].name + ": " + describe(op.params[i].type);
    }
    text += ")";
    if (op.result) text += " -> " + describe(*op.result);
    return text;
  }

  std::string operation_subject(const PoolType& pool, const Operation& op) const {
    return qualified(pool) + "." + op.name;
  }

  void diff_operations() {
    // Keyed by the new pool (an old pool by the one that continues it) and name.
    std::map<std::pair<const PoolType*, std::string>, const Operation*> olds;
    for (const auto& module : old_.modules) {
      for (const Operation& op : module->operations) {
        auto it = pool_map_.find(op.pool);
        olds.emplace(std::make_pair(it == pool_map_.end() ? op.pool : it->second, op.name), &op);
      }
    }
    std::set<const Operation*> matched_old;
    for (const auto& module : new_.modules) {
      for (const Operation& op : module->operations) {
        auto it = olds.find({op.pool, op.name});
        const std::string subject = operation_subject(*op.pool, op);
        if (it == olds.end()) {
          add(Verdict::compatible, "operation-added", subject, {}, op.span,
              "operation '" + signature(op) + "' added (operations store nothing)");
          continue;
        }
        matched_old.insert(it->second);
        if (signature(*it->second) != signature(op)) {
          add(Verdict::compatible, "operation-changed", subject, it->second->span, op.span,
              "operation changed from '" + signature(*it->second) + "' to '" + signature(op) +
                  "' (operations store nothing; code that calls it changes)");
        }
      }
    }
    for (const auto& module : old_.modules) {
      for (const Operation& op : module->operations) {
        if (matched_old.count(&op) != 0) continue;
        add(Verdict::compatible, "operation-removed", operation_subject(*op.pool, op), op.span, {},
            "operation '" + signature(op) + "' removed (operations store nothing)");
      }
    }
  }

  const Model& old_;
  const Model& new_;
  std::map<const StructType*, const StructType*> struct_map_;
  std::map<const EnumType*, const EnumType*> enum_map_;
  std::map<const PoolType*, const PoolType*> pool_map_;
  std::vector<std::pair<const StructType*, const StructType*>> struct_pairs_;
  std::vector<std::pair<const EnumType*, const EnumType*>> enum_pairs_;
  std::vector<SchemaChange> changes_;
};

std::string location(const Span& span) {
  if (span.file == nullptr) return "-";
  return span.file->path() + ":" + std::to_string(span.file->locate(span.begin).line);
}

}  // namespace

std::vector<SchemaChange> diff_schemas(const Model& old_schema, const Model& new_schema) {
  return SchemaDiff(old_schema, new_schema).run();
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::compatible: return "compatible";
    case Verdict::needs_migration: return "needs-migration";
    case Verdict::refused: return "refused";
  }
  return "refused";
}

std::string format_change(const SchemaChange& change) {
  return std::string(verdict_name(change.verdict)) + " " + change.kind + " " + change.subject +
         " old=" + location(change.old_side) + " new=" + location(change.new_side) + ": " + change.text;
}

Verdict overall_verdict(const std::vector<SchemaChange>& changes) {
  Verdict result = Verdict::compatible;
  for (const SchemaChange& change : changes) result = worst(result, change.verdict);
  return result;
}

}  // namespace pschema::gen
