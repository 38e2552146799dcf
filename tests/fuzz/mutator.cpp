#include "mutator.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <string_view>

namespace pschema::fuzz {

namespace {

// ---- A rough tokenizer (close to grammar/PSchema.g4, good enough to cut
// ---- text at token boundaries) ---------------------------------------------

enum class TokenKind { ident, number, string, comment, space, punct, other };

struct Token {
  std::size_t begin;
  std::size_t end;
  TokenKind kind;
};

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::vector<Token> tokenize(const std::string& text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const std::size_t start = i;
    const char c = text[i];
    TokenKind kind = TokenKind::other;
    if (is_space(c)) {
      while (i < n && is_space(text[i])) ++i;
      kind = TokenKind::space;
    } else if (is_ident_start(c)) {
      while (i < n && is_ident_char(text[i])) ++i;
      kind = TokenKind::ident;
    } else if (is_digit(c)) {
      while (i < n && (is_ident_char(text[i]))) ++i;
      kind = TokenKind::number;
    } else if (c == '"') {
      ++i;
      while (i < n && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2 : 1;
      i = std::min(i + 1, n);
      kind = TokenKind::string;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      while (i < n && text[i] != '\n') ++i;
      kind = TokenKind::comment;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      std::size_t close = text.find("*/", i + 2);
      i = close == std::string::npos ? n : close + 2;
      kind = TokenKind::comment;
    } else if ((c == '-' && i + 1 < n && text[i + 1] == '>') || (c == ':' && i + 1 < n && text[i + 1] == ':')) {
      i += 2;
      kind = TokenKind::punct;
    } else {
      ++i;
      kind =
          std::string_view("{}()<>;:,.=?*&-").find(c) != std::string_view::npos ? TokenKind::punct : TokenKind::other;
    }
    tokens.push_back({start, i, kind});
  }
  return tokens;
}

std::vector<Token> tokens_of_kind(const std::string& text, std::initializer_list<TokenKind> kinds) {
  std::vector<Token> out;
  for (const Token& t : tokenize(text)) {
    if (std::find(kinds.begin(), kinds.end(), t.kind) != kinds.end()) out.push_back(t);
  }
  return out;
}

std::vector<Token> solid_tokens(const std::string& text) {
  std::vector<Token> out;
  for (const Token& t : tokenize(text)) {
    if (t.kind != TokenKind::space) out.push_back(t);
  }
  return out;
}

// A random position between two tokens (or the end of the text).
std::size_t token_boundary(Rng& rng, const std::string& text) {
  std::vector<Token> tokens = tokenize(text);
  if (tokens.empty()) return 0;
  std::size_t i = rng.below(tokens.size() + 1);
  return i == tokens.size() ? text.size() : tokens[i].begin;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start + 1));  // keeps its '\n'
    start = nl + 1;
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

// Positions just after the '{' of a struct (where a field can go).
std::vector<std::size_t> struct_bodies(const std::string& text) {
  std::vector<Token> tokens = solid_tokens(text);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i + 2 < tokens.size(); ++i) {
    auto word = [&](std::size_t k) {
      return std::string_view(text).substr(tokens[k].begin, tokens[k].end - tokens[k].begin);
    };
    if (word(i) == "struct" && tokens[i + 1].kind == TokenKind::ident && word(i + 2) == "{")
      out.push_back(tokens[i + 2].end);
  }
  return out;
}

// Positions just after a top-level ';' or '}' or at the end: where a new
// declaration can go (approximately: good enough for a fuzzer).
std::size_t declaration_boundary(Rng& rng, const std::string& text) {
  std::vector<std::size_t> spots{text.size()};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && i > 0 && (text[i - 1] == '}' || text[i - 1] == ';')) spots.push_back(i + 1);
  }
  return rng.pick(spots);
}

// The insertion point of an import: after the package line, else the top.
std::size_t import_position(const std::string& text) {
  std::size_t package = text.find("package ");
  if (package == std::string::npos) return 0;
  std::size_t semi = text.find(';', package);
  return semi == std::string::npos ? 0 : semi + 1;
}

// ---- Building blocks --------------------------------------------------------

