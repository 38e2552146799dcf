// Scalars and map keys as read from a pool, and how the tools print them
// (as text for people, as JSON for scripts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model.hpp"

namespace pschema::pool {

// A scalar or enum field: its type and its bytes, zero-extended.
struct ScalarValue {
  gen::Kind kind = gen::Kind::u8;          // the stored kind (an enum's underlying kind)
  const gen::EnumType* enumeration = nullptr;
  std::uint64_t bits = 0;
};

// The stored kind of a scalar or enum type (an enum's underlying kind);
// the size of a stored kind in bytes and its signedness, from the kind facts.
gen::Kind stored_kind(const gen::Type& type);
std::uint64_t scalar_size(gen::Kind kind);
bool is_signed(gen::Kind kind);
std::int64_t sign_extend(std::uint64_t bits, gen::Kind kind);

// A map key, comparable the way the runtime compares keys (map.hpp:
// integers and enums numerically, strings and bytes bytewise).
struct MapKey {
  const gen::Type* type = nullptr;
  bool is_text = false;  // string or bytes
  ScalarValue scalar;
  std::string text;
};
bool operator<(const MapKey& a, const MapKey& b);

// "42", "-1", "3.5", "true", "checking", "nan".
std::string scalar_text(const ScalarValue& value);
// A JSON value: numbers and booleans as such, enums as their names,
// non-finite floats as strings.
std::string scalar_json(const ScalarValue& value);
// A key inside a path: [42], ["alice"], [0x0102], [checking].
std::string key_segment(const MapKey& key);
// A key as JSON.
std::string key_json(const MapKey& key);

// "\"text\"" with C-style escapes, for text output.
std::string quoted(std::string_view text);
// A JSON string. Bytes that are not UTF-8 are taken as Latin-1, so the
// result is always valid JSON.
std::string json_string(std::string_view text);
std::string hex_bytes(std::string_view bytes);  // "01ff"

}  // namespace pschema::pool
