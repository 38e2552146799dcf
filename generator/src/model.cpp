#include "model.hpp"

#include <algorithm>

namespace pschema::gen {

bool is_scalar(Kind kind) {
  switch (kind) {
    case Kind::boolean: case Kind::u8: case Kind::u16: case Kind::u32: case Kind::u64:
    case Kind::i8: case Kind::i16: case Kind::i32: case Kind::i64: case Kind::f32: case Kind::f64:
    case Kind::enumeration:
      return true;
    default:
      return false;
  }
}

bool is_plain(const Type& type) {
  if (is_scalar(type.kind)) return true;
  switch (type.kind) {
    case Kind::array:
      return is_plain(*type.element);
    case Kind::optional:
      return is_plain(*type.element);
    case Kind::structure:
      for (const Field& field : type.structure->fields) {
        if (!is_plain(field.type)) return false;
      }
      return true;
    default:
      return false;
  }
}

std::string describe(const Type& type) {
  switch (type.kind) {
    case Kind::boolean: return "bool";
    case Kind::u8: return "u8";
    case Kind::u16: return "u16";
    case Kind::u32: return "u32";
    case Kind::u64: return "u64";
    case Kind::i8: return "i8";
    case Kind::i16: return "i16";
    case Kind::i32: return "i32";
    case Kind::i64: return "i64";
    case Kind::f32: return "f32";
    case Kind::f64: return "f64";
    case Kind::enumeration: return type.enumeration->name;
    case Kind::structure: return type.structure->name;
    case Kind::array: return "array<" + describe(*type.element) + ", " + std::to_string(type.length) + ">";
    case Kind::string: return "string";
    case Kind::bytes: return "bytes";
    case Kind::vec: return "vec<" + describe(*type.element) + ">";
    case Kind::map: return "map<" + describe(*type.key) + ", " + describe(*type.element) + ">";
    case Kind::box: return "box<" + describe(*type.element) + ">";
    case Kind::rc: return "rc<" + describe(*type.element) + ">";
    case Kind::weak: return "weak<" + describe(*type.element) + ">";
    case Kind::optional: return describe(*type.element) + "?";
    case Kind::handle: return "handle<" + describe(*type.element) + ">";
    case Kind::mutex: return "mutex<" + describe(*type.element) + ">";
  }
  return "?";
}

namespace {

std::uint64_t round_up(std::uint64_t value, std::uint64_t align) { return (value + align - 1) / align * align; }

Layout scalar_layout(Kind kind) {
  switch (kind) {
    case Kind::boolean: case Kind::u8: case Kind::i8: return {1, 1};
    case Kind::u16: case Kind::i16: return {2, 2};
    case Kind::u32: case Kind::i32: case Kind::f32: return {4, 4};
    default: return {8, 8};
  }
}

}  // namespace

Layout layout_of(const Type& type) {
  switch (type.kind) {
    case Kind::enumeration:
      return scalar_layout(type.enumeration->underlying);
    case Kind::structure:
      return type.structure->layout;
    case Kind::array: {
      Layout element = layout_of(*type.element);
      std::uint64_t size = 0;
      // Saturates instead of wrapping: the analyzer refuses huge sizes.
      if (__builtin_mul_overflow(element.size, type.length, &size)) size = UINT64_MAX;
      return {size, element.align};
    }
    case Kind::string:
    case Kind::bytes:
    case Kind::vec:
      return {24, 8};  // pschema::StringRep / BytesRep / VecRep
    case Kind::map:
      return {16, 8};  // pschema::MapRep
    case Kind::box:
    case Kind::rc:
    case Kind::weak:
    case Kind::handle:
      return {8, 8};  // an offset
    case Kind::mutex: {
      // pschema::MutexRep<T>: an 8-byte lock word, then the value.
      Layout value = layout_of(*type.element);
      const std::uint64_t align = std::max<std::uint64_t>(8, value.align);
      return {round_up(round_up(8, value.align) + value.size, align), align};
    }
    case Kind::optional: {
      const Kind inner = type.element->kind;
      if (inner == Kind::box || inner == Kind::rc || inner == Kind::weak) return {8, 8};  // null offset
      Layout value = layout_of(*type.element);
      return {round_up(value.size + 1, value.align), value.align};  // pschema::Optional<T>: value, then a flag
    }
    default:
      return scalar_layout(type.kind);
  }
}

bool contains_mutex(const Type& type) {
  switch (type.kind) {
    case Kind::mutex:
      return true;
    case Kind::array:
      return contains_mutex(*type.element);
    case Kind::structure:
      for (const Field& field : type.structure->fields) {
        if (contains_mutex(field.type)) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace pschema::gen