// clang-format off: word lists laid out by hand, many to a line
const std::vector<std::string> vocabulary = {
    "package", "import", "enum", "struct", "pool", "tx", "query", "on", "const", "root", "concurrent",
    "bool", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64", "string", "bytes",
    "array", "vec", "box", "rc", "weak", "handle", "map", "mutex", "void", "int", "std::string",
    "std::vector<int>", "class", "namespace", "return", "__x", "_X", "View", "Mut", "Layout", "set_x",
    "init", "snapshot", "Option", "->", "::", ":", ";", ",", ".", "{", "}", "(", ")", "<", ">", "=", "?",
    "*", "&", "-", "///", "//", "/*", "*/", "\"", "\"units.pschema\"", "0", "-1", "0x10", "Account",
    "Money", "Node", "Ledger", "Store", "List", "units.Grams", "bank.Money", "all.Point",
};
// clang-format on

// clang-format off: word lists laid out by hand, many to a line
const std::vector<std::string> interesting_integers = {
    "0", "1", "-1", "-0", "00", "007", "127", "128", "-128", "-129", "255", "256", "32767", "32768",
    "65535", "65536", "-2147483649", "4294967295", "4294967296", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
    "18446744073709551616", "-18446744073709551616", "99999999999999999999999999999999", "0x0",
    "0xff", "0xFFFFFFFFFFFFFFFF", "0x10000000000000000", "-0x8000000000000000", "0x", "16777216",
    "16777217", "0x1000000", "0x1000001",
};
// clang-format on

std::string random_ident(Rng& rng, std::size_t length) {
  static const char first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
  static const char rest[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
  std::string out;
  out.reserve(length);
  out += first[rng.below(sizeof first - 1)];
  // Long names are mostly one repeated letter with a few random ones:
  // quicker to make and just as good at finding length bugs.
  const bool repetitive = length > 64 && rng.percent(50);
  while (out.size() < length) out += repetitive ? 'x' : rest[rng.below(sizeof rest - 1)];
  return out;
}

std::size_t huge_length(Rng& rng) {
  switch (rng.below(4)) {
    case 0: return rng.between(256, 4096);
    case 1: return rng.between(4096, 65536);
    default: return 100000 + rng.below(5000);
  }
}

// Nesting depth: mostly modest, often hundreds, sometimes thousands.
std::size_t nesting_depth(Rng& rng) {
  const std::size_t r = rng.below(100);
  if (r < 30) return rng.between(2, 64);
  if (r < 65) return rng.between(100, 999);
  if (r < 92) return rng.between(1000, 5000);
  return rng.between(5000, 30000);
}

// A type `depth` constructors deep around a scalar or a struct name.
std::string nested_type(Rng& rng, std::size_t depth, const std::string& inner_name) {
  static const std::vector<std::string> generics = {"vec", "box", "rc", "weak", "handle", "array", "map", "Nope"};
  const bool uniform = rng.percent(60);
  const std::string uniform_kind =
      uniform ? (rng.percent(70) ? std::string("vec") : rng.pick(generics)) : std::string();
  std::string open, close;
  open.reserve(depth * 8);
  std::vector<std::string> closers;
  closers.reserve(depth);
  for (std::size_t i = 0; i < depth; ++i) {
    const std::string& kind = uniform ? uniform_kind : rng.pick(generics);
    open += kind + "<";
    std::string closer = kind == "array" ? ", " + std::to_string(rng.between(1, 4)) + ">" : ">";
    if (!uniform && rng.percent(10)) closer += "?";
    closers.push_back(std::move(closer));
  }
  close.reserve(depth * 4);
  for (auto it = closers.rbegin(); it != closers.rend(); ++it) close += *it;
  return open + inner_name + close;
}

std::string random_bytes(Rng& rng) {
  // clang-format off: byte sequences laid out by hand, many to a line
  static const std::vector<std::string> valid_utf8 = {
      "\xC3\xA9", "\xC3\xBC", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF", "\xE2\x80\xA8",
      "\xEF\xBF\xBF", "\xEF\xBF\xBE", "\xF4\x8F\xBF\xBF", "\xC2\x85", "\xC2\xA0", "\xE2\x80\x8B",
      "\xCC\x81",  // a combining accent: a code point that is not a character
  };
  // clang-format on
  // clang-format off: byte sequences laid out by hand, many to a line
  static const std::vector<std::string> invalid_utf8 = {
      "\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xED\xBF\xBF",
      "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80",
      "\xFC\x84\x80\x80\x80\x80", "\xFE", "\xFF", "\xE2\x82", "\xF0\x9F\x98", "\xC3", "\xC3\xC3",
  };
  // clang-format on
  std::string out;
  const std::size_t count = rng.between(1, 6);
  for (std::size_t i = 0; i < count; ++i) {
    switch (rng.below(5)) {
      case 0: out += static_cast<char>(rng.between(0x20, 0x7E)); break;
      case 1: out += static_cast<char>(rng.pick(std::vector<int>{0, 1, 7, 8, 9, 10, 11, 12, 13, 27, 127})); break;
      case 2: out += rng.pick(valid_utf8); break;
      case 3: out += rng.pick(invalid_utf8); break;
      default: out += static_cast<char>(rng.below(256)); break;
    }
  }
  return out;
}

// ---- Mutations: each changes `text` and returns what it did ----------------

// Inputs are kept to a few megabytes (seconds of parsing under ASan): no
// mutation adds much more than this, and mutating stops past it.
constexpr std::size_t max_growth = 4u << 20;
constexpr std::size_t max_input_size = 4u << 20;

struct Context {
  Rng& rng;
  const std::vector<SeedSchema>& seeds;
  Case& out;
};

using Mutation = std::function<std::string(Context&, std::string&)>;

std::string flip_bytes(Context& c, std::string& text) {
  if (text.empty()) {
    text = random_bytes(c.rng);
    return "flip_bytes(empty->random)";
  }
  const std::size_t count = c.rng.between(1, 8);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t pos = c.rng.below(text.size());
    switch (c.rng.below(3)) {
      case 0: text[pos] = static_cast<char>(static_cast<unsigned char>(text[pos]) ^ (1u << c.rng.below(8))); break;
      case 1: text[pos] = static_cast<char>(c.rng.below(256)); break;
      default: text[pos] = static_cast<char>(c.rng.between(0x20, 0x7E)); break;
    }
  }
  return "flip_bytes(" + std::to_string(count) + ")";
}

