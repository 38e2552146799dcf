// A pool's UUID (Superblock::uuid) as text, the one way PoolInfo::uuid and
// the pool tool show it: "102a0171-0fe3-46b0-8696-526efd60aa64".
#pragma once

#include <cstdint>
#include <string>

namespace pschema::format {

std::string uuid_text(const std::uint8_t (&uuid)[16]);

}  // namespace pschema::format
