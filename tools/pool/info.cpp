#include "pool/info.hpp"

#include <fmt/format.h>

#include <ctime>
#include <map>
#include <ostream>

#include "pool/heap_table.hpp"
#include "pool/progress.hpp"
#include "pool/values.hpp"
#include "pschema/format/uuid.hpp"

namespace pschema::pool {

namespace {

struct TypeCount {
  std::uint32_t type_id = 0;
  std::uint64_t blocks = 0;
  std::uint64_t bytes = 0;
};

std::string utc_time(std::uint64_t seconds) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(seconds);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

std::string human_bytes(std::uint64_t bytes) {
  if (bytes >= (1ull << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1ull << 30));
  if (bytes >= (1ull << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1ull << 20));
  if (bytes >= (1ull << 10)) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / (1ull << 10));
  return fmt::format("{} bytes", bytes);
}

const char* lock_text(LockState state) {
  switch (state) {
    case LockState::free: return "no";
    case LockState::in_use: return "yes (another process has it open)";
    case LockState::unknown: return "unknown";
  }
  return "unknown";
}

// One line (and more for a torn tail or damage) on the pool's log.
std::string log_text(const PoolLog& log) {
  if (!log.present)
    return log.missing ? "none: the log " + log.refusal() + " (the runtime refuses to open the pool)\n" : "none\n";
  std::string text = fmt::format("{} ({} bytes): ", log.path, log.size);
  if (!log.unreadable.empty()) return text + log.unreadable + "\n";
  if (!log.session_known) return text + "not read (both pool state copies are damaged: its session is unknown)\n";
  switch (log.header_state) {
    case format::LogHeaderState::none: return text + "no valid header: an empty log, nothing to replay\n";
    case format::LogHeaderState::older_session:
      return text + fmt::format("session {}, salt {}: an earlier session's, already replayed: ignored\n", log.session,
                                hex16(log.salt));
    case format::LogHeaderState::current: break;
    default: return text + log.refusal() + " (the runtime refuses to open the pool)\n";
  }
  text += fmt::format("session {} (current), salt {}: ", log.session, hex16(log.salt));
  text += log.records == 0
              ? std::string("no committed transactions pending\n")
              : fmt::format("{} committed transaction{} ({} bytes) not yet in the pool file, shown here{}\n",
                            log.records, log.records == 1 ? "" : "s", log.record_bytes,
                            log.damage ? " (those before the damage)" : " as the next open replays them");
  if (log.torn_at) {
    text += fmt::format(
        "             torn record at log offset {} (a crash while it was written: the open ignores "
        "it)\n",
        *log.torn_at);
  }
  if (log.damage) text += "             " + log.refusal() + " (the runtime refuses to open the pool)\n";
  return text;
}

std::string log_json(const PoolLog& log) {
  const bool header =
      log.present && log.unreadable.empty() && log.session_known && log.header_state != format::LogHeaderState::none;
  std::string json =
      fmt::format("{{\"path\": {}, \"present\": {}", json_string(log.path), log.present ? "true" : "false");
  json += fmt::format(", \"size\": {}", log.present ? std::to_string(log.size) : "null");
  json += fmt::format(", \"header\": {}", !log.present              ? "null"
                                          : !log.unreadable.empty() ? "\"unreadable\""
                                          : !log.session_known      ? "\"not_read\""
                                                               : json_string(log_header_state_name(log.header_state)));
  json += fmt::format(", \"session\": {}, \"salt\": {}", header ? std::to_string(log.session) : "null",
                      header ? json_string(hex16(log.salt)) : "null");
  json += fmt::format(", \"pending_records\": {}, \"pending_bytes\": {}", log.records, log.record_bytes);
  json += fmt::format(", \"torn_at\": {}", log.torn_at ? std::to_string(*log.torn_at) : "null");
  json += fmt::format(", \"damage\": {}", log.damage
                                              ? fmt::format("{{\"kind\": {}, \"offset\": {}}}",
                                                            json_string(format::log_damage_kind_name(log.damage->kind)),
                                                            log.damage->log_offset)
                                              : "null");
  json += fmt::format(", \"problem\": {}}}", log.refused() ? json_string(log.refusal()) : "null");
  return json;
}

}  // namespace

