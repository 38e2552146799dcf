// pschema_disk_bench: the one interface every system of the durable
// key-value benchmark on an ordinary file implements (README.md, "Durable
// key-value on an ordinary file"). A store maps u64 keys to u64 values
// and keeps all its files in a directory of its own; one system per
// disk_<system>.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace disk {

// A system that cannot run on this build (pschema-deferred until the
// runtime has deferred durability): the harness reports n/a with the
// message instead of numbers.
struct NotAvailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What a store is created for.
struct StoreSpec {
  std::string dir;        // an existing, empty directory: every file of the store goes there
  std::size_t capacity;   // at most this many keys will be put (to size pools and files)
  unsigned writers = 1;   // threads that will put at the same time (1: the one-thread layout)
};

// One thread's way to write. Made by Store::writer() before the threads
// start; used by that one thread only.
class Writer {
 public:
  virtual ~Writer() = default;
  // One transaction putting keys[i] -> values[i]: when it returns, all of
  // them are durable (they survive a crash or power loss), or, for a
  // deferred system, will be unless the machine fails within its window.
  // The keys are distinct and not in the store yet.
  virtual void put(std::span<const std::uint64_t> keys, std::span<const std::uint64_t> values) = 0;
};

class Store {
 public:
  virtual ~Store() = default;  // closes the store
  virtual std::unique_ptr<Writer> writer() = 0;
  // Point gets come in batches; a system that reads in transactions
  // (LMDB, SQLite) opens one read transaction per batch here and ends it
  // in end_gets, as a user reading many keys would.
  virtual void begin_gets() {}
  virtual void end_gets() {}
  virtual std::optional<std::uint64_t> get(std::uint64_t key) = 0;
  // The number of keys (verification only).
  virtual std::uint64_t count() = 0;
  // How it makes data durable, if it has a choice (pschema: its pool's
  // persistence backend), for the report.
  virtual std::string backend() const { return {}; }
  // The fences (durability points) the system's own counters report so
  // far, if it keeps any (pschema), to set beside the syncs counted.
  virtual std::optional<std::uint64_t> fences() const { return std::nullopt; }
};

struct System {
  std::string name;
  // Creates a new, empty store in spec.dir; throws NotAvailable if the
  // system cannot run here.
  std::function<std::unique_ptr<Store>(const StoreSpec&)> create;
  // Opens the store that create(spec) made in spec.dir, after it was
  // closed (and possibly its files copied to another spec.dir).
  std::function<std::unique_ptr<Store>(const StoreSpec&)> open;
  // Why the system has no GET phase (empty: it has one).
  std::string no_gets;
};

// One per disk_<system>.cpp.
System pschema_system();
System pschema_deferred_system();
System lmdb_system();
System sqlite_system(bool full);  // synchronous=FULL, or NORMAL
System pmdk_system();
System fdatasync_system();

// Throws std::runtime_error with `what` and errno's message.
[[noreturn]] void fail_errno(const std::string& what);

}  // namespace disk
