// A pool: its root struct and its flags, and whether its full name fits
// in a pool file's header.
#include "edit_distance.hpp"
#include "resolution.hpp"

namespace pschema::gen {

namespace {

// The pool file's header stores the name in 64 bytes, NUL-terminated.
constexpr std::size_t max_pool_name = 63;

}  // namespace

void resolve_pool(const ast::Pool& decl, PoolType& pool, const Scope& scope, TypeResolver& types, Diagnostics& d) {
  std::string qualified;
  for (const auto& part : pool.module->namespace_parts) qualified += part + ".";
  qualified += decl.name;
  if (qualified.size() > max_pool_name) {
    d.error(decl.name_span,
            "the pool's full name '" + qualified + "' is longer than the 63 bytes a pool file can store");
  }
  bool has_root = false;
  for (const ast::PoolItem& item : decl.items) {
    if (item.name == "root" && item.type) {
      if (has_root) {
        d.error(item.span, "pool '" + decl.name + "' declares its root twice");
        continue;
      }
      has_root = true;
      std::optional<Type> root = types.resolve(*item.type, Use::field, "the root of pool '" + decl.name + "'", scope);
      if (!root) continue;
      if (root->kind != Kind::structure) {
        d.error(item.type->span,
                "the root of pool '" + decl.name + "' must be a struct, not '" + text_of(item.type->span) + "'");
        continue;
      }
      pool.root = root->structure;
    } else if (item.name == "concurrent" && !item.type) {
      pool.concurrent = true;
    } else {
      const bool looks_like_root = item.type && edit_distance(item.name, "root") <= 2;
      d.error(item.span, "unknown pool item '" + item.name + "'" +
                             (looks_like_root ? "; did you mean 'root'?" : "; a pool has 'root: Type;'"));
      has_root = has_root || looks_like_root;  // do not also complain that the root is missing
    }
  }
  if (!has_root) d.error(decl.name_span, "pool '" + decl.name + "' has no root; add 'root: SomeStruct;'");
}

}  // namespace pschema::gen
