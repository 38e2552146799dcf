// The error side of pschema::Mapping's checks (pschema/mapping.hpp): kept
// out of line so that the checks inlined into every read stay small.
#include "pschema/mapping.hpp"

#include <cstdio>
#include <string>

#include "pschema/errors.hpp"

namespace pschema {

std::string Mapping::hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

void Mapping::corrupt(const void* at, const std::string& what) const {
  std::string message = what;
  if (at != nullptr) {
    message += " (at offset " + hex(static_cast<std::uint64_t>(static_cast<const std::byte*>(at) - base_)) + ")";
  }
  throw corrupt_pool(path_ != nullptr ? *path_ : std::string(), message);
}

void Mapping::bad_offset(std::uint64_t offset, std::uint64_t size, std::uint64_t align, const void* from,
                         const char* what) const {
  std::string message =
      "offset " + hex(offset) + ", read from the pool as " + what + " of " + std::to_string(size) + " bytes, ";
  if (offset % align != 0) {
    message += "is not " + std::to_string(align) + "-byte aligned";
  } else {
    message += "does not fit in the heap [" + hex(heap_begin_) + ", " + hex(heap_end_) + ")";
  }
  if (from != nullptr) {
    message +=
        "; it was read at offset " + hex(static_cast<std::uint64_t>(static_cast<const std::byte*>(from) - base_));
  }
  throw corrupt_pool(path_ != nullptr ? *path_ : std::string(), message);
}

void Mapping::bad_element(std::uint64_t offset, std::uint64_t index, std::uint64_t size, std::uint64_t align,
                          const void* from) const {
  std::string message = "element " + std::to_string(index) + " (" + std::to_string(size) +
                        " bytes each) of the buffer at offset " + hex(offset) + " ";
  if (offset % align != 0) {
    message += "is not " + std::to_string(align) + "-byte aligned";
  } else {
    message += "does not fit in the heap [" + hex(heap_begin_) + ", " + hex(heap_end_) + ")";
  }
  if (from != nullptr) {
    message += "; the buffer's offset was read at offset " +
               hex(static_cast<std::uint64_t>(static_cast<const std::byte*>(from) - base_));
  }
  throw corrupt_pool(path_ != nullptr ? *path_ : std::string(), message);
}

}  // namespace pschema
