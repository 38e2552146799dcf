// How writers of a pool keep each other out, and how readers see that a
// writer has it open (docs/runtime.md 8.4).
//
// A lock on the pool file itself cannot keep writers apart safely: anyone
// who can read the file can open it and take a flock (shared or
// exclusive) or an fcntl read lock on it, and so keep the owner from ever
// opening the pool (pool_in_use). So writers lock a second file,
// `<pool>.lock`, which only users allowed to write the pool can open: it
// has no read permission for group and others, and write permission for
// them only where the pool file grants it.
//
// Readers (read-only opens, the pool tool) cannot open that file, and must
// never be able to make a writer wait. A writer also marks the pool file
// with an fcntl write lock (open file description lock), which only a
// descriptor open for writing can take; readers only test for it
// (F_OFD_GETLK) and take no lock. A reader can keep the mark from being
// taken (a read lock of its own), which only hides the writer from other
// readers: the writer opens all the same.
#pragma once

#include <string>

namespace pschema::detail {

// Where the writers' lock of the pool at `pool_path` lives.
std::string writer_lock_path_for(const std::string& pool_path);

// Opens (creating it if needed) and locks the writers' lock file of the
// pool whose open descriptor is `pool_fd`; returns the lock file's
// descriptor, which holds the lock until it is closed. Throws pool_in_use
// if another writer holds it, io_error if the file cannot be opened or is
// not one a writer of this pool made.
int lock_writers(const std::string& pool_path, int pool_fd);

// Marks `pool_fd` (open for writing) as the descriptor of a writer: an
// fcntl write lock on its first byte, held until the descriptor is closed.
// Best effort: a reader's read lock keeps it from being taken, and then
// the pool is simply not marked.
void mark_writer(int pool_fd) noexcept;

// Whether a writer has marked the pool file open (`fd` may be read-only).
// Throws io_error if the test itself fails.
bool writer_marked(int fd, const std::string& path);

}  // namespace pschema::detail