std::string drop_tokens(Context& c, std::string& text) {
  std::vector<Token> tokens = solid_tokens(text);
  if (tokens.empty()) return "drop_tokens(none)";
  const std::size_t count = std::min(tokens.size(), c.rng.between(1, 4));
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < count; ++i) chosen.push_back(c.rng.below(tokens.size()));
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  for (auto it = chosen.rbegin(); it != chosen.rend(); ++it)
    text.erase(tokens[*it].begin, tokens[*it].end - tokens[*it].begin);
  return "drop_tokens(" + std::to_string(chosen.size()) + ")";
}

std::string duplicate_or_swap_tokens(Context& c, std::string& text) {
  std::vector<Token> tokens = solid_tokens(text);
  if (tokens.size() < 2) return "swap_tokens(none)";
  std::size_t a = c.rng.below(tokens.size()), b = c.rng.below(tokens.size());
  if (a > b) std::swap(a, b);
  const std::string ta = text.substr(tokens[a].begin, tokens[a].end - tokens[a].begin);
  const std::string tb = text.substr(tokens[b].begin, tokens[b].end - tokens[b].begin);
  if (c.rng.percent(50) || a == b) {
    std::size_t times = c.rng.percent(90) ? c.rng.between(1, 3) : c.rng.between(100, 20000);
    times = std::max<std::size_t>(1, std::min(times, max_growth / (ta.size() + 1)));
    std::string copies;
    for (std::size_t i = 0; i < times; ++i) copies += " " + ta;
    text.insert(tokens[a].end, copies);
    return "duplicate_token(x" + std::to_string(times) + ")";
  }
  text.replace(tokens[b].begin, tokens[b].end - tokens[b].begin, ta);
  text.replace(tokens[a].begin, tokens[a].end - tokens[a].begin, tb);
  return "swap_tokens";
}

std::string insert_vocabulary(Context& c, std::string& text) {
  const std::size_t count = c.rng.between(1, 3);
  for (std::size_t i = 0; i < count; ++i) text.insert(token_boundary(c.rng, text), " " + c.rng.pick(vocabulary) + " ");
  return "insert_words(" + std::to_string(count) + ")";
}

