#include "attributes.hpp"

#include <algorithm>
#include <charconv>

#include "wide_int.hpp"

namespace pschema::gen {

FormerName former_name(const ast::Attributes& attributes, std::string_view what, std::string_view name,
                       Diagnostics& d) {
  FormerName was;
  for (const ast::Attribute& a : attributes) {
    if (a.name != "was") {
      d.error(a.span, "unknown attribute '@" + a.name + "' on " + std::string(what) +
                          "; the only attribute is @was(old_name), which marks a rename");
      continue;
    }
    if (!was.name.empty()) {
      d.error(a.span, std::string(what) + " has more than one @was; name only the previous version's name");
      continue;
    }
    if (a.argument == name) {
      d.error(a.argument_span, std::string(what) + " is marked @was(" + a.argument + "), its own name");
      continue;
    }
    was.name = a.argument;
    was.span = a.argument_span;
  }
  return was;
}

namespace {

// The literal as a number in `out`; false when it does not fit in 64 bits.
// (An out parameter, not std::optional<WideInt>: GCC's -O2 flow analysis
// warns that an optional __int128 may be used uninitialized.)
bool parse_integer(std::string_view text, WideInt& out) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && text[1] == 'x') {
    text.remove_prefix(2);
    base = 16;
  }
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  out = negative ? -static_cast<WideInt>(magnitude) : static_cast<WideInt>(magnitude);
  return true;
}

}  // namespace

std::string checked_default(const ast::Field& field, const Type& type, Diagnostics& d) {
  if (field.default_value.empty()) return "";
  const std::string& value = field.default_value;
  const std::string subject = "the default of field '" + field.name + "'";
  const bool is_name = !value.empty() && value.front() != '-' && (value.front() < '0' || value.front() > '9');
  if (type.kind == Kind::boolean) {
    if (value == "true" || value == "false") return value;
    d.error(field.default_span, subject + " is '" + value + "'; a bool field's default is true or false");
    return "";
  }
  if (type.kind == Kind::enumeration) {
    const auto& values = type.enumeration->values;
    if (is_name && std::any_of(values.begin(), values.end(), [&](const EnumValue& v) { return v.name == value; })) {
      return value;
    }
    d.error(field.default_span, subject + " is '" + value + "'; name a value of enum '" + type.enumeration->name +
                                    "', as in = " + (values.empty() ? std::string("value") : values.front().name));
    return "";
  }
  const KindFacts& kind = facts(type.kind);
  if (!kind.integer) {
    d.error(field.default_span, subject + " is given, but it has type '" + describe(type) +
                                    "'; defaults apply to integer, bool and enum fields (others start zero or empty)");
    return "";
  }
  WideInt number = 0;
  const bool parsed = !is_name && parse_integer(value, number);
  const int bits = static_cast<int>(kind.layout.size * 8);
  const WideInt min = kind.is_signed ? -(static_cast<WideInt>(1) << (bits - 1)) : 0;
  const WideInt max =
      kind.is_signed ? (static_cast<WideInt>(1) << (bits - 1)) - 1 : (static_cast<WideInt>(1) << bits) - 1;
  if (!parsed || number < min || number > max) {
    d.error(field.default_span, subject + " is '" + value + "', which does not fit '" + std::string(kind.name) + "' (" +
                                    to_decimal(min) + " to " + to_decimal(max) + ")");
    return "";
  }
  return to_decimal(number);
}

}  // namespace pschema::gen
