#include "emitter.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "generated_names.hpp"
#include "printer.hpp"
#include "pschema/format/schema_bundle.hpp"

namespace pschema::gen {

namespace {

std::string hex(std::uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 60; shift >= 0; shift -= 4) out += digits[(value >> shift) & 0xF];
  return out;
}

class Emitter {
 public:
  Emitter(const Module& module, std::string version) : module_(module), version_(std::move(version)) {
    // Templates write each generated name where they declare it as
    // `$name$`: a name missing from the list cannot be printed.
    for (const GeneratedName& g : generated_names()) {
      if (!g.is_prefix) p_.define(std::string(g.name), std::string(g.name));
    }
  }

  std::string run();

 private:
  // Names of user types, qualified when they come from another file.
  std::string qualify(const std::string& name, const Module* owner) const {
    if (owner == &module_) return name;
    std::string out;
    for (const auto& part : owner->namespace_parts) out += "::" + part;
    return out + "::" + name;
  }
  std::string struct_name(const StructType* s) const { return qualify(s->name, s->module); }

  std::string tag(const Type& t) const;
  std::string instantiate(std::string_view name, const Type& t) const;
  std::string layout_type(const Type& t) const;
  std::string view_type(const Type& t) const;
  std::string mut_type(const Type& t) const;
  std::string value_type(const Type& t) const;
  std::string param_type(const Type& t) const;
  std::string result_type(const Type& t) const;
  // The template variables of a field's accessors, the same in the class
  // bodies and in the out-of-line definitions.
  using Variables = std::map<std::string, std::string, std::less<>>;
  Variables field_variables(const Field& f) const {
    return {{"field", f.name},
            {"tag", tag(f.type)},
            {"view", view_type(f.type)},
            {"mut", mut_type(f.type)},
            {"param", param_type(f.type)},
            {"value", value_type(f.type)},
            {"set_field", setter_name(f.name)},
            {"init_field", initializer_name(f.name)}};
  }

  void docs(const ast::Docs& lines);
  void emit_enum(const EnumType& e);
  void emit_struct_shell(const StructType& s);
  void emit_layout(const StructType& s);
  void emit_no_rebind(const std::string& cls);
  void emit_view_class(const StructType& s);
  void emit_mut_class(const StructType& s);
  void emit_definitions(const StructType& s);
  void emit_pool(const PoolType& pool);