std::string replace_word(Context& c, std::string& text) {
  std::vector<Token> words = tokens_of_kind(text, {TokenKind::ident, TokenKind::number});
  if (words.empty()) return insert_vocabulary(c, text);
  const Token& t = c.rng.pick(words);
  const bool integer = t.kind == TokenKind::number || c.rng.percent(20);
  text.replace(t.begin, t.end - t.begin, integer ? c.rng.pick(interesting_integers) : c.rng.pick(vocabulary));
  return integer ? "replace_with_integer" : "replace_with_word";
}

std::string duplicate_lines(Context& c, std::string& text) {
  std::vector<std::string> lines = split_lines(text);
  if (lines.empty()) return "duplicate_lines(none)";
  const std::size_t first = c.rng.below(lines.size());
  const std::size_t last = std::min(lines.size() - 1, first + c.rng.below(4));
  std::vector<std::string> block(lines.begin() + static_cast<std::ptrdiff_t>(first),
                                 lines.begin() + static_cast<std::ptrdiff_t>(last) + 1);
  if (!block.back().empty() && block.back().back() != '\n') block.back() += '\n';
  std::size_t block_size = 0;
  for (const std::string& line : block) block_size += line.size();
  std::size_t times = c.rng.percent(85) ? c.rng.between(1, 3) : c.rng.between(100, 3000);
  times = std::max<std::size_t>(1, std::min(times, max_growth / (block_size + 1)));
  std::vector<std::string> copies;
  for (std::size_t i = 0; i < times; ++i) copies.insert(copies.end(), block.begin(), block.end());
  const std::size_t at = c.rng.percent(50) ? last + 1 : c.rng.below(lines.size() + 1);
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), copies.begin(), copies.end());
  text = join(lines);
  return "duplicate_lines(" + std::to_string(last - first + 1) + " x" + std::to_string(times) + ")";
}

std::string shuffle_lines(Context& c, std::string& text) {
  std::vector<std::string> lines = split_lines(text);
  if (lines.size() < 2) return "shuffle_lines(none)";
  if (!lines.back().empty() && lines.back().back() != '\n') lines.back() += '\n';
  switch (c.rng.below(4)) {
    case 0: {
      std::swap(lines[c.rng.below(lines.size())], lines[c.rng.below(lines.size())]);
      text = join(lines);
      return "swap_lines";
    }
    case 1: {
      const std::size_t first = c.rng.below(lines.size());
      const std::size_t count = std::min(lines.size() - first, c.rng.between(1, 5));
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(first),
                  lines.begin() + static_cast<std::ptrdiff_t>(first + count));
      text = join(lines);
      return "delete_lines(" + std::to_string(count) + ")";
    }
    case 2: {
      std::reverse(lines.begin(), lines.end());
      text = join(lines);
      return "reverse_lines";
    }
    default: {
      const std::size_t first = c.rng.below(lines.size());
      const std::size_t count = std::min(lines.size() - first, c.rng.between(2, 12));
      for (std::size_t i = count; i > 1; --i) std::swap(lines[first + i - 1], lines[first + c.rng.below(i)]);
      text = join(lines);
      return "shuffle_lines(" + std::to_string(count) + ")";
    }
  }
}

