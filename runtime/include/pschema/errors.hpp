// Every error the runtime reports is a pschema::error. Each distinct
// failure has its own type so callers can react to it (retry on
// pool_in_use, grow the pool on pool_full, refuse a foreign file on
// not_a_pool). Messages name the file and say what was expected and what
// was found.
#pragma once

#include <stdexcept>
#include <string>

namespace pschema {

class error : public std::runtime_error {
 public:
  error(std::string path, const std::string& message)
      : std::runtime_error(path.empty() ? message : path + ": " + message), path_(std::move(path)) {}
  // The pool file the error is about (may be empty).
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

// The operating system refused something (open, map, create, stat).
class io_error : public error {
  using error::error;
};
// The file does not start with the pschema magic number.
class not_a_pool : public error {
  using error::error;
};
// The file is shorter than the pool it claims to hold.
class truncated_pool : public error {
  using error::error;
};
// A checksummed part of the pool does not match its checksum.
class checksum_mismatch : public error {
  using error::error;
};
// The pool was written by a newer pschema with a format this one cannot read.
class version_too_new : public error {
  using error::error;
};
// The pool holds another schema (or another layout of the same schema).
class schema_mismatch : public error {
  using error::error;
};
// A structural field (offset, size, block header, journal entry) is out of range.
class corrupt_pool : public error {
  using error::error;
};
// Another process (or this one) has the pool open.
class pool_in_use : public error {
  using error::error;
};
// The pool has no room for an allocation; the transaction was rolled back.
class pool_full : public error {
  using error::error;
};
// A transaction of a concurrent pool would have waited forever for a mutex
// (a cycle of transactions each waiting for the next), or waited longer
// than the pool's lock timeout. It was rolled back and can be run again:
// Pool::transaction with TransactionOptions::deadlock_retries does that.
class deadlock : public error {
  using error::error;
};
// The API was used the wrong way (allocation outside a transaction, a
// handle from another pool, a pool closed with a transaction running).
class usage_error : public error {
  using error::error;
};
// An element access outside a container: an index at or past the size
// (operator[], at, set, erase), or front/back/pop_back on an empty one.
// Nothing was read or written.
class index_out_of_range : public usage_error {
  using usage_error::usage_error;
};
// A Mut, container Mut, writing iterator or Owned<T> was used where it is
// no longer valid: after the transaction that made it ended, on another
// thread than the one running that transaction, or (an element of a vec or
// map, or an iterator over one) after its container moved or removed the
// element. Nothing was written. A kind of usage_error.
class stale_reference : public usage_error {
  using usage_error::usage_error;
};
// A transaction was started on a pool opened read-only
// (PoolOptions::read_only); a kind of usage_error.
class read_only_pool : public usage_error {
  using usage_error::usage_error;
};

}  // namespace pschema
