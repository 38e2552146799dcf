#include "model.hpp"

#include <algorithm>

namespace pschema::gen {

bool is_scalar(Kind kind) { return facts(kind).scalar; }

bool is_plain(const Type& type) {
  switch (facts(type.kind).plain) {
    case Plain::always: return true;
    case Plain::if_element_is: return is_plain(*type.element);
    case Plain::if_fields_are: return type.structure->plain;  // set by the layout pass
    case Plain::never: return false;
  }
  return false;
}

std::string describe(const Type& type) {
  // User types go by their names, T? by a suffix; built-ins by the table's.
  if (type.kind == Kind::enumeration) return type.enumeration->name;
  if (type.kind == Kind::structure) return type.structure->name;
  if (type.kind == Kind::optional) return describe(*type.element) + "?";
  return std::string(facts(type.kind).name) + type_arguments(type, describe);
}

namespace {

std::uint64_t round_up(std::uint64_t value, std::uint64_t align) { return (value + align - 1) / align * align; }

}  // namespace

Layout layout_of(const Type& type) {
  const KindFacts& kind = facts(type.kind);
  switch (kind.layout_rule) {
    case LayoutRule::fixed: return kind.layout;
    case LayoutRule::underlying: return facts(type.enumeration->underlying).layout;
    case LayoutRule::structure: return type.structure->layout;
    case LayoutRule::repeated: {
      Layout element = layout_of(*type.element);
      std::uint64_t size = 0;
      // Saturates instead of wrapping: the analyzer refuses huge sizes.
      if (__builtin_mul_overflow(element.size, type.length, &size)) size = UINT64_MAX;
      return {size, element.align};
    }
    case LayoutRule::lock_word_then_value: {
      // pschema::MutexRep<T>
      Layout value = layout_of(*type.element);
      const std::uint64_t align = std::max<std::uint64_t>(8, value.align);
      return {round_up(round_up(8, value.align) + value.size, align), align};
    }
    case LayoutRule::value_then_flag: {
      if (facts(type.element->kind).heap_offset) return facts(type.element->kind).layout;  // the null offset
      Layout value = layout_of(*type.element);
      return {round_up(value.size + 1, value.align), value.align};  // pschema::Optional<T>
    }
  }
  return kind.layout;
}

bool contains_mutex(const Type& type) {
  if (type.kind == Kind::mutex) return true;
  if (type.kind == Kind::structure) {
    return std::any_of(type.structure->fields.begin(), type.structure->fields.end(),
                       [](const Field& field) { return contains_mutex(field.type); });
  }
  // A container that keeps its elements in place and never moves them (an
  // array) holds them where they are: a T? moves its value in and out.
  const KindFacts& kind = facts(type.kind);
  return kind.in_place && !kind.moves_elements && contains_mutex(*type.element);
}

}  // namespace pschema::gen
