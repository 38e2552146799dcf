#include "pool/values.hpp"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace pschema::pool {

gen::Kind stored_kind(const gen::Type& type) {
  return type.kind == gen::Kind::enumeration ? type.enumeration->underlying : type.kind;
}

std::uint64_t scalar_size(gen::Kind kind) { return gen::facts(kind).layout.size; }

bool is_signed(gen::Kind kind) { return gen::facts(kind).is_signed; }

std::int64_t sign_extend(std::uint64_t bits, gen::Kind kind) {
  const unsigned width = static_cast<unsigned>(scalar_size(kind)) * 8;
  if (width == 64) return static_cast<std::int64_t>(bits);
  const std::uint64_t sign = std::uint64_t{1} << (width - 1);
  return static_cast<std::int64_t>((bits ^ sign) - sign);
}

bool operator<(const MapKey& a, const MapKey& b) {
  if (a.is_text) return a.text < b.text;  // char_traits<char> compares as unsigned char
  if (is_signed(a.scalar.kind))
    return sign_extend(a.scalar.bits, a.scalar.kind) < sign_extend(b.scalar.bits, b.scalar.kind);
  return a.scalar.bits < b.scalar.bits;
}

namespace {

std::string number_text(const ScalarValue& v) {
  if (is_signed(v.kind)) return std::to_string(sign_extend(v.bits, v.kind));
  return std::to_string(v.bits);
}

std::optional<std::string> enum_name(const ScalarValue& v) {
  if (v.enumeration == nullptr) return std::nullopt;
  const std::string number = number_text(v);
  for (const gen::EnumValue& e : v.enumeration->values) {
    if (e.value == number) return e.name;
  }
  return std::nullopt;
}

double float_value(const ScalarValue& v) {
  if (v.kind == gen::Kind::f32) {
    return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(v.bits)));
  }
  return std::bit_cast<double>(v.bits);
}

}  // namespace

std::string scalar_text(const ScalarValue& v) {
  if (auto name = enum_name(v)) return *name;
  switch (v.kind) {
    case gen::Kind::boolean:
      if (v.bits <= 1) return v.bits == 1 ? "true" : "false";
      return number_text(v);
    case gen::Kind::f32: return fmt::format("{}", std::bit_cast<float>(static_cast<std::uint32_t>(v.bits)));
    case gen::Kind::f64: return fmt::format("{}", float_value(v));
    default: return number_text(v);
  }
}

std::string scalar_json(const ScalarValue& v) {
  if (auto name = enum_name(v)) return json_string(*name);
  if (v.kind == gen::Kind::f32 || v.kind == gen::Kind::f64) {
    if (!std::isfinite(float_value(v))) return json_string(scalar_text(v));
  }
  return scalar_text(v);
}

std::string key_segment(const MapKey& key) {
  if (!key.is_text) return "[" + scalar_text(key.scalar) + "]";
  if (key.type != nullptr && key.type->kind == gen::Kind::bytes) return "[0x" + hex_bytes(key.text) + "]";
  return "[" + quoted(key.text) + "]";
}

std::string key_json(const MapKey& key) {
  if (!key.is_text) return scalar_json(key.scalar);
  if (key.type != nullptr && key.type->kind == gen::Kind::bytes) return json_string(hex_bytes(key.text));
  return json_string(key.text);
}

namespace {
std::size_t utf8_length(std::string_view text, std::size_t i);
}  // namespace

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      // UTF-8 passes through; other bytes are shown as \xNN.
      const std::size_t n = utf8_length(text, i);
      if (n == 0) {
        out += fmt::format("\\x{:02x}", u);
      } else {
        out.append(text.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += fmt::format("\\x{:02x}", u);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

namespace {

// Length of the valid UTF-8 sequence at `text[i]`, or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  std::size_t n = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  std::uint32_t cp = b0 & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const auto u = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += fmt::format("\\u{:04x}", u);  // not UTF-8: the byte as a Latin-1 character
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
    } else if (u == '"') {
      out += "\\\"";
    } else if (u == '\\') {
      out += "\\\\";
    } else if (u == '\n') {
      out += "\\n";
    } else if (u == '\t') {
      out += "\\t";
    } else if (u == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7F) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += static_cast<char>(u);
    }
    i += n;
  }
  return out + "\"";
}

std::string hex_bytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out;
}

}  // namespace pschema::pool
