// The bounds checks of the container views: one comparison inline, the
// message built out of line, so that a checked operator[] costs a read no
// more than the compare and a never-taken branch.
#pragma once

#include <cstddef>
#include <string>

#include "pschema/errors.hpp"

namespace pschema::detail {

[[noreturn, gnu::cold, gnu::noinline]] inline void throw_index_out_of_range(const char* container, std::size_t index,
                                                                            std::size_t size) {
  throw index_out_of_range("", std::string(container) + " index " + std::to_string(index) + " out of range (size " +
                                   std::to_string(size) + ")");
}

[[noreturn, gnu::cold, gnu::noinline]] inline void throw_empty(const char* container, const char* operation) {
  throw index_out_of_range("", std::string(operation) + " on an empty " + container);
}

inline void check_index(const char* container, std::size_t index, std::size_t size) {
  if (index >= size) [[unlikely]]
    throw_index_out_of_range(container, index, size);
}

inline void check_not_empty(const char* container, const char* operation, std::size_t size) {
  if (size == 0) [[unlikely]]
    throw_empty(container, operation);
}

}  // namespace pschema::detail
