#include "analyzer.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "concurrency_check.hpp"
#include "cpp_keywords.hpp"
#include "edit_distance.hpp"
#include "stable_hash.hpp"
#include "wide_int.hpp"

namespace pschema::gen {

namespace {

// ---- Names ----------------------------------------------------------------

struct Builtin {
  std::string_view name;
  Kind kind;
  int generic_args;  // -1: not generic
};

constexpr Builtin builtins[] = {
    {"bool", Kind::boolean, -1}, {"u8", Kind::u8, -1},       {"u16", Kind::u16, -1},   {"u32", Kind::u32, -1},
    {"u64", Kind::u64, -1},      {"i8", Kind::i8, -1},       {"i16", Kind::i16, -1},   {"i32", Kind::i32, -1},
    {"i64", Kind::i64, -1},      {"f32", Kind::f32, -1},     {"f64", Kind::f64, -1},   {"string", Kind::string, -1},
    {"bytes", Kind::bytes, -1},  {"array", Kind::array, 2},  {"vec", Kind::vec, 1},    {"box", Kind::box, 1},
    {"rc", Kind::rc, 1},         {"weak", Kind::weak, 1},    {"handle", Kind::handle, 1},
    {"map", Kind::map, 2},       {"mutex", Kind::mutex, 1},
};

const Builtin* find_builtin(std::string_view name) {
  for (const Builtin& b : builtins) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

// What to write instead of a C or C++ type name.
std::string_view suggestion_for(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> table[] = {
      {"int", "i32"},           {"unsigned", "u32"},     {"long", "i64"},          {"short", "i16"},
      {"char", "u8"},           {"float", "f32"},        {"double", "f64"},        {"size_t", "u64"},
      {"std::size_t", "u64"},   {"uint8_t", "u8"},       {"uint16_t", "u16"},      {"uint32_t", "u32"},
      {"uint64_t", "u64"},      {"int8_t", "i8"},        {"int16_t", "i16"},       {"int32_t", "i32"},
      {"int64_t", "i64"},       {"std::uint8_t", "u8"},  {"std::uint16_t", "u16"}, {"std::uint32_t", "u32"},
      {"std::uint64_t", "u64"}, {"std::int8_t", "i8"},   {"std::int16_t", "i16"},  {"std::int32_t", "i32"},
      {"std::int64_t", "i64"},  {"std::string", "string"}, {"std::string_view", "string"},
      {"string_view", "string"}, {"std::vector", "vec<T>"}, {"std::array", "array<T, N>"},
      {"std::unique_ptr", "box<T>"}, {"std::shared_ptr", "rc<T>"}, {"std::weak_ptr", "weak<T>"},
      {"std::optional", "T?"},  {"std::byte", "u8"},     {"uintptr_t", "u64"},     {"i128", "two u64 fields"},
      {"u128", "two u64 fields"}, {"Option", "T?"},      {"Vec", "vec<T>"},        {"String", "string"},
      {"Box", "box<T>"},        {"Rc", "rc<T>"},         {"Weak", "weak<T>"},
      {"std::map", "map<K, V>"},
  };
  for (const auto& [from, to] : table) {
    if (from == name) return to;
  }
  return {};
}

std::string text_of(const Span& span) {
  if (span.file == nullptr || span.end <= span.begin) return {};
  return span.file->text().substr(span.begin, span.end - span.begin);
}

// Deeper nesting (of structs by value, of generic types) is refused: no
// real schema comes close, and it would make the checks recurse without
// bound.
constexpr std::size_t max_nesting = 64;
// The largest object a struct may describe (1 TiB).
constexpr std::uint64_t max_object_size = std::uint64_t{1} << 40;

// ---- Where a type is used decides what it may be --------------------------

enum class Use { field, param, result, generic };

// ---- The analyzer ---------------------------------------------------------

class Analyzer {
 public:
  Analyzer(const LoadedSchemas& schemas, Diagnostics& diagnostics) : schemas_(schemas), d_(diagnostics) {}

  std::optional<Model> run();

 private:
  struct Scope {
    std::set<std::string, std::less<>> ambiguous;  // plain names two imported files both declare
    std::map<std::string, EnumType*, std::less<>> enums;
    std::map<std::string, StructType*, std::less<>> structs;
    std::map<std::string, PoolType*, std::less<>> pools;
  };

  void declare(const ast::File& file, Module& module, Scope& own);
  void check_name(const Span& span, const std::string& name, const char* what);
  void resolve_enum(const ast::Enum& decl, EnumType& type);
  std::optional<Type> resolve(const ast::TypeExpr& expr, Use use, const std::string& what, const Scope& scope);
  std::optional<Type> resolve_named(const ast::TypeExpr& expr, Use use, const std::string& what, const Scope& scope);
  bool compute_layout(StructType& type, std::vector<const StructType*>& path);
  void resolve_pool(const ast::Pool& decl, PoolType& pool, const Scope& scope);
  void resolve_operation(const ast::Operation& decl, Module& module, const Scope& scope);
  void check_pool_ownership(const Model& model);
  void check_rc_cycles(const Model& model);
  void check_eager_cycles(const Model& model);
  void assign_type_ids(const Model& model);
  void fingerprint(PoolType& pool);

  const LoadedSchemas& schemas_;
  Diagnostics& d_;
  std::map<const StructType*, const ast::Struct*> struct_decls_;
  std::set<const StructType*> broken_;  // had an error: no layout, no follow-on checks
  std::size_t resolve_depth_ = 0;
  std::size_t unknown_names_ = 0;
  enum class LayoutState { none, in_progress, done };
  std::map<const StructType*, LayoutState> layout_state_;
};

void Analyzer::check_name(const Span& span, const std::string& name, const char* what) {
  if (is_cpp_keyword(name)) {
    d_.error(span, std::string(what) + " '" + name + "' is a C++ keyword; the generated code could not use it");
  } else if (name.rfind("__", 0) == 0 || (name.size() > 1 && name[0] == '_' && std::isupper(static_cast<unsigned char>(name[1])))) {
    d_.error(span, std::string(what) + " '" + name + "' is reserved in C++ (it starts with '__' or '_' and a capital)");
  }
}

void Analyzer::declare(const ast::File& file, Module& module, Scope& own) {
  std::map<std::string, Span> seen;  // every type and pool name of the module
  auto unique = [&](const std::string& name, const Span& span, const char* what) {
    auto [it, inserted] = seen.emplace(name, span);
    if (!inserted) {
      d_.error(span, std::string("duplicate name '") + name + "': " + what + " has the same name as an earlier declaration");
      d_.note(it->second, "'" + name + "' is first declared here");
      return false;
    }
    if (find_builtin(name) != nullptr) {
      d_.error(span, std::string(what) + " '" + name + "' has the name of a built-in type");
      return false;
    }
    static constexpr std::string_view generated[] = {"View", "Mut", "Layout", "Value", "Tx", "Snapshot", "Ops"};
    if (std::find(std::begin(generated), std::end(generated), name) != std::end(generated)) {
      d_.error(span, std::string(what) + " name '" + name + "' is taken by the generated code (every struct has View, "
                     "Mut, Layout and Value; every pool Tx, Snapshot and Ops)");
      return false;
    }
    check_name(span, name, what);
    return true;
  };
  for (const ast::Enum& decl : file.enums) {
    auto type = std::make_unique<EnumType>();
    type->name = decl.name;
    type->module = &module;
    type->docs = decl.docs;
    type->span = decl.name_span;
    if (unique(decl.name, decl.name_span, "enum")) own.enums[decl.name] = type.get();
    module.enums.push_back(std::move(type));
  }
  for (const ast::Struct& decl : file.structs) {
    auto type = std::make_unique<StructType>();
    type->name = decl.name;
    type->module = &module;
    type->docs = decl.docs;
    type->span = decl.name_span;
    struct_decls_[type.get()] = &decl;
    if (unique(decl.name, decl.name_span, "struct")) {
      own.structs[decl.name] = type.get();
    } else {
      broken_.insert(type.get());
    }
    module.structs.push_back(std::move(type));
  }
  for (const ast::Pool& decl : file.pools) {
    auto pool = std::make_unique<PoolType>();
    pool->name = decl.name;
    pool->module = &module;
    pool->docs = decl.docs;
    pool->span = decl.name_span;
    if (unique(decl.name, decl.name_span, "pool")) own.pools[decl.name] = pool.get();
    module.pools.push_back(std::move(pool));
  }
}

void Analyzer::resolve_enum(const ast::Enum& decl, EnumType& type) {
  const ast::TypeExpr& u = decl.underlying;
  const Builtin* builtin = find_builtin(u.name);
  const bool integer = builtin != nullptr && builtin->generic_args < 0 && is_scalar(builtin->kind) &&
                       builtin->kind != Kind::boolean && builtin->kind != Kind::f32 && builtin->kind != Kind::f64;
  if (!integer || u.has_args || u.optional || u.pointer_suffixes || u.reference_suffixes) {
    std::string_view hint = suggestion_for(u.name);
    d_.error(u.span, "the underlying type of enum '" + decl.name + "' must be an integer type (u8..u64, i8..i64), not '" +
                         text_of(u.span) + "'" + (hint.empty() ? "" : "; use '" + std::string(hint) + "'"));
    return;
  }
  type.underlying = builtin->kind;
  const bool is_signed = builtin->kind == Kind::i8 || builtin->kind == Kind::i16 || builtin->kind == Kind::i32 ||
                         builtin->kind == Kind::i64;
  const int bits = static_cast<int>(layout_of(Type::scalar(builtin->kind)).size * 8);
  const WideInt min = is_signed ? -(static_cast<WideInt>(1) << (bits - 1)) : 0;
  const WideInt max = is_signed ? (static_cast<WideInt>(1) << (bits - 1)) - 1 : (static_cast<WideInt>(1) << bits) - 1;
  WideInt next = 0;
  std::map<std::string, Span> names;
  for (const ast::EnumValue& v : decl.values) {
    check_name(v.span, v.name, "enum value");
    if (auto [it, inserted] = names.emplace(v.name, v.span); !inserted) {
      d_.error(v.span, "duplicate enum value '" + v.name + "' in enum '" + decl.name + "'");
      d_.note(it->second, "'" + v.name + "' is first declared here");
      continue;
    }
    WideInt value = next;
    if (!v.value.empty()) {
      std::string_view text = v.value;
      bool negative = !text.empty() && text.front() == '-';
      if (negative) text.remove_prefix(1);
      int base = 10;
      if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
      }
      std::uint64_t magnitude = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
      if (ec != std::errc() || end != text.data() + text.size()) {
        d_.error(v.value_span, "enum value '" + v.name + "' = " + v.value + " does not fit in 64 bits");
        continue;
      }
      value = negative ? -static_cast<WideInt>(magnitude) : static_cast<WideInt>(magnitude);
    }
    if (value < min || value > max) {
      d_.error(v.value.empty() ? v.span : v.value_span,
               "enum value '" + v.name + "' = " + to_decimal(value) + " is out of range for '" +
                   std::string(builtin->name) + "' (" + to_decimal(min) + " to " + to_decimal(max) + ")");
      next = value + 1;
      continue;
    }
    EnumValue out;
    out.name = v.name;
    out.value = to_decimal(value);
    out.docs = v.docs;
    type.values.push_back(std::move(out));
    next = value + 1;
  }
  if (decl.values.empty()) d_.error(decl.name_span, "enum '" + decl.name + "' has no values");
}

std::optional<Type> Analyzer::resolve(const ast::TypeExpr& expr, Use use, const std::string& what, const Scope& scope) {
  // Generic arguments nest: refuse absurd depths before recursing further.
  struct Depth {
    std::size_t& depth;
    explicit Depth(std::size_t& d) : depth(++d) {}
    ~Depth() { --depth; }
  } depth(resolve_depth_);
  if (resolve_depth_ > max_nesting) {
    d_.error(expr.span, what + " has types nested more than " + std::to_string(max_nesting) + " levels deep");
    return std::nullopt;
  }
  const std::string written = text_of(expr.span);
  const bool in_pool = use == Use::field || use == Use::generic;
  if (expr.pointer_suffixes > 0 || expr.reference_suffixes > 0) {
    const std::string target = text_of(expr.name_span);
    const char* kind = expr.pointer_suffixes > 0 ? "raw pointer" : "reference";
    if (in_pool) {
      std::string instead;
      if (target == "void") {
        instead = "a pool holds no untyped memory; point to a struct with box<S>?";
      } else if (scope.structs.count(target) != 0) {
        instead = "use box<" + target + ">?, rc<" + target + ">? or weak<" + target + ">?";
      } else {
        std::string_view hint = suggestion_for(target);
        const Builtin* builtin = find_builtin(target);
        std::string value = !hint.empty() ? std::string(hint) : builtin != nullptr ? target : "";
        instead = value.empty() ? "point to a struct with box<S>?" : "store the value in place ('" + value + "')";
      }
      d_.error(expr.span, what + " has type '" + written + "', a " + kind +
                              ", which cannot be stored in a pool: it would dangle when the pool is mapped at "
                              "another address or closed; " + instead);
    } else {
      d_.error(expr.span, what + " has type '" + written + "', a " + kind +
                              "; operations take and return values (use handle<" + target +
                              "> to refer to a persistent object)");
    }
    return std::nullopt;
  }
  if (expr.extra_optional > 0) {
    d_.error(expr.span, what + " has type '" + written + "': an optional cannot be optional again");
    return std::nullopt;
  }
  std::optional<Type> inner = resolve_named(expr, use, what, scope);
  if (!inner || !expr.optional) return inner;
  if (inner->kind == Kind::handle || inner->kind == Kind::weak) {
    d_.error(expr.span, what + " has type '" + written + "': a " + (inner->kind == Kind::handle ? "handle" : "weak pointer") +
                            " is already empty when its object is gone; drop the '?'");
    return std::nullopt;
  }
  Type optional;
  optional.kind = Kind::optional;
  optional.element = std::make_shared<Type>(*inner);
  return optional;
}

std::optional<Type> Analyzer::resolve_named(const ast::TypeExpr& expr, Use use, const std::string& what,
                                            const Scope& scope) {
  const std::string& name = expr.name;
  const bool in_pool = use == Use::field || use == Use::generic;
  if (const Builtin* builtin = find_builtin(name)) {
    if (builtin->generic_args < 0) {
      if (expr.has_args) {
        d_.error(expr.span, "'" + name + "' takes no type arguments");
        return std::nullopt;
      }
      return Type::scalar(builtin->kind);
    }
    if (static_cast<int>(expr.args.size()) != builtin->generic_args) {
      const char* wanted = builtin->generic_args == 1 ? "one type argument"
                           : builtin->kind == Kind::map ? "a key type and a value type"
                                                        : "a type and a length";
      const std::string example = builtin->kind == Kind::array ? "array<u8, 16>"
                                  : builtin->kind == Kind::map ? "map<u64, Account>"
                                                               : name + "<Account>";
      d_.error(expr.span, "'" + name + "' takes " + wanted + ", as in " + example);
      return std::nullopt;
    }
    const ast::TypeArg& first = expr.args[0];
    if (!first.type) {
      d_.error(first.span, "'" + name + "' needs a type here, not a number");
      return std::nullopt;
    }
    Type result;
    result.kind = builtin->kind;
    if (builtin->kind == Kind::handle) {
      if (in_pool) {
        d_.error(expr.span, what + " has type '" + text_of(expr.span) +
                                "': a handle is a volatile reference into a pool and cannot be stored in one");
        return std::nullopt;
      }
    } else if (!in_pool && !(builtin->kind == Kind::array)) {
      d_.error(expr.span, what + " has type '" + text_of(expr.span) +
                              "', a persistent type: it would outlive its transaction; operations take and return "
                              "volatile values only (scalars, enums, plain structs, string, bytes, optionals of these "
                              "and handle<T>)");
      return std::nullopt;
    }
    std::optional<Type> element = resolve(*first.type, Use::generic, what, scope);
    if (!element) return std::nullopt;
    const bool pointer = builtin->kind == Kind::box || builtin->kind == Kind::rc || builtin->kind == Kind::weak ||
                         builtin->kind == Kind::handle;
    if (builtin->kind == Kind::mutex && element->kind != Kind::structure) {
      d_.error(first.span, "a mutex guards a struct, not '" + text_of(first.span) +
                               "'; put the data it protects in a struct, as in mutex<Account>");
      return std::nullopt;
    }
    if (pointer && element->kind != Kind::structure) {
      d_.error(first.span, "'" + name + "' points to a struct, not to '" + text_of(first.span) +
                               "'; store " + (is_scalar(element->kind) ? "the value in place" : "it inside a struct"));
      return std::nullopt;
    }
    if (builtin->kind == Kind::map) {
      // The key is the first argument; the value the second.
      const Kind k = element->kind;
      const bool key_ok = (is_scalar(k) && k != Kind::f32 && k != Kind::f64) || k == Kind::string || k == Kind::bytes;
      if (!key_ok) {
        d_.error(first.span, "map keys are integers, enums, bool, string or bytes, not '" + text_of(first.span) + "'");
        return std::nullopt;
      }
      if (!expr.args[1].type) {
        d_.error(expr.args[1].span, "the value of a map is a type, not a number");
        return std::nullopt;
      }
      std::optional<Type> value = resolve(*expr.args[1].type, Use::generic, what, scope);
      if (!value) return std::nullopt;
      result.key = std::make_shared<Type>(*element);
      result.element = std::make_shared<Type>(*value);
      return result;
    }
    if (builtin->kind == Kind::array) {
      if (expr.args[1].integer.empty()) {
        d_.error(expr.args[1].span, "the length of an array is a number, as in array<u8, 16>");
        return std::nullopt;
      }
      std::uint64_t length = 0;
      const std::string& text = expr.args[1].integer;
      int base = text.rfind("0x", 0) == 0 ? 16 : 10;
      auto [end, ec] = std::from_chars(text.data() + (base == 16 ? 2 : 0), text.data() + text.size(), length, base);
      if (text[0] == '-' || ec != std::errc() || end != text.data() + text.size() || length == 0 || length > (1u << 24)) {
        d_.error(expr.args[1].span, "array length must be between 1 and 16777216, not " + text);
        return std::nullopt;
      }
      result.length = length;
    }
    result.element = std::make_shared<Type>(*element);
    if (!in_pool && builtin->kind == Kind::array && !is_plain(result)) {
      d_.error(expr.span, what + " has type '" + text_of(expr.span) +
                              "': an array passed to or from an operation must hold plain values (scalars, enums, "
                              "plain structs)");
      return std::nullopt;
    }
    return result;
  }

  // A user type: plain name, or package-qualified (`money.Money`).
  if (scope.ambiguous.count(name) != 0) {
    d_.error(expr.name_span, "'" + name + "' is declared in more than one imported file; write it with its package, "
                             "as in pkg." + name);
    return std::nullopt;
  }
  if (auto it = scope.enums.find(name); it != scope.enums.end()) {
    if (expr.has_args) d_.error(expr.span, "enum '" + name + "' takes no type arguments");
    return Type::of(it->second);
  }
  if (auto it = scope.structs.find(name); it != scope.structs.end()) {
    if (expr.has_args) {
      d_.error(expr.span, "struct '" + name + "' takes no type arguments");
      return std::nullopt;
    }
    if (broken_.count(it->second) != 0) return std::nullopt;  // already reported
    if (!in_pool && !is_plain(Type::of(it->second)) && layout_state_[it->second] == LayoutState::done) {
      d_.error(expr.span, what + " has type '" + name +
                              "', a struct that holds pointers into a pool: it would outlive its transaction; pass "
                              "its fields, or a handle<" + name + ">");
      return std::nullopt;
    }
    return Type::of(it->second);
  }
  if (scope.pools.count(name) != 0) {
    d_.error(expr.name_span, "'" + name + "' is a pool, not a type; a pool's data is its root struct");
    return std::nullopt;
  }
  if (std::string_view hint = suggestion_for(name); !hint.empty() || name == "void" || name.rfind("std::", 0) == 0) {
    std::string message = what + " has type '" + text_of(expr.span) + "', which ";
    message += in_pool ? "cannot be stored in a pool" : "is not a pschema type";
    if (!hint.empty()) message += "; use '" + std::string(hint) + "'";
    if (name == "void") message += "; there is no untyped memory in a pool";
    d_.error(expr.span, message);
    return std::nullopt;
  }
  // Unknown: suggest the closest known name (for the first few unknown
  // names only: a schema with thousands would make this quadratic).
  if (++unknown_names_ > 50) {
    d_.error(expr.name_span, "unknown type '" + name + "'");
    return std::nullopt;
  }
  std::string best;
  std::size_t best_distance = 3;
  auto consider = [&](const std::string& candidate) {
    std::size_t dist = edit_distance(name, candidate);
    if (dist < best_distance) {
      best_distance = dist;
      best = candidate;
    }
  };
  for (const auto& [n, t] : scope.enums) consider(n);
  for (const auto& [n, t] : scope.structs) consider(n);
  for (const Builtin& b : builtins) consider(std::string(b.name));
  d_.error(expr.name_span, "unknown type '" + name + "'" + (best.empty() ? "" : "; did you mean '" + best + "'?"));
  return std::nullopt;
}

bool Analyzer::compute_layout(StructType& type, std::vector<const StructType*>& path) {
  LayoutState& state = layout_state_[&type];
  if (state == LayoutState::done) return broken_.count(&type) == 0;
  if (state == LayoutState::in_progress) {
    // A cycle of by-value containment: report once, at the struct that closes it.
    std::string chain;
    auto start = std::find(path.begin(), path.end(), &type);
    for (auto it = start; it != path.end(); ++it) chain += (*it)->name + " -> ";
    chain += type.name;
    d_.error(type.span, "struct '" + type.name + "' contains itself by value (" + chain +
                            "), so it would have infinite size; refer to it through box<" + type.name + ">? instead");
    for (auto it = start; it != path.end(); ++it) broken_.insert(*it);
    return false;
  }
  if (broken_.count(&type) != 0) {
    state = LayoutState::done;
    return false;
  }
  if (path.size() >= max_nesting) {
    d_.error(type.span, "struct '" + type.name + "' is nested by value more than " + std::to_string(max_nesting) +
                            " levels deep inside other structs");
    broken_.insert(&type);
    state = LayoutState::done;
    return false;
  }
  state = LayoutState::in_progress;
  path.push_back(&type);
  bool ok = true;
  std::function<bool(const Type&)> contained_ok = [&](const Type& t) -> bool {
    switch (t.kind) {
      case Kind::structure:
        return compute_layout(*const_cast<StructType*>(t.structure), path);
      case Kind::array:
      case Kind::optional:
      case Kind::mutex:
        // Only by-value elements make a struct contain another.
        if (t.kind == Kind::optional && (t.element->kind == Kind::box || t.element->kind == Kind::rc ||
                                         t.element->kind == Kind::weak)) {
          return true;
        }
        return contained_ok(*t.element);
      default:
        return true;
    }
  };
  std::uint64_t offset = 0, align = 1;
  for (Field& field : type.fields) {
    if (!contained_ok(field.type)) {
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
  path.pop_back();
  if (!ok) broken_.insert(&type);
  if (type.fields.empty()) offset = 1;  // one reserved byte: C++ objects are never empty
  type.layout = Layout{(offset + align - 1) / align * align, align};
  layout_state_[&type] = LayoutState::done;
  return ok;
}

void Analyzer::resolve_pool(const ast::Pool& decl, PoolType& pool, const Scope& scope) {
  std::string qualified;
  for (const auto& part : pool.module->namespace_parts) qualified += part + ".";
  qualified += decl.name;
  if (qualified.size() > 63) {
    d_.error(decl.name_span, "the pool's full name '" + qualified + "' is longer than the 63 bytes a pool file can store");
  }
  bool has_root = false;
  for (const ast::PoolItem& item : decl.items) {
    if (item.name == "root" && item.type) {
      if (has_root) {
        d_.error(item.span, "pool '" + decl.name + "' declares its root twice");
        continue;
      }
      has_root = true;
      std::optional<Type> root = resolve(*item.type, Use::field, "the root of pool '" + decl.name + "'", scope);
      if (!root) continue;
      if (root->kind != Kind::structure) {
        d_.error(item.type->span, "the root of pool '" + decl.name + "' must be a struct, not '" + text_of(item.type->span) + "'");
        continue;
      }
      pool.root = root->structure;
    } else if (item.name == "concurrent" && !item.type) {
      pool.concurrent = true;
    } else {
      const bool looks_like_root = item.type && edit_distance(item.name, "root") <= 2;
      d_.error(item.span, "unknown pool item '" + item.name + "'" +
                              (looks_like_root ? "; did you mean 'root'?" : "; a pool has 'root: Type;'"));
      has_root = has_root || looks_like_root;  // do not also complain that the root is missing
    }
  }
  if (!has_root) d_.error(decl.name_span, "pool '" + decl.name + "' has no root; add 'root: SomeStruct;'");
}

void Analyzer::resolve_operation(const ast::Operation& decl, Module& module, const Scope& scope) {
  Operation op;
  op.kind = decl.kind;
  op.name = decl.name;
  op.docs = decl.docs;
  op.span = decl.name_span;
  check_name(decl.name_span, decl.name, "operation");
  bool ok = true;
  static constexpr std::string_view pool_members[] = {"read", "transaction", "schema_info", "create", "open",
                                                      "open_or_create", "close", "pool", "Ops", "Tx", "Snapshot"};
  if (std::find(std::begin(pool_members), std::end(pool_members), decl.name) != std::end(pool_members)) {
    d_.error(decl.name_span, "operation name '" + decl.name + "' is taken by the generated pool class "
                             "(read, transaction, schema_info, create, open, open_or_create, close, pool, Ops, Tx, "
                             "Snapshot)");
    ok = false;
  } else if (scope.structs.count(decl.name) != 0 || scope.enums.count(decl.name) != 0 ||
             scope.pools.count(decl.name) != 0) {
    d_.error(decl.name_span, "operation '" + decl.name + "' has the name of a type; in the generated pool class "
                             "the method would hide it");
    ok = false;
  }
  auto pool = scope.pools.find(decl.pool);
  if (pool == scope.pools.end()) {
    d_.error(decl.pool_span, "operation '" + decl.name + "' is on unknown pool '" + decl.pool + "'");
    ok = false;
  } else if (pool->second->module != &module) {
    d_.error(decl.pool_span, "operation '" + decl.name + "' is on pool '" + decl.pool +
                                 "' of another file; declare operations in the file that declares the pool");
    ok = false;
  } else {
    op.pool = pool->second;
  }
  std::set<std::string> params;
  for (const ast::Param& p : decl.params) {
    check_name(p.name_span, p.name, "parameter");
    if (!params.insert(p.name).second) {
      d_.error(p.name_span, "duplicate parameter '" + p.name + "' in operation '" + decl.name + "'");
      ok = false;
    }
    if (scope.structs.count(p.name) != 0 || scope.enums.count(p.name) != 0 || p.name == "Tx" ||
        p.name == "Snapshot" || p.name == "Ops") {
      d_.error(p.name_span, "parameter '" + p.name + "' of '" + decl.name +
                                "' has the name of a type; it would hide that type in the generated code");
      ok = false;
    }
    if (p.name == "tx" || p.name == "snapshot") {
      d_.error(p.name_span, "parameter name '" + p.name + "' is taken by the generated code (the transaction or snapshot argument)");
      ok = false;
    }
    std::optional<Type> type = resolve(p.type, Use::param, "parameter '" + p.name + "' of '" + decl.name + "'", scope);
    if (!type) {
      ok = false;
      continue;
    }
    op.params.push_back(Param{p.name, *type});
  }
  if (decl.result) {
    op.result = resolve(*decl.result, Use::result, "the result of '" + decl.name + "'", scope);
    if (!op.result) ok = false;
  }
  if (ok) module.operations.push_back(std::move(op));
}

// Invariant 2: a struct holding pointers belongs to exactly one pool, so a
// pointer can never lead from one pool into another.
void Analyzer::check_pool_ownership(const Model& model) {
  std::map<const StructType*, const PoolType*> owner;
  for (const auto& module : model.modules) {
    for (const auto& pool : module->pools) {
      if (pool->root == nullptr) continue;
      std::set<const StructType*> seen;
      std::vector<const StructType*> stack{pool->root};
      while (!stack.empty()) {
        const StructType* s = stack.back();
        stack.pop_back();
        if (!seen.insert(s).second) continue;
        pool->reachable.push_back(s);
        std::function<void(const Type&)> walk = [&](const Type& t) {
          if (t.kind == Kind::structure) stack.push_back(t.structure);
          if (t.element) walk(*t.element);
        };
        for (const Field& f : s->fields) walk(f.type);
      }
      // Root first, then the others in a stable order.
      std::sort(pool->reachable.begin() + 1, pool->reachable.end(),
                [](const StructType* a, const StructType* b) { return a->name < b->name; });
      // Objects that box/rc/weak point to live in this pool's heap: their
      // type belongs to it, even when it is plain data.
      std::set<const StructType*> pointed_to;
      for (const StructType* s : pool->reachable) {
        std::function<void(const Type&)> note = [&](const Type& t) {
          if (t.kind == Kind::box || t.kind == Kind::rc || t.kind == Kind::weak) pointed_to.insert(t.element->structure);
          if (t.element) note(*t.element);
        };
        for (const Field& f : s->fields) note(f.type);
      }
      for (const StructType* s : pool->reachable) {
        if (is_plain(Type::of(s)) && pointed_to.count(s) == 0) continue;  // plain data held by value may be shared
        auto [it, inserted] = owner.emplace(s, pool.get());
        if (!inserted && it->second != pool.get()) {
          d_.error(s->span, "struct '" + s->name + "' holds or is the target of pointers and is reachable from the roots of pools '" +
                                it->second->name + "' and '" + pool->name +
                                "'; a type with pointers must belong to exactly one pool, so that no pointer can "
                                "lead from one pool into another (copy the plain fields into a separate struct "
                                "for each pool)");
        }
      }
    }
  }
}

void Analyzer::check_rc_cycles(const Model& model) {
  // Edges A -> B for each rc<B> (or rc<B>?) field of A, and for structs
  // held by value; weak edges do not count. Every cycle of this graph has
  // an rc edge (a cycle by value alone is an infinite size, refused
  // earlier). A struct with an rc field on a cycle is warned about. The
  // cycles come from one pass of Tarjan's strongly connected components,
  // with an explicit stack: schemas can be long chains.
  auto targets = [](const StructType* from) {
    std::vector<const StructType*> out;
    for (const Field& f : from->fields) {
      const Type* t = &f.type;
      if (t->kind == Kind::optional) t = t->element.get();
      if (t->kind == Kind::rc) out.push_back(t->element->structure);
      if (t->kind == Kind::structure) out.push_back(t->structure);
    }
    return out;
  };
  std::map<const StructType*, std::size_t> index, low;
  std::set<const StructType*> on_stack;
  std::vector<const StructType*> stack;
  std::set<const StructType*> cyclic;
  std::size_t counter = 0;
  struct Frame {
    const StructType* node;
    std::vector<const StructType*> next;
    std::size_t at = 0;
  };
  for (const auto& module : model.modules) {
    for (const auto& root : module->structs) {
      if (broken_.count(root.get()) != 0 || index.count(root.get()) != 0) continue;
      std::vector<Frame> frames;
      auto enter = [&](const StructType* node) {
        index[node] = low[node] = counter++;
        stack.push_back(node);
        on_stack.insert(node);
        frames.push_back({node, targets(node)});
      };
      enter(root.get());
      while (!frames.empty()) {
        Frame& top = frames.back();
        if (top.at < top.next.size()) {
          const StructType* next = top.next[top.at++];
          if (next == top.node) cyclic.insert(next);  // a self-loop
          if (broken_.count(next) != 0) continue;
          if (index.count(next) == 0) {
            enter(next);
          } else if (on_stack.count(next) != 0) {
            low[top.node] = std::min(low[top.node], index[next]);
          }
          continue;
        }
        const StructType* node = top.node;
        frames.pop_back();
        if (!frames.empty()) low[frames.back().node] = std::min(low[frames.back().node], low[node]);
        if (low[node] == index[node]) {
          std::vector<const StructType*> component;
          const StructType* member = nullptr;
          do {
            member = stack.back();
            stack.pop_back();
            on_stack.erase(member);
            component.push_back(member);
          } while (member != node);
          if (component.size() > 1) cyclic.insert(component.begin(), component.end());
        }
      }
    }
  }
  for (const auto& module : model.modules) {
    for (const auto& s : module->structs) {
      const bool has_rc = std::any_of(s->fields.begin(), s->fields.end(), [](const Field& f) {
        return f.type.kind == Kind::rc || (f.type.kind == Kind::optional && f.type.element->kind == Kind::rc);
      });
      if (has_rc && cyclic.count(s.get()) != 0) {
        d_.warning(s->span, "struct '" + s->name + "' can reach itself through rc<> pointers alone: a cycle of rc "
                                "pointers is never freed; make one of them weak<>");
      }
    }
  }
}

// A box<T> or rc<T> without '?' always holds an object, made with its
// owner: a chain of them (or of by-value members) that returns to where it
// started would make objects forever.
void Analyzer::check_eager_cycles(const Model& model) {
  auto eager_targets = [](const StructType* from) {
    std::vector<const StructType*> out;
    std::vector<const Type*> pending;
    for (const Field& f : from->fields) pending.push_back(&f.type);
    while (!pending.empty()) {
      const Type* t = pending.back();
      pending.pop_back();
      if (t->kind == Kind::structure) out.push_back(t->structure);
      if (t->kind == Kind::box || t->kind == Kind::rc) out.push_back(t->element->structure);
      if (t->kind == Kind::array) pending.push_back(t->element.get());
    }
    return out;
  };
  // Depth-first search with an explicit stack; state 1 = on the path.
  std::map<const StructType*, int> state;
  for (const auto& module : model.modules) {
    for (const auto& root : module->structs) {
      if (state[root.get()] != 0 || broken_.count(root.get()) != 0) continue;
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
          d_.error(next->span, "struct '" + next->name + "' always owns another '" + next->name + "' (" + chain +
                                   next->name + " through box<> or rc<> without '?'), so making one would never end; "
                                   "make a link optional, as in box<" + next->name + ">?");
          continue;
        }
        if (state[next] == 0 && broken_.count(next) == 0) {
          state[next] = 1;
          path.push_back({next, eager_targets(next)});
        }
      }
    }
  }
}

void Analyzer::assign_type_ids(const Model& model) {
  std::map<std::uint32_t, const StructType*> ids;
  for (const auto& module : model.modules) {
    std::string prefix;
    for (const auto& part : module->namespace_parts) prefix += part + ".";
    for (const auto& s : module->structs) {
      // 30 bits: the runtime marks shared (rc) blocks with bit 30 and its
      // own blocks with bit 31.
      auto id = static_cast<std::uint32_t>(stable_hash(prefix + s->name) & 0x3FFFFFFFu);
      if (id == 0) id = 1;
      if (auto [it, inserted] = ids.emplace(id, s.get()); !inserted) {
        d_.error(s->span, "struct '" + s->name + "' has the same type id as '" + it->second->name + "'; rename one of them");
      }
      s->type_id = id;
    }
  }
}

void Analyzer::fingerprint(PoolType& pool) {
  // The canonical layout of everything the pool can hold: any change to a
  // field's type, offset or name changes it.
  std::string canonical = "pool " + pool.name + "\n";
  std::set<const EnumType*> enums;
  std::function<void(const Type&)> note_enums = [&](const Type& t) {
    if (t.kind == Kind::enumeration) enums.insert(t.enumeration);
    if (t.element) note_enums(*t.element);
  };
  for (const StructType* s : pool.reachable) {
    canonical += "struct " + s->name + " " + std::to_string(s->layout.size) + "/" + std::to_string(s->layout.align) + " id " +
                 std::to_string(s->type_id) + "\n";
    for (const Field& f : s->fields) {
      canonical += "  " + f.name + ": " + describe(f.type) + " @" + std::to_string(f.offset) + (f.is_const ? " const" : "") + "\n";
      note_enums(f.type);
    }
  }
  for (const EnumType* e : enums) {
    canonical += "enum " + e->name + " " + describe(Type::scalar(e->underlying)) + "\n";
    for (const EnumValue& v : e->values) canonical += "  " + v.name + " = " + v.value + "\n";
  }
  pool.fingerprint = stable_hash(canonical);
}

std::optional<Model> Analyzer::run() {
  const std::size_t errors_before = d_.error_count();
  Model model;
  std::vector<Scope> own_scopes(schemas_.files.size());

  for (std::size_t i = 0; i < schemas_.files.size(); ++i) {
    const LoadedFile& file = schemas_.files[i];
    auto module = std::make_unique<Module>();
    module->source = file.source.get();
    module->stem = std::filesystem::path(file.source->path()).stem().string();
    module->docs = file.ast.package_docs;
    std::string package = file.ast.package;
    for (std::size_t start = 0; !package.empty();) {
      std::size_t dot = package.find('.', start);
      std::string part = package.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      check_name(file.ast.package_span, part, "package name part");
      module->namespace_parts.push_back(part);
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (std::size_t imported : file.imports) module->imports.push_back(model.modules[imported].get());
    declare(file.ast, *module, own_scopes[i]);
    model.modules.push_back(std::move(module));
  }

  // Headers are named after their schema file: two files with one name
  // would overwrite each other's header.
  for (std::size_t i = 0; i < model.modules.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (model.modules[i]->stem == model.modules[j]->stem) {
        d_.error(Span{model.modules[i]->source, 0, 0},
                 "'" + model.modules[i]->source->path() + "' and '" + model.modules[j]->source->path() +
                     "' would both generate " + model.modules[i]->stem + ".pschema.h; rename one of them");
      }
    }
  }

  // Each file sees its own names and those of the files it imports, plain
  // and package-qualified.
  std::vector<Scope> scopes(schemas_.files.size());
  for (std::size_t i = 0; i < schemas_.files.size(); ++i) {
    Scope& scope = scopes[i];
    std::set<std::string, std::less<>> own_names;
    auto add_all = [&](const Scope& from, const std::string& package, bool own) {
      // A plain name declared by two imported files (and not by this one)
      // is ambiguous: it must be qualified with its package.
      auto add_plain = [&](auto& table, const std::string& n, auto* t) {
        if (own) own_names.insert(n);
        auto [it, inserted] = table.emplace(n, t);
        if (!inserted && it->second != t && own_names.count(n) == 0) scope.ambiguous.insert(n);
      };
      for (const auto& [n, t] : from.enums) {
        add_plain(scope.enums, n, t);
        if (!package.empty()) scope.enums.emplace(package + "." + n, t);
      }
      for (const auto& [n, t] : from.structs) {
        add_plain(scope.structs, n, t);
        if (!package.empty()) scope.structs.emplace(package + "." + n, t);
      }
      for (const auto& [n, p] : from.pools) add_plain(scope.pools, n, p);
    };
    add_all(own_scopes[i], schemas_.files[i].ast.package, true);
    for (std::size_t imported : schemas_.files[i].imports) {
      add_all(own_scopes[imported], schemas_.files[imported].ast.package, false);
    }
  }

  for (std::size_t i = 0; i < schemas_.files.size(); ++i) {
    const ast::File& file = schemas_.files[i].ast;
    Module& module = *model.modules[i];
    for (std::size_t e = 0; e < file.enums.size(); ++e) resolve_enum(file.enums[e], *module.enums[e]);
    for (std::size_t s = 0; s < file.structs.size(); ++s) {
      StructType& type = *module.structs[s];
      const ast::Struct& decl = file.structs[s];
      std::map<std::string, Span> names;
      for (const ast::Field& f : decl.fields) {
        check_name(f.name_span, f.name, "field");
        if (auto [it, inserted] = names.emplace(f.name, f.name_span); !inserted) {
          d_.error(f.name_span, "duplicate field '" + f.name + "' in struct '" + decl.name + "'");
          d_.note(it->second, "'" + f.name + "' is first declared here");
          broken_.insert(&type);
          continue;
        }
        if (f.name == "View" || f.name == "Mut" || f.name == "Layout" || f.name == "Value" || f.name == "type_id" ||
            f.name == "init" || f.name == "destroy" || f.name == "to_value" || f.name == "assign" ||
            f.name == "log_whole" || f.name == "p_" || f.name == "tx_" || f.name == "base_" ||
            f.name.rfind("set_", 0) == 0 || f.name.rfind("init_", 0) == 0) {
          d_.error(f.name_span, "field name '" + f.name + "' clashes with a name the generated code uses "
                                "(View, Mut, Layout, Value, type_id, init, destroy, to_value, assign, log_whole, p_, tx_, base_, "
                                "set_*, init_*)");
          broken_.insert(&type);
          continue;
        }
        std::optional<Type> resolved = resolve(f.type, Use::field, "field '" + f.name + "'", scopes[i]);
        if (!resolved) {
          broken_.insert(&type);
          continue;
        }
        if (scopes[i].structs.count(f.name) != 0 || scopes[i].enums.count(f.name) != 0) {
          d_.error(f.name_span, "field '" + f.name + "' has the name of a type; in the generated views its accessor "
                                "would hide the type");
          broken_.insert(&type);
          continue;
        }
        if (f.is_const && !is_scalar(resolved->kind)) {
          d_.error(f.span, "field '" + f.name + "' is const but has type '" + describe(*resolved) +
                               "'; const applies to scalar and enum fields");
          broken_.insert(&type);
          continue;
        }
        Field field;
        field.name = f.name;
        field.type = *resolved;
        field.is_const = f.is_const;
        field.docs = f.docs;
        field.span = f.span;
        type.fields.push_back(std::move(field));
      }
    }
  }
  for (auto& module : model.modules) {
    for (auto& s : module->structs) {
      std::vector<const StructType*> path;
      compute_layout(*s, path);
    }
  }
  for (std::size_t i = 0; i < schemas_.files.size(); ++i) {
    const ast::File& file = schemas_.files[i].ast;
    Module& module = *model.modules[i];
    for (std::size_t p = 0; p < file.pools.size(); ++p) resolve_pool(file.pools[p], *module.pools[p], scopes[i]);
    std::map<std::string, Span> op_names;
    for (const ast::Operation& op : file.operations) {
      if (auto [it, inserted] = op_names.emplace(op.name, op.name_span); !inserted) {
        d_.error(op.name_span, "duplicate operation '" + op.name + "'");
        d_.note(it->second, "'" + op.name + "' is first declared here");
        continue;
      }
      resolve_operation(op, module, scopes[i]);
    }
  }
  check_eager_cycles(model);
  if (d_.error_count() != errors_before) return std::nullopt;
  assign_type_ids(model);
  check_pool_ownership(model);
  check_mutex_placement(model, d_);
  check_race_freedom(model, d_);
  check_rc_cycles(model);
  for (auto& module : model.modules) {
    for (auto& pool : module->pools) fingerprint(*pool);
  }
  if (d_.error_count() != errors_before) return std::nullopt;
  return model;
}

}  // namespace

std::optional<Model> analyze(const LoadedSchemas& schemas, Diagnostics& diagnostics) {
  return Analyzer(schemas, diagnostics).run();
}

}  // namespace pschema::gen
