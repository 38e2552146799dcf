#include "parser.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "PSchemaLexer.h"
#include "PSchemaParser.h"
#include "antlr4-runtime.h"
#include "transformer.hpp"

namespace pschema::gen {

using pschema_grammar::PSchemaLexer;
using pschema_grammar::PSchemaParser;

namespace {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
// ANTLR's input stream throws on invalid UTF-8 (overlong forms and
// surrogates included); we report it instead.
std::size_t find_invalid_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      code = c & 0x07;
    } else {
      return i;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      if (i + k >= text.size() || (static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
      code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    const bool overlong = (extra == 2 && code < 0x800) || (extra == 3 && code < 0x10000);
    if (overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return i;
    i += extra + 1;
  }
  return std::string::npos;
}

// The parser recurses once per level of `<`, `(` or `{`; a hostile file
// nesting them thousands deep would overflow the stack. Returns the offset
// where nesting first gets too deep, or npos. Comments and strings are
// skipped so that they cannot trigger it.
std::size_t find_excessive_nesting(const std::string& text, std::size_t limit) {
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      // Like the lexer: a line comment ends at \r or \n (a file may use
      // either, or both, as line ends).
      while (i < text.size() && text[i] != '\n' && text[i] != '\r') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      std::size_t end = text.find("*/", i + 2);
      i = end == std::string::npos ? text.size() : end + 1;
    } else if (c == '"') {
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n' && text[i] != '\r'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '<' || c == '(' || c == '{') {
      if (++depth > limit) return i;
    } else if ((c == '>' || c == ')' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string::npos;
}

bool is_name_token(std::size_t type) {
  switch (type) {
    case PSchemaLexer::IDENT:
    case PSchemaLexer::ON:
    case PSchemaLexer::TX:
    case PSchemaLexer::QUERY:
    case PSchemaLexer::CONST:
    case PSchemaLexer::POOL:
    case PSchemaLexer::PACKAGE:
    case PSchemaLexer::IMPORT:
    case PSchemaLexer::REMOVED: return true;
    default: return false;
  }
}

std::string describe_token_type(const antlr4::dfa::Vocabulary& vocabulary, std::size_t type) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case PSchemaLexer::IDENT: return "a name";
    case PSchemaLexer::INTEGER: return "an integer";
    case PSchemaLexer::STRING: return "a string literal";
    default: return vocabulary.getLiteralName(type);  // already quoted: ';'
  }
}

// Describes what the parser expected, in the words a user thinks in.
std::string describe_expected(const antlr4::dfa::Vocabulary& vocabulary, const antlr4::misc::IntervalSet& expected) {
  if (expected.contains(static_cast<std::size_t>(PSchemaLexer::STRUCT)) &&
      expected.contains(static_cast<std::size_t>(PSchemaLexer::ENUM))) {
    return "a declaration (struct, enum, pool, tx or query)";
  }
  std::vector<std::string> words;
  bool said_name = false;
  for (std::ptrdiff_t type : expected.toList()) {
    auto t = static_cast<std::size_t>(type);
    if (is_name_token(t)) {
      if (said_name) continue;
      said_name = true;
      words.insert(words.begin(), "a name");
      continue;
    }
    words.push_back(describe_token_type(vocabulary, t));
  }
  if (words.empty()) return "something else";
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

std::string describe_found(const antlr4::Token* token) {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) return "end of file";
  return "'" + token->getText() + "'";
}

class ErrorCollector final : public antlr4::BaseErrorListener {
 public:
  ErrorCollector(const SourceFile& file, Diagnostics& diagnostics) : file_(file), diagnostics_(diagnostics) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, std::size_t line, std::size_t column,
                   const std::string& raw_message, std::exception_ptr) override {
    // One error per line: ANTLR's recovery often reports the same mistake
    // again a token later, which only buries the first, useful message.
    if (line == last_error_line_) return;
    last_error_line_ = line;

    Span span{&file_, 0, 0};
    if (offending != nullptr && offending->getType() != antlr4::Token::EOF) {
      span.begin = file_.byte_offset_of_code_point(offending->getStartIndex());
      span.end = file_.byte_offset_of_code_point(offending->getStopIndex() + 1);
    } else {
      span.begin = span.end = offset_of(line, column);
    }

    std::string message;
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (offending != nullptr && offending->getType() == PSchemaLexer::UNEXPECTED_CHAR) {
      message = "unexpected character " + describe_found(offending);
    } else if (parser != nullptr) {
      std::string expected = describe_expected(parser->getVocabulary(), parser->getExpectedTokens());
      antlr4::Token* previous = parser->getTokenStream()->LT(-1);
      if (previous != nullptr && offending != nullptr && previous->getLine() < offending->getLine()) {
        // The mistake is at the end of the previous line (a forgotten ';'),
        // not at the first token of the next one: point there, as compilers do.
        span.begin = span.end = file_.byte_offset_of_code_point(previous->getStopIndex() + 1);
        message = "expected " + expected + " after " + describe_found(previous);
      } else {
        message = "expected " + expected + ", found " + describe_found(offending);
      }
    } else {
      message = raw_message;  // lexer errors cannot happen with UNEXPECTED_CHAR, keep as a fallback
    }
    diagnostics_.error(span, std::move(message));
  }

 private:
  std::size_t offset_of(std::size_t line, std::size_t column) const {
    // Used only for end of file, where the token has no start index.
    std::size_t offset = 0;
    for (std::size_t l = 1; l < line; ++l) {
      offset = file_.text().find('\n', offset);
      if (offset == std::string::npos) return file_.text().size();
      ++offset;
    }
    return std::min(offset + column, file_.text().size());
  }

  const SourceFile& file_;
  Diagnostics& diagnostics_;
  std::size_t last_error_line_ = 0;
};

}  // namespace

std::optional<ast::File> parse_file(const SourceFile& file, Diagnostics& diagnostics) {
  std::size_t bad = find_invalid_utf8(file.text());
  if (bad != std::string::npos) {
    diagnostics.error(Span{&file, bad, bad + 1}, "the file is not valid UTF-8 text");
    return std::nullopt;
  }
  constexpr std::size_t nesting_limit = 100;
  if (std::size_t deep = find_excessive_nesting(file.text(), nesting_limit); deep != std::string::npos) {
    diagnostics.error(Span{&file, deep, deep + 1},
                      "brackets nested more than " + std::to_string(nesting_limit) + " levels deep");
    return std::nullopt;
  }
  const std::size_t errors_before = diagnostics.error_count();
  antlr4::ANTLRInputStream input(file.text());
  PSchemaLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  PSchemaParser parser(&tokens);
  ErrorCollector errors(file, diagnostics);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&errors);
  parser.removeErrorListeners();
  parser.addErrorListener(&errors);
  PSchemaParser::SchemaContext* tree = parser.schema();
  if (diagnostics.error_count() != errors_before || tree == nullptr) return std::nullopt;
  return Transformer(file, tokens).transform_schema(*tree);
}

}  // namespace pschema::gen
