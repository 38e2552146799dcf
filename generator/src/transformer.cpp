#include "transformer.hpp"

namespace pschema::gen {

Span Transformer::span_of(antlr4::ParserRuleContext& ctx) const {
  antlr4::Token* start = ctx.getStart();
  antlr4::Token* stop = ctx.getStop();
  Span span{&file_, 0, 0};
  if (start == nullptr) return span;
  span.begin = file_.byte_offset_of_code_point(start->getStartIndex());
  span.end = stop != nullptr && stop->getStopIndex() + 1 >= start->getStartIndex()
                 ? file_.byte_offset_of_code_point(stop->getStopIndex() + 1)
                 : span.begin;
  return span;
}

Span Transformer::span_of(antlr4::Token* token) const {
  if (token == nullptr) return Span{&file_, 0, 0};
  return Span{&file_, file_.byte_offset_of_code_point(token->getStartIndex()),
              file_.byte_offset_of_code_point(token->getStopIndex() + 1)};
}

ast::Docs Transformer::docs_before(antlr4::ParserRuleContext& ctx) {
  ast::Docs lines;
  if (ctx.getStart() == nullptr) return lines;
  for (antlr4::Token* doc : tokens_.getHiddenTokensToLeft(ctx.getStart()->getTokenIndex())) {
    if (doc->getType() != P::DOC_COMMENT) continue;
    std::string text = doc->getText().substr(3);  // drop "///"
    if (!text.empty() && text.front() == ' ') text.erase(0, 1);
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
    lines.push_back(std::move(text));
  }
  return lines;
}

ast::File Transformer::transform_schema(P::SchemaContext& ctx) {
  ast::File file;
  file.source = &file_;
  if (auto* package = ctx.packageDecl()) {
    file.package_span = span_of(*package->qualifiedName());
    file.package = package->qualifiedName()->getText();
    file.package_docs = docs_before(*package);
  }
  for (auto* import : ctx.importDecl()) file.imports.push_back(transform_import(*import));
  for (auto* declaration : ctx.declaration()) {
    if (auto* e = declaration->enumDecl()) file.enums.push_back(transform_enum(*e));
    if (auto* s = declaration->structDecl()) file.structs.push_back(transform_struct(*s));
    if (auto* p = declaration->poolDecl()) file.pools.push_back(transform_pool(*p));
    if (auto* o = declaration->operationDecl()) file.operations.push_back(transform_operation(*o));
  }
  return file;
}

ast::Import Transformer::transform_import(P::ImportDeclContext& ctx) {
  ast::Import import;
  import.span = span_of(ctx);
  const std::string quoted = ctx.STRING()->getText();
  for (std::size_t i = 1; i + 1 < quoted.size(); ++i) {
    if (quoted[i] == '\\' && i + 2 < quoted.size()) ++i;  // \" and \\ stand for the next character
    import.path += quoted[i];
  }
  return import;
}

ast::Enum Transformer::transform_enum(P::EnumDeclContext& ctx) {
  ast::Enum e;
  e.span = span_of(ctx);
  e.name_span = span_of(*ctx.name());
  e.name = ctx.name()->getText();
  e.underlying = transform_type(*ctx.typeRef());
  e.docs = docs_before(ctx);
  e.attributes = transform_attributes(ctx.attribute());
  for (auto* value : ctx.enumValue()) e.values.push_back(transform_enum_value(*value));
  return e;
}

ast::EnumValue Transformer::transform_enum_value(P::EnumValueContext& ctx) {
  ast::EnumValue value;
  value.span = span_of(ctx);
  value.name = ctx.name()->getText();
  value.docs = docs_before(ctx);
  value.attributes = transform_attributes(ctx.attribute());
  if (auto* integer = ctx.integer()) {
    value.value_span = span_of(*integer);
    value.value = integer->getText();
  }
  return value;
}

ast::Struct Transformer::transform_struct(P::StructDeclContext& ctx) {
  ast::Struct s;
  s.span = span_of(ctx);
  s.name_span = span_of(*ctx.name());
  s.name = ctx.name()->getText();
  s.docs = docs_before(ctx);
  s.attributes = transform_attributes(ctx.attribute());
  for (auto* member : ctx.structMember()) {
    if (auto* field = member->fieldDecl()) s.fields.push_back(transform_field(*field));
    if (auto* removed = member->removedDecl()) {
      ast::RemovedField out;
      out.span = span_of(*removed);
      out.name_span = span_of(*removed->name());
      out.name = removed->name()->getText();
      s.removed.push_back(std::move(out));
    }
  }
  return s;
}

ast::Field Transformer::transform_field(P::FieldDeclContext& ctx) {
  ast::Field field;
  field.span = span_of(ctx);
  field.name_span = span_of(*ctx.name());
  field.name = ctx.name()->getText();
  field.type = transform_type(*ctx.typeRef());
  field.is_const = ctx.CONST() != nullptr;
  field.docs = docs_before(ctx);
  field.attributes = transform_attributes(ctx.attribute());
  if (auto* value = ctx.defaultValue()) {
    field.default_span = span_of(*value);
    field.default_value = value->getText();
  }
  return field;
}

ast::Pool Transformer::transform_pool(P::PoolDeclContext& ctx) {
  ast::Pool pool;
  pool.span = span_of(ctx);
  pool.name_span = span_of(*ctx.name());
  pool.name = ctx.name()->getText();
  pool.docs = docs_before(ctx);
  pool.attributes = transform_attributes(ctx.attribute());
  for (auto* item : ctx.poolItem()) pool.items.push_back(transform_pool_item(*item));
  return pool;
}

ast::PoolItem Transformer::transform_pool_item(P::PoolItemContext& ctx) {
  ast::PoolItem item;
  item.span = span_of(ctx);
  if (auto* field = dynamic_cast<P::PoolFieldContext*>(&ctx)) {
    item.name = field->name()->getText();
    item.type = transform_type(*field->typeRef());
  } else if (auto* flag = dynamic_cast<P::PoolFlagContext*>(&ctx)) {
    item.name = flag->name()->getText();
  }
  return item;
}

ast::Operation Transformer::transform_operation(P::OperationDeclContext& ctx) {
  ast::Operation op;
  op.span = span_of(ctx);
  op.kind = ctx.kind->getType() == P::QUERY ? ast::OperationKind::query : ast::OperationKind::tx;
  auto names = ctx.name();  // the operation's name, then the pool's
  op.name_span = span_of(*names.front());
  op.name = names.front()->getText();
  op.pool_span = span_of(*names.back());
  op.pool = names.back()->getText();
  op.docs = docs_before(ctx);
  for (auto* param : ctx.param()) op.params.push_back(transform_param(*param));
  if (auto* result = ctx.typeRef()) op.result = transform_type(*result);
  return op;
}

ast::Param Transformer::transform_param(P::ParamContext& ctx) {
  ast::Param param;
  param.span = span_of(ctx);
  param.name_span = span_of(*ctx.name());
  param.name = ctx.name()->getText();
  param.type = transform_type(*ctx.typeRef());
  return param;
}

ast::Attributes Transformer::transform_attributes(const std::vector<P::AttributeContext*>& attributes) {
  ast::Attributes out;
  for (auto* attribute : attributes) {
    auto names = attribute->name();  // the attribute's, then its argument
    ast::Attribute a;
    a.span = span_of(*attribute);
    a.name = names.front()->getText();
    a.argument = names.back()->getText();
    a.argument_span = span_of(*names.back());
    out.push_back(std::move(a));
  }
  return out;
}

ast::TypeExpr Transformer::transform_type(P::TypeRefContext& ctx) {
  ast::TypeExpr type;
  type.span = span_of(ctx);
  type.name_span = span_of(*ctx.qualifiedName());
  type.name = ctx.qualifiedName()->getText();
  type.has_args = ctx.LT() != nullptr;
  for (auto* arg : ctx.typeArg()) {
    ast::TypeArg out;
    out.span = span_of(*arg);
    if (auto* nested = arg->typeRef()) {
      out.type = std::make_unique<ast::TypeExpr>(transform_type(*nested));
    } else {
      out.integer = arg->integer()->getText();
    }
    type.args.push_back(std::move(out));
  }
  for (auto* suffix : ctx.typeSuffix()) {
    if (suffix->QUESTION() != nullptr) {
      if (type.optional) ++type.extra_optional;
      type.optional = true;
    } else if (suffix->STAR() != nullptr) {
      ++type.pointer_suffixes;
    } else {
      ++type.reference_suffixes;
    }
  }
  return type;
}

}  // namespace pschema::gen
