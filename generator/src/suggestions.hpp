// What to suggest when a schema names a type that does not exist: the
// pschema spelling of a type from C, C++ or Rust, or the closest declared
// name ("did you mean").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pschema::gen {

// What to write instead of a C, C++ or Rust type name ("int" -> "i32"),
// or empty when `name` is not one of those.
std::string_view suggestion_for(std::string_view name);

// The candidate closest to a misspelt name, among those fewer than 3 edits
// away; on a tie, the first one considered.
class ClosestName {
 public:
  explicit ClosestName(std::string_view wanted) : wanted_(wanted) {}

  void consider(std::string_view candidate);
  // Empty when no candidate was close enough.
  const std::string& best() const { return best_; }

 private:
  std::string_view wanted_;
  std::string best_;
  std::size_t best_distance_ = 3;
};

}  // namespace pschema::gen
