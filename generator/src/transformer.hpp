// Parse tree -> AST, in one place: one function per grammar rule. Nothing
// after this point sees ANTLR types.
#pragma once

#include "PSchemaParser.h"
#include "ast.hpp"
#include "source_file.hpp"

namespace pschema::gen {

class Transformer {
 public:
  Transformer(const SourceFile& file, antlr4::BufferedTokenStream& tokens) : file_(file), tokens_(tokens) {}

  ast::File transform_schema(pschema_grammar::PSchemaParser::SchemaContext& ctx);

 private:
  using P = pschema_grammar::PSchemaParser;

  ast::Enum transform_enum(P::EnumDeclContext& ctx);
  ast::EnumValue transform_enum_value(P::EnumValueContext& ctx);
  ast::Struct transform_struct(P::StructDeclContext& ctx);
  ast::Field transform_field(P::FieldDeclContext& ctx);
  ast::Pool transform_pool(P::PoolDeclContext& ctx);
  ast::PoolItem transform_pool_item(P::PoolItemContext& ctx);
  ast::Operation transform_operation(P::OperationDeclContext& ctx);
  ast::Param transform_param(P::ParamContext& ctx);
  ast::TypeExpr transform_type(P::TypeRefContext& ctx);
  ast::Import transform_import(P::ImportDeclContext& ctx);
  ast::Attributes transform_attributes(const std::vector<P::AttributeContext*>& attributes);
  // The doc comments (hidden tokens) right before the rule's first token.
  ast::Docs docs_before(antlr4::ParserRuleContext& ctx);

  Span span_of(antlr4::ParserRuleContext& ctx) const;
  Span span_of(antlr4::Token* token) const;

  const SourceFile& file_;
  antlr4::BufferedTokenStream& tokens_;
};

}  // namespace pschema::gen