  const Module& module_;
  std::string version_;
  Printer p_;
};

std::string Emitter::tag(const Type& t) const {
  if (t.kind == Kind::enumeration) return qualify(t.enumeration->name, t.enumeration->module);
  if (t.kind == Kind::structure) return struct_name(t.structure);
  return instantiate(facts(t.kind).cpp, t);
}

// A kind's C++ template from the facts table, with the tags of its arguments.
std::string Emitter::instantiate(std::string_view name, const Type& t) const {
  return std::string(name) + type_arguments(t, [this](const Type& e) { return tag(e); });
}

std::string Emitter::layout_type(const Type& t) const {
  if (is_scalar(t.kind)) return facts(t.kind).cpp_layout.empty() ? tag(t) : std::string(facts(t.kind).cpp_layout);
  if (t.kind == Kind::structure) return struct_name(t.structure) + "::Layout";
  if (t.kind == Kind::optional && facts(t.element->kind).heap_offset) return layout_type(*t.element);  // a null offset
  if (!facts(t.kind).cpp_layout.empty()) return std::string(facts(t.kind).cpp_layout);
  return "pschema::traits<" + tag(t) + ">::layout";
}

std::string Emitter::view_type(const Type& t) const {
  if (is_scalar(t.kind)) return tag(t);
  if (t.kind == Kind::structure) return struct_name(t.structure) + "::View";
  // Reading a pointer that always holds an object gives the object.
  if (facts(t.kind).never_empty) return struct_name(t.element->structure) + "::View";
  if (t.kind == Kind::optional) return "std::optional<" + view_type(*t.element) + ">";
  if (!facts(t.kind).cpp_view.empty()) return instantiate(facts(t.kind).cpp_view, t);
  return "pschema::traits<" + tag(t) + ">::view";
}

std::string Emitter::mut_type(const Type& t) const {
  if (t.kind == Kind::structure) return struct_name(t.structure) + "::Mut";
  if (t.kind == Kind::optional && !facts(t.element->kind).cpp_optional_mut.empty()) {
    return instantiate(facts(t.element->kind).cpp_optional_mut, *t.element);
  }
  if (!facts(t.kind).cpp_mut.empty()) return instantiate(facts(t.kind).cpp_mut, t);
  return "pschema::traits<" + tag(t) + ">::mut";
}

// Spelled out (Money::Value, std::array<Point::Value, 4>) rather than as
// pschema::value_of<Tag>::type, which names the same type, so that the
// signatures a user reads say what they take.
std::string Emitter::value_type(const Type& t) const {
  if (is_scalar(t.kind)) return tag(t);
  if (t.kind == Kind::structure) return struct_name(t.structure) + "::Value";
  if (!facts(t.kind).cpp_value.empty()) {
    return std::string(facts(t.kind).cpp_value) + type_arguments(t, [this](const Type& e) { return value_type(e); });
  }
  return "pschema::value_of<" + tag(t) + ">::type";
}

// An operation's T? and vec<T> are the standard containers of T's owned
// value (std::string for a string, S::Value for a plain struct).
std::string Emitter::param_type(const Type& t) const {
  if (t.kind == Kind::optional) return "const std::optional<" + result_type(*t.element) + ">&";
  if (t.kind == Kind::vec) return "const std::vector<" + result_type(*t.element) + ">&";
  if (!facts(t.kind).cpp_param.empty()) return instantiate(facts(t.kind).cpp_param, t);
  if (facts(t.kind).param_by_reference) return "const " + value_type(t) + "&";
  return value_type(t);
}

std::string Emitter::result_type(const Type& t) const {
  if (t.kind == Kind::optional) return "std::optional<" + result_type(*t.element) + ">";
  if (t.kind == Kind::vec) return "std::vector<" + result_type(*t.element) + ">";
  if (!facts(t.kind).cpp_result.empty()) return instantiate(facts(t.kind).cpp_result, t);
  return value_type(t);
}

void Emitter::docs(const ast::Docs& lines) {
  for (const auto& line : lines) p_.print("/// $line$\n", {{"line", line}});
}

void Emitter::emit_enum(const EnumType& e) {
  docs(e.docs);
  p_.print("enum class $name$ : $type$ {\n", {{"name", e.name}, {"type", tag(Type::scalar(e.underlying))}});
  {
    Printer::Indent indent(p_);
    for (const EnumValue& v : e.values) {
      docs(v.docs);
      p_.print("$name$ = $value$,\n", {{"name", v.name}, {"value", v.value}});
    }
  }
  p_.print("};\n\n");
}

void Emitter::emit_struct_shell(const StructType& s) {
  // Where the struct is declared, for a reader of the header coming from
  // the schema or going back to it.
  p_.print("// $file$:$line$\n",
           {{"file", module_.stem + ".pschema"}, {"line", std::to_string(s.span.file->locate(s.span.begin).line)}});
  docs(s.docs);
  const bool plain = is_plain(Type::of(&s));
  p_.print("struct $name$ {\n", {{"name", s.name}});
  {
    Printer::Indent indent(p_);
    p_.print("static constexpr std::uint32_t $type_id$ = $id$u;\n", {{"id", std::to_string(s.type_id)}});
    p_.print("struct $Layout$;\n");
    p_.print("class $View$;\n");
    p_.print("class $Mut$;\n");
    if (plain) p_.print("struct $Value$;\n");
    p_.print("\n");
    p_.print("static void $init$(pschema::Transaction& tx, Layout* p);\n");
    p_.print("static void $destroy$(pschema::Transaction& tx, Layout* p);\n");
  }
  p_.print("};\n\n");
}

void Emitter::emit_layout(const StructType& s) {
  p_.print("struct $name$::Layout {\n", {{"name", s.name}});
  {
    Printer::Indent indent(p_);
    p_.print("Layout() = delete;\n");
    for (const Field& f : s.fields) p_.print("$type$ $name$;\n", {{"type", layout_type(f.type)}, {"name", f.name}});
    if (s.fields.empty()) p_.print("std::uint8_t reserved_;\n");
  }
  p_.print("};\n");
  const std::map<std::string, std::string, std::less<>> vars = {
      {"name", s.name}, {"size", std::to_string(s.layout.size)}, {"align", std::to_string(s.layout.align)}};
  p_.print(
      "static_assert(std::is_standard_layout_v<$name$::Layout> && std::is_trivially_copyable_v<$name$::Layout>);\n",
      vars);
  p_.print("static_assert(sizeof($name$::Layout) == $size$ && alignof($name$::Layout) == $align$);\n", vars);
  for (const Field& f : s.fields) {
    p_.print("static_assert(offsetof($name$::Layout, $field$) == $offset$);\n",
             {{"name", s.name}, {"field", f.name}, {"offset", std::to_string(f.offset)}});
  }
  p_.print("\n");
}

// A View or Mut refers to pool data: assigning one to another would only
// rebind it and change nothing in the pool, so it is deleted (copying the
// data is named: assign(value), set_x(...)); as in pschema/detail/no_rebind.hpp.
void Emitter::emit_no_rebind(const std::string& cls) {
  p_.print("$cls$(const $cls$&) = default;\n", {{"cls", cls}});
  p_.print("$cls$& operator=(const $cls$&) = delete;  // rebinding would change nothing in the pool\n", {{"cls", cls}});
}

void Emitter::emit_view_class(const StructType& s) {
  const bool plain = is_plain(Type::of(&s));
  p_.print("class $name$::View {\n public:\n", {{"name", s.name}});
  {
    Printer::Indent indent(p_);
    emit_no_rebind("View");
    for (const Field& f : s.fields) {
      docs(f.docs);
      p_.print("$type$ $field$() const;\n", {{"type", view_type(f.type)}, {"field", f.name}});
    }
    if (plain) p_.print("Value $to_value$() const;\n");
  }
  p_.print("\n private:\n");
  {
    Printer::Indent indent(p_);
    p_.print("friend struct pschema::access;\n");
    p_.print("friend class Mut;\n");
    // The pool's mapping (its base and heap bounds) resolves and checks the
    // offsets that non-scalar fields hold; a view of scalars only takes it
    // (access constructs every View alike) but has no use for it, so it
    // does not store it.
    const bool needs_base =
        std::any_of(s.fields.begin(), s.fields.end(), [](const Field& f) { return !is_scalar(f.type.kind); });
    if (needs_base) {
      p_.print("View(const pschema::Mapping* base, const Layout* p) : base_(base), p_(p) {}\n");
      p_.print("const pschema::Mapping* $base_$;\n");
    } else {
      p_.print("View(const pschema::Mapping*, const Layout* p) : p_(p) {}\n");
    }
    p_.print("const Layout* $p_$;\n");
  }
  p_.print("};\n\n");
}

void Emitter::emit_mut_class(const StructType& s) {
  const bool plain = is_plain(Type::of(&s));
  p_.print("class $name$::Mut {\n public:\n", {{"name", s.name}});
  {
    Printer::Indent indent(p_);
    emit_no_rebind("Mut");
    p_.print("operator View() const { return View(tx_->mapping(), p_); }\n");
    for (const Field& f : s.fields) {
      docs(f.docs);
      const Variables vars = field_variables(f);
      if (f.is_const) {
        // Read-only after creation; `init_x` sets it on an object this
        // transaction made.
        p_.print("$view$ $field$() const;\n", vars);
        if (is_scalar(f.type.kind)) p_.print("void $init_field$($tag$ value) const;\n", vars);
        continue;
      }
      p_.print(is_scalar(f.type.kind) ? "$tag$ $field$() const;\n" : "$mut$ $field$() const;\n", vars);
      switch (facts(f.type.kind).setter) {
        case Setter::value: p_.print("void $set_field$($tag$ value) const;\n", vars); break;
        case Setter::view: p_.print("void $set_field$($param$ value) const;\n", vars); break;
        case Setter::plain_value:
          if (is_plain(f.type)) p_.print("void $set_field$(const $value$& value) const;\n", vars);
          break;
        case Setter::none: break;
      }
    }
    if (plain) p_.print("void $assign$(const Value& value) const;\n");
    if (contains_mutex(Type::of(&s))) {
      // No log_whole: rolling back a logged lock word could release a lock
      // another transaction holds (pschema/log_whole.hpp checks for this).
      p_.print("static constexpr bool $holds_mutex$ = true;\n");
    } else {
      p_.print("void $log_whole$() const { tx_->log_whole({{p_, sizeof(Layout)}}); }\n");
    }
  }
  p_.print("\n private:\n");
  {
    Printer::Indent indent(p_);
    p_.print("friend struct pschema::access;\n");
    p_.print("Mut(pschema::detail::TxRef tx, Layout* p) : tx_(tx), p_(p) {}\n");
    p_.print("pschema::detail::TxRef $tx_$;\n");
    p_.print("Layout* $p_$;\n");
  }
  p_.print("};\n\n");
}

void Emitter::emit_definitions(const StructType& s) {
  const bool plain = is_plain(Type::of(&s));
  const std::string& n = s.name;
  if (plain) {
    p_.print("struct $name$::Value {\n", {{"name", n}});
    {
      Printer::Indent indent(p_);
      for (const Field& f : s.fields)
        p_.print("$type$ $field${};\n", {{"type", value_type(f.type)}, {"field", f.name}});
      // Found by argument-dependent lookup only: marks the struct as a
      // generated Value, which a body may return (pschema/returnable.hpp).
      p_.print("friend constexpr bool pschema_generated_value(const Value*) { return true; }\n");
    }
    p_.print("};\n\n");
  }
  p_.print("inline void $name$::init([[maybe_unused]] pschema::Transaction& tx, [[maybe_unused]] Layout* p) {\n",
           {{"name", n}});
  for (const Field& f : s.fields) {
    if (!is_scalar(f.type.kind))
      p_.print("  pschema::traits<$tag$>::init(tx, &p->$field$);\n", {{"tag", tag(f.type)}, {"field", f.name}});
  }
  p_.print("}\n");
  p_.print("inline void $name$::destroy([[maybe_unused]] pschema::Transaction& tx, [[maybe_unused]] Layout* p) {\n",
           {{"name", n}});
  for (const Field& f : s.fields) {
    if (!is_scalar(f.type.kind))
      p_.print("  pschema::traits<$tag$>::destroy(tx, &p->$field$);\n", {{"tag", tag(f.type)}, {"field", f.name}});
  }
  p_.print("}\n");

  for (const Field& f : s.fields) {
    Variables vars = field_variables(f);
    vars.emplace("name", n);
    if (is_scalar(f.type.kind)) {
      p_.print("inline $view$ $name$::View::$field$() const { return p_->$field$; }\n", vars);
    } else {
      p_.print(
          "inline $view$ $name$::View::$field$() const { return pschema::traits<$tag$>::make_view(base_, "
          "&p_->$field$); }\n",
          vars);
    }
    if (f.is_const) {
      if (is_scalar(f.type.kind)) {
        p_.print("inline $view$ $name$::Mut::$field$() const { return p_->$field$; }\n", vars);
        p_.print(
            "inline void $name$::Mut::$init_field$($tag$ value) const {\n"
            "  if (!tx_->allocated_here(p_)) throw pschema::usage_error(\"\", \"$name$.$field$ is const: it can only "
            "be set on an object made in this transaction\");\n"
            "  tx_->write(p_->$field$, value);\n"
            "}\n",
            vars);
      } else {
        p_.print(
            "inline $view$ $name$::Mut::$field$() const { return pschema::traits<$tag$>::make_view(tx_->mapping(), "
            "&p_->$field$); }\n",
            vars);
      }
      continue;
    }
    if (is_scalar(f.type.kind)) {
      p_.print("inline $tag$ $name$::Mut::$field$() const { return p_->$field$; }\n", vars);
    } else {
      p_.print(
          "inline $mut$ $name$::Mut::$field$() const { return pschema::traits<$tag$>::make_mut(tx_, &p_->$field$); "
          "}\n",
          vars);
    }
    switch (facts(f.type.kind).setter) {
      case Setter::value:
        p_.print("inline void $name$::Mut::$set_field$($tag$ value) const { tx_->write(p_->$field$, value); }\n", vars);
        break;
      case Setter::view:
        p_.print("inline void $name$::Mut::$set_field$($param$ value) const { this->$field$().assign(value); }\n",
                 vars);
        break;
      case Setter::plain_value:
        if (!is_plain(f.type)) break;
        p_.print(
            "inline void $name$::Mut::$set_field$(const $value$& value) const {\n"
            "  pschema::value_of<$tag$>::assign(*tx_, &p_->$field$, value);\n"
            "}\n",
            vars);
        break;
      case Setter::none: break;
    }
  }
  if (plain) {
    p_.print("inline $name$::Value $name$::View::to_value() const {\n  Value out;\n", {{"name", n}});
    for (const Field& f : s.fields) {
      // this->: a field may be called `out` too.
      p_.print("  out.$field$ = pschema::value_of<$tag$>::from(this->$field$());\n",
               {{"field", f.name}, {"tag", tag(f.type)}});
    }
    p_.print("  return out;\n}\n");
    p_.print("inline void $name$::Mut::assign([[maybe_unused]] const Value& value) const {\n", {{"name", n}});
    // One journal entry for the whole value rather than one per field.
    if (s.fields.size() > 1) p_.print("  tx_->add(p_, sizeof(Layout));\n");
    for (const Field& f : s.fields) {
      if (f.is_const) {
        // A const field is set only on a new object: init_ checks that.
        p_.print("  $init_field$(value.$field$);\n", {{"field", f.name}, {"init_field", initializer_name(f.name)}});
      } else {
        p_.print("  pschema::value_of<$tag$>::assign(*tx_, &p_->$field$, value.$field$);\n",
                 {{"field", f.name}, {"tag", tag(f.type)}});
      }
    }
    p_.print("}\n");
  }
  p_.print("\n");
}

void Emitter::emit_pool(const PoolType& pool) {
  const std::string root = struct_name(pool.root);
  std::string qualified_name;
  for (const auto& part : module_.namespace_parts) qualified_name += part + ".";
  qualified_name += pool.name;
  std::map<std::string, std::string, std::less<>> vars = {
      {"name", pool.name}, {"root", root}, {"qualified", qualified_name}, {"fingerprint", hex(pool.fingerprint)}};

  docs(pool.docs);
  p_.print("class $name$ : public pschema::TypedPool<$name$, $root$> {\n public:\n", vars);
  {
    Printer::Indent indent(p_);
    p_.print("static const pschema::SchemaInfo& $schema_info$();\n");
    std::vector<const Operation*> ops;
    for (const Operation& op : module_.operations) {
      if (op.pool == &pool) ops.push_back(&op);
    }
    if (!ops.empty()) {
      p_.print(
          "\n// The operations declared in the schema. Each runs in its own transaction\n"
          "// (tx) or read (query) and calls the implementation in Ops, which you write.\n");
      for (const Operation* op : ops) {
        std::string params, args;
        for (const Param& param : op->params) {
          if (!params.empty()) params += ", ";
          params += param_type(param.type) + " " + param.name;
          args += ", " + param.name;
        }
        const std::string result = op->result ? result_type(*op->result) : "void";
        const bool query = op->kind == ast::OperationKind::query;
        docs(op->docs);
        // In a concurrent pool, reads lock too: both retry on deadlock.
        const std::string retry = pool.concurrent ? "pschema::retry_deadlocks, " : "";
        p_.print(query ? "$result$ $op$($params$) const {\n  return read($retry$[&](const Snapshot& $snapshot$) { "
                         "return Ops::$op$(snapshot$args$); });\n}\n"
                       : "$result$ $op$($params$) {\n  return transaction($retry$[&](Tx& $tx$) { return "
                         "Ops::$op$(tx$args$); });\n}\n",
                 {{"result", result}, {"op", op->name}, {"params", params}, {"args", args}, {"retry", retry}});
      }
      p_.print("\nstruct $Ops$ {\n");
      {
        Printer::Indent inner(p_);
        for (const Operation* op : ops) {
          std::string params;
          for (const Param& param : op->params) params += ", " + param_type(param.type) + " " + param.name;
          p_.print(op->kind == ast::OperationKind::query ? "static $result$ $op$(const Snapshot& $snapshot$$params$);\n"
                                                         : "static $result$ $op$(Tx& $tx$$params$);\n",
                   {{"result", op->result ? result_type(*op->result) : "void"}, {"op", op->name}, {"params", params}});
        }
      }
      p_.print("};\n");
    }
  }
  p_.print("\n private:\n");
  {
    Printer::Indent indent(p_);
    p_.print("friend class pschema::TypedPool<$name$, $root$>;\n", vars);
    p_.print("using TypedPool::TypedPool;\n");
  }
  p_.print("};\n\n");

  p_.print("inline const pschema::SchemaInfo& $name$::schema_info() {\n", vars);
  {
    Printer::Indent indent(p_);
    p_.print("static const pschema::SchemaInfo info = [] {\n");
    {
      Printer::Indent inner(p_);
      p_.print("pschema::SchemaInfo i;\n");
      p_.print("i.name = \"$qualified$\";\n", vars);
      p_.print("i.fingerprint = $fingerprint$ULL;\n", vars);
      std::string delimiter = "pschema";
      const std::string bundle = schema_bundle(module_);
      while (bundle.find(")" + delimiter + "\"") != std::string::npos) delimiter += "_";
      p_.print("// The schema source, stored in every pool so tools can read it.\n");
      p_.print("i.text = R\"$d$($text$)$d$\";\n", {{"d", delimiter}, {"text", bundle}});
      p_.print("i.root_size = sizeof($root$::Layout);\n", vars);
      p_.print("i.root_type_id = $root$::type_id;\n", vars);
      p_.print("i.initialize_root = &pschema::initialize_root<$root$>;\n", vars);
      if (pool.concurrent) p_.print("i.concurrent = true;\n");
      p_.print("return i;\n");
    }
    p_.print("}();\n");
    p_.print("return info;\n");
  }
  p_.print("}\n\n");
}

std::string Emitter::run() {
  p_.print(
      "// Generated by pschema $version$ from $file$. Do not edit: edit the schema\n"
      "// and run the generator again.\n"
      "#pragma once\n\n"
      "#include <cstddef>\n#include <cstdint>\n#include <type_traits>\n\n"
      "#include \"pschema/schema.hpp\"\n",
      {{"version", version_}, {"file", module_.stem + ".pschema"}});
  for (const Module* imported : module_.imports) p_.print("#include \"$h$\"\n", {{"h", header_name(*imported)}});
  p_.print(
      "\nstatic_assert(PSCHEMA_RUNTIME_VERSION_MAJOR == 0,\n"
      "              \"$file$.h was generated for version 0 of the pschema runtime\");\n\n",
      {{"file", module_.stem + ".pschema"}});
  docs(module_.docs);
  std::string ns;
  for (const auto& part : module_.namespace_parts) ns += (ns.empty() ? "" : "::") + part;
  if (!ns.empty()) p_.print("namespace $ns$ {\n\n", {{"ns", ns}});

  // Layouts in an order where the structs held in place (by value, as
  // elements of an array, an optional or a mutex) come first: C++ needs
  // their Layout complete.
  std::vector<const StructType*> ordered;
  std::set<const StructType*> placed;
  std::function<void(const StructType*)> place = [&](const StructType* s) {
    if (s->module != &module_ || placed.count(s) != 0) return;
    placed.insert(s);
    std::function<void(const Type&)> by_value = [&](const Type& t) {
      if (t.kind == Kind::structure) place(t.structure);
      if (facts(t.kind).in_place) by_value(*t.element);
    };
    for (const Field& f : s->fields) by_value(f.type);
    ordered.push_back(s);
  };
  for (const auto& s : module_.structs) place(s.get());

  const bool has_pools = !module_.pools.empty();
  if (!module_.structs.empty()) {
    p_.print(
        "// ---- Types ----\n"
        "// What each struct's members are (Layout, View, Mut, Value, init, destroy,\n"
        "// log_whole) is described once, in pschema/schema.hpp.\n\n");
    for (const auto& s : module_.structs) p_.print("struct $name$;\n", {{"name", s->name}});
    p_.print("\n");
  }
  for (const auto& e : module_.enums) emit_enum(*e);
  for (const auto& s : module_.structs) emit_struct_shell(*s);
  if (!ordered.empty()) p_.print("// ---- Layouts: the bytes in the pool, checked against the schema ----\n\n");
  for (const StructType* s : ordered) emit_layout(*s);
  if (!ordered.empty()) p_.print("// ---- Views ----\n\n");
  for (const auto& s : module_.structs) {
    emit_view_class(*s);
    emit_mut_class(*s);
  }
  for (const auto& s : module_.structs) emit_definitions(*s);
  if (has_pools) p_.print("// ---- Pools ----\n\n");
  for (const auto& pool : module_.pools) emit_pool(*pool);
  if (!ns.empty()) p_.print("}  // namespace $ns$\n", {{"ns", ns}});
  return p_.text();
}

}  // namespace

std::string schema_bundle(const Module& module) {
  // The module and everything it imports, imports first (depth first, each
  // once): the pool tool finds an import among the files before it.
  std::vector<const Module*> order;
  std::set<const Module*> seen;
  std::function<void(const Module*)> visit = [&](const Module* m) {
    if (!seen.insert(m).second) return;
    for (const Module* imported : m->imports) visit(imported);
    order.push_back(m);
  };
  visit(&module);
  std::vector<format::SchemaFile> files;
  for (const Module* m : order) files.push_back({m->stem + ".pschema", m->source->text()});
  return format::join_schema_bundle(files);
}

std::string header_name(const Module& module) { return module.stem + ".pschema.h"; }

std::string emit_header(const Module& module, const std::string& generator_version) {
  return Emitter(module, generator_version).run();
}

}  // namespace pschema::gen
