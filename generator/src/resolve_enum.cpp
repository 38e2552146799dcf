// An enum: its underlying integer type, and each value, checked in 128
// bits against that type's range.
#include <charconv>
#include <map>

#include "attributes.hpp"
#include "identifier_rules.hpp"
#include "resolution.hpp"
#include "suggestions.hpp"
#include "wide_int.hpp"

namespace pschema::gen {

void resolve_enum(const ast::Enum& decl, EnumType& type, Diagnostics& d) {
  const ast::TypeExpr& u = decl.underlying;
  const KindFacts* builtin = builtin_named(u.name);
  if (builtin == nullptr || !builtin->integer || u.has_args || u.optional || u.pointer_suffixes ||
      u.reference_suffixes) {
    std::string_view hint = suggestion_for(u.name);
    d.error(u.span, "the underlying type of enum '" + decl.name +
                        "' must be an integer type (u8..u64, i8..i64), not '" + text_of(u.span) + "'" +
                        (hint.empty() ? "" : "; use '" + std::string(hint) + "'"));
    return;
  }
  type.underlying = builtin->kind;
  const int bits = static_cast<int>(builtin->layout.size * 8);
  const WideInt min = builtin->is_signed ? -(static_cast<WideInt>(1) << (bits - 1)) : 0;
  const WideInt max =
      builtin->is_signed ? (static_cast<WideInt>(1) << (bits - 1)) - 1 : (static_cast<WideInt>(1) << bits) - 1;
  WideInt next = 0;
  std::map<std::string, Span> names;
  for (const ast::EnumValue& v : decl.values) {
    check_identifier(v.span, v.name, "enum value", d);
    if (auto [it, inserted] = names.emplace(v.name, v.span); !inserted) {
      d.error(v.span, "duplicate enum value '" + v.name + "' in enum '" + decl.name + "'");
      d.note(it->second, "'" + v.name + "' is first declared here");
      continue;
    }
    WideInt value = next;
    if (!v.value.empty()) {
      std::string_view text = v.value;
      bool negative = !text.empty() && text.front() == '-';
      if (negative) text.remove_prefix(1);
      int base = 10;
      if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
      }
      std::uint64_t magnitude = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
      if (ec != std::errc() || end != text.data() + text.size()) {
        d.error(v.value_span, "enum value '" + v.name + "' = " + v.value + " does not fit in 64 bits");
        continue;
      }
      value = negative ? -static_cast<WideInt>(magnitude) : static_cast<WideInt>(magnitude);
    }
    if (value < min || value > max) {
      d.error(v.value.empty() ? v.span : v.value_span, "enum value '" + v.name + "' = " + to_decimal(value) +
                                                           " is out of range for '" + std::string(builtin->name) +
                                                           "' (" + to_decimal(min) + " to " + to_decimal(max) + ")");
      next = value + 1;
      continue;
    }
    EnumValue out;
    out.name = v.name;
    out.value = to_decimal(value);
    out.docs = v.docs;
    out.span = v.span;
    out.was = former_name(v.attributes, "enum value '" + v.name + "'", v.name, d);
    type.values.push_back(std::move(out));
    next = value + 1;
  }
  if (decl.values.empty()) d.error(decl.name_span, "enum '" + decl.name + "' has no values");
}

}  // namespace pschema::gen