std::string deep_type(Context& c, std::string& text) {
  const std::size_t depth = nesting_depth(c.rng);
  const std::string inner = c.rng.percent(70)
                                ? std::string(c.rng.pick(std::vector<const char*>{"u8", "i64", "string", "bool"}))
                                : std::string("FuzzLeaf");
  const std::string type = nested_type(c.rng, depth, inner);
  const std::string leaf = inner == "FuzzLeaf" ? "struct FuzzLeaf { v: u32; }\n" : "";
  std::string where;
  switch (c.rng.below(4)) {
    case 0: {
      std::vector<std::size_t> bodies = struct_bodies(text);
      if (!bodies.empty()) {
        text.insert(c.rng.pick(bodies), " fuzz_deep: " + type + "; ");
        text += "\n" + leaf;
        where = "field";
        break;
      }
      [[fallthrough]];
    }
    case 1:
      text.insert(declaration_boundary(c.rng, text),
                  "\n" + leaf + "struct FuzzDeep { f: " + type + "; }\npool FuzzDeepPool { root: FuzzDeep; }\n");
      where = "new struct";
      break;
    case 2:
      text.insert(declaration_boundary(c.rng, text),
                  "\n" + leaf + "struct FuzzRoot { x: u8; }\npool FuzzOpPool { root: FuzzRoot; }\nquery fuzz_op(p: " +
                      type + ") -> " + type + " on FuzzOpPool;\n");
      where = "operation";
      break;
    default: {
      // Replace an existing type after a ':' (a field, root or parameter).
      std::vector<Token> tokens = solid_tokens(text);
      std::vector<std::size_t> spots;
      for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        if (text.compare(tokens[i].begin, tokens[i].end - tokens[i].begin, ":") == 0 &&
            tokens[i + 1].kind == TokenKind::ident) {
          spots.push_back(i + 1);
        }
      }
      if (spots.empty()) {
        text += "\n" + leaf + "struct FuzzDeep { f: " + type + "; }\n";
      } else {
        const Token& t = tokens[c.rng.pick(spots)];
        text.replace(t.begin, t.end - t.begin, type);
        text += "\n" + leaf;
      }
      where = "replaced type";
      break;
    }
  }
  return "deep_type(depth " + std::to_string(depth) + ", " + where + ")";
}

std::string unbalanced_flood(Context& c, std::string& text) {
  static const std::vector<std::string> units = {
      "{", "}", "(", ")",  "<",  ">",      "vec<", "array<",  "?",  "*",  "&",  "::", ".",  "-",
      ";", ",", ":", "->", "/*", "///x\n", "\"",   "struct ", "a.", "x<", "{}", "()", "<>", "u8?"};
  const std::string& unit = c.rng.pick(units);
  const std::size_t r = c.rng.below(100);
  const std::size_t count = r < 25   ? c.rng.between(2, 100)
                            : r < 75 ? c.rng.between(1000, 20000)
                                     : c.rng.between(20000, 100000);
  std::string flood;
  flood.reserve(unit.size() * count);
  for (std::size_t i = 0; i < count; ++i) flood += unit;
  std::string where;
  std::vector<std::size_t> bodies = struct_bodies(text);
  if (!bodies.empty() && c.rng.percent(40)) {
    // As a field's type, where the grammar nests.
    text.insert(c.rng.pick(bodies), " fuzz_flood: " + flood + " ");
    where = "in a struct";
  } else {
    text.insert(token_boundary(c.rng, text), flood);
    where = "anywhere";
  }
  std::string shown = unit;
  std::replace(shown.begin(), shown.end(), '\n', ' ');
  return "flood('" + shown + "' x" + std::to_string(count) + ", " + where + ")";
}

std::string struct_chain(Context& c, std::string& text) {
  // Thousands of structs take seconds under ASan (and the emitter's time
  // grows with the square of the chain): at most 8000.
  const std::size_t r = c.rng.below(100);
  const std::size_t length = r < 30   ? c.rng.between(2, 64)
                             : r < 65 ? c.rng.between(100, 999)
                             : r < 85 ? c.rng.between(1000, 4000)
                                      : c.rng.between(4000, 8000);
  // by value (layout recursion), optional by value, box<>?, rc<>? (rc
  // cycle search), and a closed by-value cycle (infinite size message).
  const std::size_t style = c.rng.below(5);
  std::string chain;
  chain.reserve(length * 40);
  for (std::size_t i = 0; i < length; ++i) {
    const std::string next = "FuzzChain" + std::to_string(i + 1);
    chain += "struct FuzzChain" + std::to_string(i) + " { ";
    if (i + 1 < length || style == 4) {
      const std::string target = i + 1 < length ? next : std::string("FuzzChain0");
      switch (style) {
        case 0: chain += "n: " + target + "; "; break;
        case 1: chain += "n: " + target + "?; "; break;
        case 2: chain += "n: box<" + target + ">?; "; break;
        case 3: chain += "n: rc<" + target + ">?; "; break;
        default: chain += "n: " + target + "; "; break;
      }
    }
    chain += "v: u8; }\n";
  }
  chain += "pool FuzzChainPool { root: FuzzChain0; }\n";
  text.insert(declaration_boundary(c.rng, text), "\n" + chain);
  static const char* const names[] = {"value", "optional", "box", "rc", "cycle"};
  return "struct_chain(" + std::to_string(length) + ", " + names[style] + ")";
}