int run_info(const PoolInput& input, const InfoOptions& options, std::ostream& out, std::ostream& err) {
  try {
    OpenedPool pool = open_pool(input, false);
    const PoolHeader& h = pool.header;
    const format::Superblock& sb = h.superblock;
    // Type names need the schema; a pool whose schema does not analyse is
    // still described, with type ids only.
    std::string schema_problem;
    try {
      pool.schema.emplace(load_embedded_schema(h, input.schema_cache));
    } catch (const Unreadable& e) {
      schema_problem = e.what();
    }
    auto type_name = [&](std::uint32_t id) { return pool.schema ? pool.schema->type_name(id) : "type " + hex(id); };

    HeapTable heap;
    {
      Progress progress(err, "info: heap", sb.heap_size, !input.memory && Progress::wanted(sb.heap_size));
      heap = walk_heap(pool.bytes, h, &progress);
    }
    std::map<std::string, TypeCount> types;  // by name: sorted output
    for (const HeapBlock& b : heap.blocks) {
      if (!b.allocated) continue;
      TypeCount& t = types[type_name(b.type_id)];
      t.type_id = b.type_id;
      t.blocks += 1;
      t.bytes += b.size;
    }
    const bool clean = h.state_copy >= 0 && h.state.clean == 1;
    std::uint64_t pending = 0;
    for (const LaneJournal& lane : h.lanes) pending += lane.pending_entries;

    if (options.json) {
      out << "{\n";
      out << "  \"path\": " << json_string(input.name) << ",\n";
      out << "  \"format_version\": " << sb.format_version << ",\n";
      out << "  \"uuid\": " << json_string(format::uuid_text(sb.uuid)) << ",\n";
      out << "  \"creation_time\": " << sb.creation_time << ",\n";
      out << "  \"schema\": {\"name\": " << json_string(h.schema_name)
          << ", \"fingerprint\": " << json_string(hex16(sb.schema_fingerprint))
          << ", \"text_bytes\": " << sb.schema_text_size
          << ", \"usable\": " << (schema_problem.empty() ? "true" : "false") << "},\n";
      out << "  \"size\": " << sb.pool_size << ",\n";
      out << "  \"heap\": {\"offset\": " << sb.heap_offset << ", \"size\": " << sb.heap_size
          << ", \"used_bytes\": " << heap.allocated_bytes << ", \"used_blocks\": " << heap.allocated_blocks
          << ", \"free_bytes\": " << heap.free_bytes << ", \"free_blocks\": " << heap.free_blocks
          << ", \"damaged_at\": " << (heap.damaged ? std::to_string(heap.damaged_at) : "null") << "},\n";
      out << "  \"objects\": [";
      bool first = true;
      for (const auto& [name, t] : types) {
        out << (first ? "\n" : ",\n") << "    {\"type\": " << json_string(name) << ", \"type_id\": " << t.type_id
            << ", \"blocks\": " << t.blocks << ", \"bytes\": " << t.bytes << "}";
        first = false;
      }
      out << (first ? "],\n" : "\n  ],\n");
      out << "  \"clean\": " << (clean ? "true" : "false") << ",\n";
      out << "  \"needs_recovery\": " << (pending > 0 ? "true" : "false") << ",\n";
      out << "  \"in_use\": "
          << (pool.bytes.lock_state() == LockState::unknown  ? "null"
              : pool.bytes.lock_state() == LockState::in_use ? "true"
                                                             : "false")
          << ",\n";
      out << "  \"generation\": " << (h.state_copy >= 0 ? std::to_string(h.state.generation) : "null") << ",\n";
      out << "  \"state_sequence\": " << (h.state_copy >= 0 ? std::to_string(h.state.sequence) : "null") << ",\n";
      out << "  \"lanes\": {\"count\": " << sb.lane_count << ", \"size\": " << sb.lane_size
          << ", \"committed_sequences\": [";
      for (std::size_t i = 0; i < h.lanes.size(); ++i) out << (i == 0 ? "" : ", ") << h.lanes[i].committed_sequence;
      out << "], \"pending_undo_entries\": " << pending << "},\n";
      out << "  \"log\": " << log_json(pool.log) << "\n";
      out << "}\n";
    } else {
      out << fmt::format("pool:        {}\n", input.name);
      out << fmt::format("format:      version {}\n", sb.format_version);
      out << fmt::format("uuid:        {}\n", format::uuid_text(sb.uuid));
      out << fmt::format("created:     {}\n", utc_time(sb.creation_time));
      out << fmt::format("schema:      {} (fingerprint {}, {} bytes of schema text)\n", h.schema_name,
                         hex16(sb.schema_fingerprint), sb.schema_text_size);
      out << fmt::format("size:        {} bytes ({})\n", sb.pool_size, human_bytes(sb.pool_size));
      out << fmt::format("heap:        {} bytes at {}: {} used in {} block{}, {} free in {} block{}\n", sb.heap_size,
                         hex(sb.heap_offset), heap.allocated_bytes, heap.allocated_blocks,
                         heap.allocated_blocks == 1 ? "" : "s", heap.free_bytes, heap.free_blocks,
                         heap.free_blocks == 1 ? "" : "s");
      if (heap.damaged) {
        out << fmt::format("             damaged at {}: {}; {} bytes after it cannot be read\n", hex(heap.damaged_at),
                           heap.damage, heap.unknown_bytes);
      }
      out << fmt::format("state:       {}\n", h.state_copy < 0 ? "both copies damaged"
                                              : clean          ? "closed cleanly"
                                                               : "not closed cleanly (open, or its program stopped)");
      out << fmt::format("recovery:    {}\n", pending == 0
                                                  ? std::string("not needed")
                                                  : fmt::format("needed: {} undo entr{} of an interrupted transaction",
                                                                pending, pending == 1 ? "y" : "ies"));
      out << fmt::format("open:        {}\n", lock_text(pool.bytes.lock_state()));
      if (h.state_copy >= 0) {
        out << fmt::format("counters:    generation {} (opens since creation), state sequence {}\n", h.state.generation,
                           h.state.sequence);
      }
      std::string sequences;
      for (const LaneJournal& lane : h.lanes)
        sequences += (sequences.empty() ? "" : " ") + std::to_string(lane.committed_sequence);
      out << fmt::format("journal:     {} lanes of {} bytes; committed sequence per lane: {}\n", sb.lane_count,
                         sb.lane_size, sequences);
      out << "log:         " << log_text(pool.log);
      out << "objects:\n";
      std::size_t width = 0;
      for (const auto& [name, t] : types) width = std::max(width, name.size());
      for (const auto& [name, t] : types) {
        out << fmt::format("  {:<{}}  {:>6} block{}  {:>10} bytes\n", name, width, t.blocks, t.blocks == 1 ? " " : "s",
                           t.bytes);
      }
    }
    if (!schema_problem.empty()) {
      err << "pschema: error: " << input.name << ": " << schema_problem << "\n";
      return 2;
    }
    if (pool.log.refused()) {
      err << "pschema: error: " << input.name << ": log " << pool.log.path << ": " << pool.log.refusal() << "\n";
    }
    if (heap.damaged) {
      err << "pschema: error: " << input.name << ": heap block " << hex(heap.damaged_at) << ": " << heap.damage << "\n";
      return 1;
    }
    return pool.log.refused() ? 1 : 0;
  } catch (const Unreadable& e) {
    err << "pschema: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace pschema::pool
