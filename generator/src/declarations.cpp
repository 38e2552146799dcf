#include "declarations.hpp"

#include <filesystem>
#include <memory>

#include "attributes.hpp"
#include "generated_names.hpp"
#include "identifier_rules.hpp"

namespace pschema::gen {

namespace {

class Declarer {
 public:
  Declarer(Module& module, Scope& own, BrokenStructs& broken, Diagnostics& d)
      : module_(module), own_(own), broken_(broken), d_(d) {}

  void declare(const ast::File& file);

 private:
  bool is_usable_type_name(const std::string& name, const Span& span, const char* what);

  Module& module_;
  Scope& own_;
  BrokenStructs& broken_;
  Diagnostics& d_;
  std::map<std::string, Span> seen_;  // every type and pool name of the module
};

// Reports a type or pool name that cannot be used: declared twice, the
// name of a built-in type or of a type the generated code declares, or
// not a valid C++ name (that last one is reported but the name still works).
bool Declarer::is_usable_type_name(const std::string& name, const Span& span, const char* what) {
  auto [it, inserted] = seen_.emplace(name, span);
  if (!inserted) {
    d_.error(span,
             std::string("duplicate name '") + name + "': " + what + " has the same name as an earlier declaration");
    d_.note(it->second, "'" + name + "' is first declared here");
    return false;
  }
  if (builtin_named(name) != nullptr) {
    d_.error(span, std::string(what) + " '" + name + "' has the name of a built-in type");
    return false;
  }
  if (is_generated_type(name)) {
    d_.error(span, std::string(what) + " name '" + name + "' is taken by the generated code (every struct has " +
                       sentence_of_types(GeneratedScope::struct_type) + "; every pool " +
                       sentence_of_types(GeneratedScope::pool_class) + ")");
    return false;
  }
  check_identifier(span, name, what, d_);
  return true;
}

void Declarer::declare(const ast::File& file) {
  for (const ast::Enum& decl : file.enums) {
    auto type = std::make_unique<EnumType>();
    type->name = decl.name;
    type->module = &module_;
    type->docs = decl.docs;
    type->span = decl.name_span;
    type->was = former_name(decl.attributes, "enum '" + decl.name + "'", decl.name, d_);
    if (is_usable_type_name(decl.name, decl.name_span, "enum")) own_.enums[decl.name] = type.get();
    module_.enums.push_back(std::move(type));
  }
  for (const ast::Struct& decl : file.structs) {
    auto type = std::make_unique<StructType>();
    type->name = decl.name;
    type->module = &module_;
    type->docs = decl.docs;
    type->span = decl.name_span;
    type->was = former_name(decl.attributes, "struct '" + decl.name + "'", decl.name, d_);
    if (is_usable_type_name(decl.name, decl.name_span, "struct")) {
      own_.structs[decl.name] = type.get();
    } else {
      broken_.insert(type.get());
    }
    module_.structs.push_back(std::move(type));
  }
  for (const ast::Pool& decl : file.pools) {
    auto pool = std::make_unique<PoolType>();
    pool->name = decl.name;
    pool->module = &module_;
    pool->docs = decl.docs;
    pool->span = decl.name_span;
    pool->was = former_name(decl.attributes, "pool '" + decl.name + "'", decl.name, d_);
    if (is_usable_type_name(decl.name, decl.name_span, "pool")) own_.pools[decl.name] = pool.get();
    module_.pools.push_back(std::move(pool));
  }
}

std::unique_ptr<Module> make_module(const LoadedFile& file, const Model& model, Diagnostics& d) {
  auto module = std::make_unique<Module>();
  module->source = file.source.get();
  module->stem = std::filesystem::path(file.source->path()).stem().string();
  module->docs = file.ast.package_docs;
  const std::string& package = file.ast.package;
  for (std::size_t start = 0; !package.empty();) {
    std::size_t dot = package.find('.', start);
    std::string part = package.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    check_identifier(file.ast.package_span, part, "package name part", d);
    module->namespace_parts.push_back(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (std::size_t imported : file.imports) module->imports.push_back(model.modules[imported].get());
  return module;
}

// Headers are named after their schema file: two files with one name
// would overwrite each other's header.
void check_header_names(const Model& model, Diagnostics& d) {
  for (std::size_t i = 0; i < model.modules.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (model.modules[i]->stem == model.modules[j]->stem) {
        d.error(Span{model.modules[i]->source, 0, 0}, "'" + model.modules[i]->source->path() + "' and '" +
                                                          model.modules[j]->source->path() + "' would both generate " +
                                                          model.modules[i]->stem + ".pschema.h; rename one of them");
      }
    }
  }
}

// What file `i` sees: its own names, and those of the files it imports.
Scope visible_names(const LoadedSchemas& schemas, const std::vector<Scope>& own_scopes, std::size_t i) {
  Scope scope;
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
  add_all(own_scopes[i], schemas.files[i].ast.package, true);
  for (std::size_t imported : schemas.files[i].imports) {
    add_all(own_scopes[imported], schemas.files[imported].ast.package, false);
  }
  return scope;
}

}  // namespace

Declarations declare(const LoadedSchemas& schemas, Model& model, Diagnostics& d) {
  Declarations result;
  std::vector<Scope> own_scopes(schemas.files.size());
  for (std::size_t i = 0; i < schemas.files.size(); ++i) {
    std::unique_ptr<Module> module = make_module(schemas.files[i], model, d);
    Declarer(*module, own_scopes[i], result.broken, d).declare(schemas.files[i].ast);
    model.modules.push_back(std::move(module));
  }
  check_header_names(model, d);
  for (std::size_t i = 0; i < schemas.files.size(); ++i) result.scopes.push_back(visible_names(schemas, own_scopes, i));
  return result;
}

}  // namespace pschema::gen