std::string huge_identifier(Context& c, std::string& text) {
  const std::size_t length = huge_length(c.rng);
  const std::string huge = random_ident(c.rng, length);
  std::vector<Token> idents = tokens_of_kind(text, {TokenKind::ident});
  const std::size_t mode = idents.empty() ? 3 : c.rng.below(5);
  switch (mode) {
    case 0: {  // one occurrence
      const Token& t = c.rng.pick(idents);
      text.replace(t.begin, t.end - t.begin, huge);
      return "huge_identifier(" + std::to_string(length) + ", one use)";
    }
    case 1:
    case 2: {  // every occurrence of a name (a consistent rename); mode 2 then misspells one use
      const Token& t = c.rng.pick(idents);
      const std::string name = text.substr(t.begin, t.end - t.begin);
      std::vector<Token> uses;
      for (const Token& u : idents) {
        if (text.compare(u.begin, u.end - u.begin, name) == 0) uses.push_back(u);
      }
      // A name used thousands of times gets a shorter "huge" name: the
      // input stays below a few megabytes.
      std::string long_name = huge;
      if (uses.size() * long_name.size() > max_growth)
        long_name.resize(std::max<std::size_t>(64, max_growth / uses.size()));
      const std::size_t typo = mode == 2 ? c.rng.below(uses.size()) : uses.size();
      std::string renamed;
      renamed.reserve(text.size() + uses.size() * long_name.size());
      std::size_t copied = 0;
      for (std::size_t i = 0; i < uses.size(); ++i) {
        renamed.append(text, copied, uses[i].begin - copied);
        renamed += long_name;
        if (i == typo) renamed.back() = renamed.back() == 'q' ? 'r' : 'q';
        copied = uses[i].end;
      }
      renamed.append(text, copied, std::string::npos);
      text = std::move(renamed);
      return "huge_identifier(" + std::to_string(long_name.size()) + ", renamed '" + name + "' x" +
             std::to_string(uses.size()) + (mode == 2 ? ", one use misspelt)" : ")");
    }
    case 3:
      text.insert(declaration_boundary(c.rng, text), "\nstruct " + huge + " { " + huge + ": u8; }\n");
      return "huge_identifier(" + std::to_string(length) + ", new struct)";
    default:
      text.insert(import_position(text), "\npackage " + huge + "." + huge + ";\n");
      return "huge_identifier(" + std::to_string(length) + ", package)";
  }
}

std::string huge_literal(Context& c, std::string& text) {
  const std::size_t length = huge_length(c.rng);
  switch (c.rng.below(6)) {
    case 0: {
      std::string digits(length, '9');
      text.insert(declaration_boundary(c.rng, text),
                  "\nenum FuzzBig : u64 { a = " + digits + ", b = -" + digits + " }\n");
      return "huge_literal(integer " + std::to_string(length) + ")";
    }
    case 1:
      text.insert(declaration_boundary(c.rng, text),
                  "\nstruct FuzzArr { a: array<u8, " + std::string(length, '1') + ">; }\n");
      return "huge_literal(array length " + std::to_string(length) + ")";
    case 2:
      text.insert(import_position(text), "\nimport \"" + std::string(length, 'p') + ".pschema\";\n");
      return "huge_literal(import path " + std::to_string(length) + ")";
    case 3:
      text.insert(declaration_boundary(c.rng, text),
                  "\n/// " + std::string(length * 10, 'd') + "\nstruct FuzzDoc { x: u8; }\n");
      return "huge_literal(doc comment " + std::to_string(length * 10) + ")";
    case 4: {
      std::string blank(length * 10, ' ');
      for (std::size_t i = 0; i < blank.size(); i += 1 + c.rng.below(80)) blank[i] = c.rng.percent(50) ? '\n' : '\t';
      text.insert(token_boundary(c.rng, text), blank);
      return "huge_literal(whitespace " + std::to_string(blank.size()) + ")";
    }
    default: {
      // Arrays whose sizes multiply past 2^64.
      text.insert(declaration_boundary(c.rng, text),
                  "\nstruct FuzzHugeArray { a: array<array<array<u64, 16777216>, 16777216>, 16777216>; }\n"
                  "pool FuzzHugeArrayPool { root: FuzzHugeArray; }\n");
      return "huge_literal(array of 2^75 bytes)";
    }
  }
}

