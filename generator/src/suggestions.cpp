#include "suggestions.hpp"

#include <utility>

#include "edit_distance.hpp"

namespace pschema::gen {

std::string_view suggestion_for(std::string_view name) {
  // clang-format off: a table laid out by hand, in columns
  static const std::pair<std::string_view, std::string_view> table[] = {
      {"int", "i32"},           {"unsigned", "u32"},     {"long", "i64"},          {"short", "i16"},
      {"char", "u8"},           {"float", "f32"},        {"double", "f64"},        {"size_t", "u64"},
      {"std::size_t", "u64"},   {"uint8_t", "u8"},       {"uint16_t", "u16"},      {"uint32_t", "u32"},
      {"uint64_t", "u64"},      {"int8_t", "i8"},        {"int16_t", "i16"},       {"int32_t", "i32"},
      {"int64_t", "i64"},       {"std::uint8_t", "u8"},  {"std::uint16_t", "u16"}, {"std::uint32_t", "u32"},
      {"std::uint64_t", "u64"}, {"std::int8_t", "i8"},   {"std::int16_t", "i16"},  {"std::int32_t", "i32"},
      {"std::int64_t", "i64"},  {"std::string", "string"}, {"std::string_view", "string"},
      {"string_view", "string"}, {"std::vector", "vec<T>"}, {"std::array", "array<T, N>"},
      {"std::unique_ptr", "box<T>"}, {"std::shared_ptr", "rc<T>"}, {"std::weak_ptr", "weak<T>"},
      {"std::optional", "T?"},  {"std::byte", "u8"},     {"uintptr_t", "u64"},     {"i128", "two u64 fields"},
      {"u128", "two u64 fields"}, {"Option", "T?"},      {"Vec", "vec<T>"},        {"String", "string"},
      {"Box", "box<T>"},        {"Rc", "rc<T>"},         {"Weak", "weak<T>"},
      {"std::map", "map<K, V>"},
  };
  // clang-format on
  for (const auto& [from, to] : table) {
    if (from == name) return to;
  }
  return {};
}

void ClosestName::consider(std::string_view candidate) {
  const std::size_t distance = edit_distance(wanted_, candidate);
  if (distance < best_distance_) {
    best_distance_ = distance;
    best_ = std::string(candidate);
  }
}

}  // namespace pschema::gen
