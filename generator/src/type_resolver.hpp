// Turns a type as written (ast::TypeExpr) into a resolved Type, checking
// what the language allows where the type is written: what a pool can
// store, what an operation can take and return, the arguments of each
// built-in generic type. Unknown names get a suggestion.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "ast.hpp"
#include "declarations.hpp"
#include "diagnostics.hpp"
#include "model.hpp"

namespace pschema::gen {

// Where a type is written decides what it may be.
enum class Use {
  field,    // in a pool (struct fields and pool roots)
  param,    // an operation's parameter
  result,   // an operation's result
  generic,  // the argument of a generic type (whose own use decides the rest)
};

// One resolver serves the whole analysis: it limits the nesting of types
// and the number of "did you mean" searches across every file.
class TypeResolver {
 public:
  TypeResolver(const BrokenStructs& broken, Diagnostics& diagnostics) : broken_(broken), d_(diagnostics) {}

  // The type, or nothing when it was reported as wrong. `what` names the
  // place for messages ("field 'owner'"). A struct whose declaration is
  // broken resolves in a pool (see resolve_declared), and to nothing,
  // without a further message, elsewhere. Operations'
  // types (Use::param, Use::result) may be resolved only once every
  // struct's layout is computed: whether a struct is plain is asked then.
  std::optional<Type> resolve(const ast::TypeExpr& expr, Use use, const std::string& what, const Scope& scope);

 private:
  std::optional<Type> resolve_named(const ast::TypeExpr& expr, Use use, const std::string& what, const Scope& scope);
  std::optional<Type> resolve_builtin(const KindFacts& builtin, const ast::TypeExpr& expr, Use use,
                                      const std::string& what, const Scope& scope);
  std::optional<Type> resolve_declared(const ast::TypeExpr& expr, Use use, const std::string& what, const Scope& scope);

  const BrokenStructs& broken_;
  Diagnostics& d_;
  std::size_t depth_ = 0;
  std::size_t unknown_names_ = 0;
};

}  // namespace pschema::gen