std::string insert_random_bytes(Context& c, std::string& text) {
  const std::size_t count = c.rng.between(1, 3);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t pos = c.rng.percent(70) ? token_boundary(c.rng, text) : c.rng.below(text.size() + 1);
    text.insert(pos, random_bytes(c.rng));
  }
  return "random_bytes(" + std::to_string(count) + ")";
}

std::string truncate(Context& c, std::string& text) {
  if (text.empty()) return "truncate(empty)";
  const std::size_t pos = c.rng.below(text.size());
  if (c.rng.percent(75)) {
    text.resize(pos);
    return "truncate(keep " + std::to_string(pos) + " bytes)";
  }
  text.erase(0, pos);
  return "truncate(drop first " + std::to_string(pos) + " bytes)";
}

std::string concatenate(Context& c, std::string& text) {
  const SeedSchema& other = c.rng.pick(c.seeds);
  if (c.rng.percent(60)) {
    text += (c.rng.percent(50) ? "\n" : "") + other.text;
    return "concatenate(" + other.name + ")";
  }
  const std::size_t cut_a = c.rng.below(text.size() + 1);
  const std::size_t cut_b = c.rng.below(other.text.size() + 1);
  text = text.substr(0, cut_a) + other.text.substr(cut_b);
  return "splice(" + other.name + ")";
}

std::string add_import(Context& c, std::string& text) {
  std::vector<std::string> targets = {main_file_name,
                                      "",
                                      ".",
                                      "..",
                                      "/",
                                      "/nonexistent/x.pschema",
                                      "nonexistent.pschema",
                                      "fuzz_input",
                                      "./fuzz_input.pschema",
                                      "units.pschema\\\"",
                                      "sub/../units.pschema",
                                      import_file_name,
                                      import_file_name,
                                      import_file_name};
  for (const SeedSchema& s : c.seeds) targets.push_back(s.name);
  const std::string target = c.rng.pick(targets);
  if (target == import_file_name && !c.out.has_import) {
    // The imported file is a mutated seed too (errors in an imported file).
    const SeedSchema& base = c.rng.pick(c.seeds);
    c.out.has_import = true;
    c.out.import_text = base.text;
    if (c.rng.percent(70)) {
      Context inner{c.rng, c.seeds, c.out};
      static const std::vector<Mutation> simple = {flip_bytes, drop_tokens, replace_word, insert_random_bytes,
                                                   truncate};
      c.out.mutations.push_back("import: " + c.rng.pick(simple)(inner, c.out.import_text));
    }
  }
  text.insert(import_position(text), "\nimport \"" + target + "\";\n");
  return "import(\"" + target + "\")";
}

std::string line_endings(Context& c, std::string& text) {
  std::string out;
  out.reserve(text.size() * 2);
  switch (c.rng.below(4)) {
    case 0:
      for (char ch : text) out += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
      text = out;
      return "line_endings(CRLF)";
    case 1: std::replace(text.begin(), text.end(), '\n', '\r'); return "line_endings(CR)";
    case 2: std::replace(text.begin(), text.end(), '\n', ' '); return "line_endings(one line)";
    default:
      for (char ch : text) {
        if (!is_space(ch)) out += ch;
      }
      text = out;
      return "line_endings(no whitespace)";
  }
}

