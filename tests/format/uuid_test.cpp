#include "pschema/format/uuid.hpp"

#include <doctest/doctest.h>

TEST_CASE("a pool's UUID is shown as 8-4-4-4-12 lowercase hex digits") {
  const std::uint8_t uuid[16] = {0x10, 0x2a, 0x01, 0x71, 0x0f, 0xe3, 0x46, 0xb0,
                                 0x86, 0x96, 0x52, 0x6e, 0xfd, 0x60, 0xaa, 0x64};
  CHECK(pschema::format::uuid_text(uuid) == "102a0171-0fe3-46b0-8696-526efd60aa64");
}
