// The file engine's log next to a pool (`<pool>.wal`, docs/runtime.md
// section 11), read with the format module's log reader, the rules the
// open's replay follows: whether it belongs to the pool's current session,
// its committed records not yet checkpointed into the pool file, a torn
// tail, damage. Its valid records are laid over the tool's private view of
// the pool (PoolBytes::overlay), so that info, dump and check show the
// committed state, as the next open will make it; the file is not written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "pool/pool_file.hpp"
#include "pool/pool_header.hpp"
#include "pschema/format/log_reader.hpp"

namespace pschema::pool {

struct PoolLog {
  bool present = false;       // a log file exists
  std::string path;           // `<pool>.wal`
  std::uint64_t size = 0;     // of the log file
  std::string unreadable;     // why the log file could not be read, if it could not
  // False when both PoolState copies are damaged: without the pool's
  // session the log's records cannot be told current or stale.
  bool session_known = true;
  format::LogHeaderState header_state = format::LogHeaderState::none;
  std::uint64_t session = 0;  // the session (pool generation) that wrote it; with a header
  std::uint64_t salt = 0;     // its generation's salt; with a header
  std::uint32_t version = 0;  // of its format; with a header
  std::uint64_t pool_session = 0;  // the pool file's (its current PoolState's generation)
  std::string log_uuid, pool_uuid;  // with a header of another pool
  std::uint64_t records = 0;  // committed records of the current session, laid over the view
  std::uint64_t record_bytes = 0;
  std::optional<std::uint64_t> torn_at;  // log offset of a record a crash tore
  std::optional<format::LogDamage> damage;
  // No log file, but the pool state says a file-engine session left the
  // pool open after its log existed (PoolState::log_generation): the
  // latest commits were in that log, and the runtime refuses to open
  // the pool without it (docs/runtime.md 11.7).
  bool missing = false;

  // The log stops the runtime from opening the pool (another pool's, a
  // newer session's, an unknown version, damaged records).
  bool refused() const;
  // One sentence on why, for info and check.
  std::string refusal() const;
};

// Reads the log at `path` (or, when `memory` is given, those bytes) for the
// pool `header` describes, and lays its committed records over `bytes`.
// Never throws for a damaged or missing log: that is described in the
// result.
PoolLog read_pool_log(const std::string& path, std::optional<std::span<const std::byte>> memory, PoolBytes& bytes,
                      const PoolHeader& header);

const char* log_header_state_name(format::LogHeaderState state);  // for JSON: "current", "older_session", ...

}  // namespace pschema::pool