std::string many_declarations(Context& c, std::string& text) {
  // A big schema that is mostly valid: thousands of structs and enums
  // referring to each other (box<>? anywhere, by value only forward, so
  // there is no cycle), a pool and many operations.
  const std::size_t count = c.rng.between(200, 3000);
  std::vector<bool> is_enum(count);
  for (std::size_t i = 0; i < count; ++i) is_enum[i] = c.rng.percent(30);
  auto some_struct = [&](std::size_t from) -> std::optional<std::size_t> {
    if (from >= count) return std::nullopt;
    for (int tries = 0; tries < 8; ++tries) {
      const std::size_t j = from + c.rng.below(count - from);
      if (!is_enum[j]) return j;
    }
    return std::nullopt;
  };
  std::string decls;
  decls.reserve(count * 64);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string n = std::to_string(i);
    if (is_enum[i]) {
      decls += "enum FuzzManyE" + n + " : u8 { a, b }\n";
      continue;
    }
    decls += "struct FuzzMany" + n + " { a: u32; ";
    if (auto j = some_struct(0)) decls += "b: box<FuzzMany" + std::to_string(*j) + ">?; ";
    if (auto j = some_struct(i + 1); j && *j > i) decls += "c: FuzzMany" + std::to_string(*j) + "?; ";
    if (i > 0 && is_enum[i - 1]) decls += "e: FuzzManyE" + std::to_string(i - 1) + "; ";
    decls += "}\n";
  }
  decls += "struct FuzzManyRoot { x: u8; all: vec<FuzzMany" + std::to_string(some_struct(0).value_or(0)) + ">; }\n";
  decls += "pool FuzzManyPool { root: FuzzManyRoot; }\n";
  for (std::size_t i = 0; i < count / 4; ++i)
    decls += "tx fuzz_many_op" + std::to_string(i) + "(x: u8) on FuzzManyPool;\n";
  text.insert(declaration_boundary(c.rng, text), "\n" + decls);
  return "many_declarations(" + std::to_string(count) + ")";
}

struct Weighted {
  Mutation mutation;
  unsigned weight;
};

const std::vector<Weighted>& mutations() {
  // clang-format off: a table laid out by hand, in columns
  static const std::vector<Weighted> table = {
      {flip_bytes, 12},        {drop_tokens, 12},     {duplicate_or_swap_tokens, 6}, {insert_vocabulary, 8},
      {replace_word, 10},      {duplicate_lines, 8},  {shuffle_lines, 8},            {deep_type, 7},
      {unbalanced_flood, 5},   {struct_chain, 4},     {huge_identifier, 5},          {huge_literal, 4},
      {insert_random_bytes, 7}, {truncate, 6},        {concatenate, 5},              {add_import, 5},
      {line_endings, 3},       {many_declarations, 1},
  };
  // clang-format on
  return table;
}

const Mutation& pick_mutation(Rng& rng) {
  unsigned total = 0;
  for (const Weighted& w : mutations()) total += w.weight;
  std::size_t r = rng.below(total);
  for (const Weighted& w : mutations()) {
    if (r < w.weight) return w.mutation;
    r -= w.weight;
  }
  return mutations().front().mutation;
}

}  // namespace

Case make_case(std::uint64_t seed, std::uint64_t index, const std::vector<SeedSchema>& seeds) {
  Rng rng(seed ^ (index * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL));
  rng.next();
  Case out;
  Context context{rng, seeds, out};
  std::vector<const SeedSchema*> valid;
  for (const SeedSchema& s : seeds) {
    if (s.valid) valid.push_back(&s);
  }
  if (!valid.empty() && rng.percent(20)) {
    // One mutation of a valid schema that often keeps it valid: gets big,
    // deep or oddly spelt schemas through the checks into the emitter.
    static const std::vector<Mutation> gentle = {deep_type,    struct_chain, many_declarations, huge_identifier,
                                                 line_endings, huge_literal, add_import};
    const SeedSchema& base = *valid[rng.below(valid.size())];
    out.seed_name = base.name;
    std::string text = base.text;
    out.mutations.push_back(rng.pick(gentle)(context, text));
    out.main_text = std::move(text);
    return out;
  }
  unsigned total = 0;
  for (const SeedSchema& s : seeds) total += s.weight;
  std::size_t r = rng.below(total);
  std::size_t chosen = 0;
  while (chosen + 1 < seeds.size() && r >= seeds[chosen].weight) r -= seeds[chosen++].weight;
  const SeedSchema& base = seeds[chosen];
  out.seed_name = base.name;
  std::string text = base.text;
  // Mostly one or two mutations, sometimes a pile of them.
  std::size_t count = 1 + rng.below(2);
  while (count < 8 && rng.percent(25)) ++count;
  for (std::size_t i = 0; i < count && text.size() < max_input_size; ++i) {
    out.mutations.push_back(pick_mutation(rng)(context, text));
  }
  out.main_text = std::move(text);
  return out;
}

}  // namespace pschema::fuzz
