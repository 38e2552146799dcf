// How many single-character edits turn one name into another, for "did
// you mean" suggestions.
#pragma once

#include <cstddef>
#include <string_view>

namespace pschema::gen {

// The Levenshtein distance of `a` and `b` when it can be small: names
// whose lengths differ by more than 2, or longer than 64 bytes, get a
// distance of at least 3 without the quadratic computation (no suggestion
// is made that far apart, and huge names are not worth the time).
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace pschema::gen
