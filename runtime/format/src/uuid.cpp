#include "pschema/format/uuid.hpp"

#include <cstdio>

namespace pschema::format {

std::string uuid_text(const std::uint8_t (&uuid)[16]) {
  char out[40];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", uuid[0],
                uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
                uuid[12], uuid[13], uuid[14], uuid[15]);
  return out;
}

}  // namespace pschema::format
