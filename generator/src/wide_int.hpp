// A 128-bit integer for checking enum values: every value a schema can
// write (a 64-bit literal, possibly negated, plus one for the next
// implicit value) fits, so range checks never overflow.
#pragma once

#include <string>

namespace pschema::gen {

// __extension__: GCC and Clang have __int128, but -Wpedantic warns about it.
__extension__ typedef __int128 WideInt;

// The decimal text of `value` (std::to_string has no 128-bit overload).
std::string to_decimal(WideInt value);

}  // namespace pschema::gen
