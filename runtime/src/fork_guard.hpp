// What fork() does to open pools. A child process inherits the parent's
// mapping of every pool, its descriptors and its locks (which belong to
// the open file descriptions both now share), but not the parent's
// threads, gate or lane mutexes: if both processes used the pool, each
// would write the same file and log under locks the other cannot see. A
// child forked inside a transaction that then unwound would even roll the
// transaction's undo entries back into the shared mapping after the parent
// had committed it.
//
// So at fork, in the child: every shared mapping of an open pool is
// replaced by a private copy of the same bytes (the child's stores can no
// longer reach the file or the parent), and the pool refuses every
// transaction, read and sync with usage_error; closing it in the child
// only lets go of the child's copy. The parent is not affected.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace pschema::detail {

// Incremented in the child at every fork (a pthread_atfork handler): a pool
// opened with another value than the current one is the parent's.
std::uint64_t current_fork_epoch() noexcept;

// The set of open pools whose shared mappings the child makes private.
// Registration also installs the fork handlers (once per process).
void register_shared_mapping(std::byte* base, std::size_t size, int fd);
void unregister_shared_mapping(std::byte* base) noexcept;

}  // namespace pschema::detail
