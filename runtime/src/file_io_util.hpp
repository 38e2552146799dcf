// Whole-transfer helpers over a FileIo: they retry short transfers and
// EINTR and turn failures into pschema::io_error naming `path`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pschema/file_io.hpp"

namespace pschema::detail {

std::string errno_message(int err);
// The directory holding `path` ("." for a bare name), whose fsync makes a
// new file's name durable.
std::string parent_directory(const std::string& path);
// Writes all `size` bytes at `offset`.
void io_write(FileIo& io, int fd, const void* data, std::size_t size, std::uint64_t offset, const std::string& path,
              std::string_view what);
// Reads up to `size` bytes at `offset`; returns fewer only at the end of the file.
std::size_t io_read(FileIo& io, int fd, void* buffer, std::size_t size, std::uint64_t offset, const std::string& path,
                    std::string_view what);
// fdatasync; `site` names the call for the power-failure simulator.
void io_sync(FileIo& io, int fd, const std::string& path, std::string_view what, SyncSite site);

}  // namespace pschema::detail
