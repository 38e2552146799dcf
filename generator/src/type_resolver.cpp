#include "type_resolver.hpp"

#include <charconv>
#include <memory>

#include "suggestions.hpp"

namespace pschema::gen {

namespace {

// Deeper nesting of generic types is refused: no real schema comes close,
// and resolving would recurse without bound.
constexpr std::size_t max_nesting = 64;

bool in_pool(Use use) { return use == Use::field || use == Use::generic; }

std::size_t argument_count(TypeArgs args) {
  switch (args) {
    case TypeArgs::none: return 0;
    case TypeArgs::element: return 1;
    case TypeArgs::key_and_value:
    case TypeArgs::element_and_length: return 2;
  }
  return 0;
}

}  // namespace

std::optional<Type> TypeResolver::resolve(const ast::TypeExpr& expr, Use use, const std::string& what,
                                          const Scope& scope) {
  // Generic arguments nest: refuse absurd depths before recursing further.
  struct Depth {
    std::size_t& depth;
    explicit Depth(std::size_t& d) : depth(++d) {}
    ~Depth() { --depth; }
  } depth(depth_);
  if (depth_ > max_nesting) {
    d_.error(expr.span, what + " has types nested more than " + std::to_string(max_nesting) + " levels deep");
    return std::nullopt;
  }
  const std::string written = text_of(expr.span);
  if (expr.pointer_suffixes > 0 || expr.reference_suffixes > 0) {
    const std::string target = text_of(expr.name_span);
    const char* kind = expr.pointer_suffixes > 0 ? "raw pointer" : "reference";
    if (in_pool(use)) {
      std::string instead;
      if (target == "void") {
        instead = "a pool holds no untyped memory; point to a struct with box<S>?";
      } else if (scope.structs.count(target) != 0) {
        instead = "use box<" + target + ">?, rc<" + target + ">? or weak<" + target + ">?";
      } else {
        std::string_view hint = suggestion_for(target);
        std::string value = !hint.empty() ? std::string(hint) : builtin_named(target) != nullptr ? target : "";
        instead = value.empty() ? "point to a struct with box<S>?" : "store the value in place ('" + value + "')";
      }
      d_.error(expr.span, what + " has type '" + written + "', a " + kind +
                              ", which cannot be stored in a pool: it would dangle when the pool is mapped at "
                              "another address or closed; " +
                              instead);
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
    d_.error(expr.span, what + " has type '" + written + "': a " +
                            (inner->kind == Kind::handle ? "handle" : "weak pointer") +
                            " is already empty when its object is gone; drop the '?'");
    return std::nullopt;
  }
  Type optional;
  optional.kind = Kind::optional;
  optional.element = std::make_shared<Type>(*inner);
  return optional;
}

std::optional<Type> TypeResolver::resolve_named(const ast::TypeExpr& expr, Use use, const std::string& what,
                                                const Scope& scope) {
  if (const KindFacts* builtin = builtin_named(expr.name)) return resolve_builtin(*builtin, expr, use, what, scope);
  return resolve_declared(expr, use, what, scope);
}

std::optional<Type> TypeResolver::resolve_builtin(const KindFacts& builtin, const ast::TypeExpr& expr, Use use,
                                                  const std::string& what, const Scope& scope) {
  const std::string& name = expr.name;
  if (builtin.args == TypeArgs::none) {
    if (expr.has_args) {
      d_.error(expr.span, "'" + name + "' takes no type arguments");
      return std::nullopt;
    }
    return Type::scalar(builtin.kind);
  }
  if (expr.args.size() != argument_count(builtin.args)) {
    const char* wanted = builtin.args == TypeArgs::element         ? "one type argument"
                         : builtin.args == TypeArgs::key_and_value ? "a key type and a value type"
                                                                   : "a type and a length";
    const std::string example = builtin.args == TypeArgs::element_and_length ? "array<u8, 16>"
                                : builtin.args == TypeArgs::key_and_value    ? "map<u64, Account>"
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
  result.kind = builtin.kind;
  if (builtin.usable == Usable::in_operations) {
    if (in_pool(use)) {
      d_.error(expr.span, what + " has type '" + text_of(expr.span) +
                              "': a handle is a volatile reference into a pool and cannot be stored in one");
      return std::nullopt;
    }
  } else if (builtin.usable == Usable::in_pools && !in_pool(use) && builtin.kind != Kind::vec) {
    d_.error(expr.span, what + " has type '" + text_of(expr.span) +
                            "', a persistent type: it would outlive its transaction; operations take and return "
                            "volatile values only (scalars, enums, plain structs, string, bytes, vec and optionals "
                            "of these, and handle<T>)");
    return std::nullopt;
  }
  std::optional<Type> element = resolve(*first.type, Use::generic, what, scope);
  if (!element) return std::nullopt;
  if (builtin.kind == Kind::mutex && element->kind != Kind::structure) {
    d_.error(first.span, "a mutex guards a struct, not '" + text_of(first.span) +
                             "'; put the data it protects in a struct, as in mutex<Account>");
    return std::nullopt;
  }
  if (builtin.points_to_struct && element->kind != Kind::structure) {
    d_.error(first.span, "'" + name + "' points to a struct, not to '" + text_of(first.span) + "'; store " +
                             (is_scalar(element->kind) ? "the value in place" : "it inside a struct"));
    return std::nullopt;
  }
  if (builtin.args == TypeArgs::key_and_value) {
    // The key is the first argument; the value the second.
    if (!facts(element->kind).map_key) {
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
  if (builtin.args == TypeArgs::element_and_length) {
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
  // An operation's vec<T> is a std::vector of T's values (emitter.cpp).
  if (!in_pool(use) && builtin.kind == Kind::vec && !is_plain(*element) && element->kind != Kind::string &&
      element->kind != Kind::bytes) {
    d_.error(expr.span, what + " has type '" + text_of(expr.span) +
                            "': a vec passed to or from an operation must hold plain values (scalars, enums, "
                            "plain structs, arrays of these), strings or bytes");
    return std::nullopt;
  }
  if (!in_pool(use) && builtin.kind == Kind::array && !is_plain(result)) {
    d_.error(expr.span, what + " has type '" + text_of(expr.span) +
                            "': an array passed to or from an operation must hold plain values (scalars, enums, "
                            "plain structs)");
    return std::nullopt;
  }
  return result;
}

// A type the schemas declare: plain name, or package-qualified (`money.Money`).
std::optional<Type> TypeResolver::resolve_declared(const ast::TypeExpr& expr, Use use, const std::string& what,
                                                   const Scope& scope) {
  const std::string& name = expr.name;
  if (scope.ambiguous.count(name) != 0) {
    d_.error(expr.name_span, "'" + name +
                                 "' is declared in more than one imported file; write it with its package, "
                                 "as in pkg." +
                                 name);
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
    // A broken struct (its wrong fields were reported and left out) still
    // resolves in a pool: the checks after it then see the rest of the
    // schema, and report every error in one run. Whatever holds it by value
    // is broken too (layout.cpp), without a further message. Outside a pool
    // (operation parameters and results) whether it is plain is not known:
    // nothing more is said.
    if (broken_.count(it->second) != 0 && !in_pool(use)) return std::nullopt;
    if (!in_pool(use) && !is_plain(Type::of(it->second))) {
      d_.error(expr.span, what + " has type '" + name +
                              "', a struct that holds pointers into a pool: it would outlive its transaction; pass "
                              "its fields, or a handle<" +
                              name + ">");
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
    message += in_pool(use) ? "cannot be stored in a pool" : "is not a pschema type";
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
  ClosestName closest(name);
  for (const auto& [n, t] : scope.enums) closest.consider(n);
  for (const auto& [n, t] : scope.structs) closest.consider(n);
  for (const KindFacts& builtin : builtin_kinds()) closest.consider(builtin.name);
  d_.error(expr.name_span,
           "unknown type '" + name + "'" + (closest.best().empty() ? "" : "; did you mean '" + closest.best() + "'?"));
  return std::nullopt;
}

}  // namespace pschema::gen
