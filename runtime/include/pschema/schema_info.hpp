// What the generated code tells the runtime about the schema a pool holds.
#pragma once

#include <cstdint>
#include <string_view>

namespace pschema {

class Transaction;

struct SchemaInfo {
  // Name of the pool type, e.g. "bank.Ledger". Stored in the pool, at most 63 bytes.
  std::string_view name;
  // Hash of the canonical layout of every type the pool can hold: a pool
  // written with another layout refuses to open.
  std::uint64_t fingerprint = 0;
  // The schema source, stored in the pool so tools can read any pool.
  std::string_view text;
  // Size and type id of the root object, allocated when the pool is created.
  std::uint32_t root_size = 0;
  std::uint32_t root_type_id = 0;
  // A `concurrent` pool: transactions of several threads run at once, each
  // holding the mutex<T>s it locked until it ends (pschema/mutex.hpp).
  bool concurrent = false;
  // Run once, as the first transaction of a new pool, before the pool is
  // marked valid: a crash during it leaves no half-initialised pool.
  void (*initialize_root)(Transaction& tx, std::uint64_t root_offset) = nullptr;
};

}  // namespace pschema
