#include "pool/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <unordered_map>

#include "pool/heap_table.hpp"
#include "pool/layouts.hpp"
#include "pool/progress.hpp"
#include "pool/runtime_bridge.hpp"
#include "pool/walker.hpp"
#include "pschema/format/type_ids.hpp"

namespace pschema::pool {

namespace {

// Above this many unreachable blocks, each is reported on its own instead
// of working out which leaked object owns which (quadratic at worst).
constexpr std::size_t max_attributed_leaks = 20000;

class Report : public WalkVisitor {
 public:
  explicit Report(std::ostream& out) : out_(out) {}
  void problem(const std::string& path, const std::string& message) override {
    out_ << path << ": " << message << "\n";
    ++count_;
  }
  std::uint64_t count() const { return count_; }

 private:
  std::ostream& out_;
  std::uint64_t count_ = 0;
};

void check_header(const OpenedPool& pool, Report& report, std::ostream& out) {
  const PoolHeader& h = pool.header;
  if (h.state_copy < 0) {
    report.problem("state", "both copies of the pool state are damaged (the runtime refuses to open the pool)");
  } else if (!h.state_copy_valid[0] || !h.state_copy_valid[1]) {
    out << fmt::format("note: pool state copy {} is damaged (an interrupted state update); copy {} is current\n",
                       h.state_copy_valid[0] ? 1 : 0, h.state_copy);
  }
  const bool open_elsewhere = pool.bytes.lock_state() == LockState::in_use;
  for (const LaneJournal& lane : h.lanes) {
    const std::string where = fmt::format("journal lane {}", lane.index);
    if (!lane.damage.empty()) report.problem(where, lane.damage + " (the runtime refuses to open the pool)");
    if (lane.pending_entries == 0) continue;
    if (open_elsewhere) {
      out << fmt::format("note: {}: a transaction is in flight ({} undo entr{})\n", where, lane.pending_entries,
                         lane.pending_entries == 1 ? "y" : "ies");
    } else {
      report.problem(where,
                     fmt::format("an interrupted transaction left {} undo entr{} ({} bytes) to roll back; "
                                 "run `pschema pool check --recover`",
                                 lane.pending_entries, lane.pending_entries == 1 ? "y" : "ies", lane.pending_bytes));
    }
  }
}

// The log is read with the rules the open's replay follows: what stops the
// runtime from opening the pool is a problem; committed records not yet in
// the pool file are not (the open replays them, and the rest of the check
// sees the pool with them), and neither is a torn tail (a crash's doing).
void check_log(const OpenedPool& pool, Report& report, std::ostream& out) {
  const PoolLog& log = pool.log;
  if (!log.present && !log.missing) return;
  const std::string where = "log " + log.path;
  if (log.refused()) {
    report.problem(where, log.refusal() + " (the runtime refuses to open the pool)");
  } else if (!log.session_known) {
    out << fmt::format("note: {}: not read (both pool state copies are damaged: its session is unknown)\n", where);
  }
  if (log.records > 0) {
    out << fmt::format("note: {}: {} committed transaction{} ({} bytes) not yet in the pool file, checked {}\n", where,
                       log.records, log.records == 1 ? "" : "s", log.record_bytes,
                       log.damage ? "with the pool (those before the damage)" : "as the next open replays them");
  }
  if (log.torn_at) {
    out << fmt::format("note: {}: torn record at log offset {} (a crash while it was written: the open ignores it)\n",
                       where, *log.torn_at);
  }
}

void check_heap(const HeapTable& heap, Report& report) {
  for (const HeapBlock& b : heap.blocks) {
    // Commit and carving write type 0 into every free header.
    if (!b.allocated && b.type_id != format::type_ids::no_type) {
      report.problem("heap block " + hex(b.offset),
                     fmt::format("free block carries type id {} (free blocks have none)", hex(b.type_id)));
    }
  }
  if (heap.damaged) {
    report.problem("heap block " + hex(heap.damaged_at),
                   fmt::format("{}; the rest of the heap ({} bytes) cannot be read", heap.damage, heap.unknown_bytes));
  }
}

void check_counts(const OpenedPool& pool, const HeapTable& heap, const Walker& walker, Report& report) {
  std::vector<std::size_t> blocks;
  for (const auto& [block, tally] : walker.shared()) blocks.push_back(block);
  std::sort(blocks.begin(), blocks.end());  // report in heap order
  for (std::size_t block : blocks) {
    const SharedTally& tally = walker.shared().at(block);
    const HeapBlock& b = heap.blocks[block];
    const auto counts = pool.bytes.load<layouts::RcCounts>(b.payload()).value();  // checked by the walk
    const std::string what = fmt::format("{} at {}", pool.schema->type_name(b.type_id), hex(b.payload()));
    if (counts.strong != tally.rc_fields) {
      report.problem(render_path(tally.first_path),
                     fmt::format("{} has strong count {}, but {} rc field{} refer{} to it", what, counts.strong,
                                 tally.rc_fields, tally.rc_fields == 1 ? "" : "s", tally.rc_fields == 1 ? "s" : ""));
    }
    if (counts.weak != tally.weak_fields) {
      report.problem(
          render_path(tally.first_path),
          fmt::format("{} has weak count {}, but {} weak field{} refer{} to it", what, counts.weak, tally.weak_fields,
                      tally.weak_fields == 1 ? "" : "s", tally.weak_fields == 1 ? "s" : ""));
    }
  }
}

// Every allocated block the walk did not reach is leaked. Blocks reachable
// from another leaked object are reported with it ("nor are N blocks it
// owns"), so one lost list is one line, not one per node.
std::uint64_t check_leaks(const OpenedPool& pool, const HeapTable& heap, const std::vector<std::uint8_t>& reached,
                          Report& report) {
  std::vector<std::size_t> unreachable;
  for (std::size_t i = 0; i < heap.blocks.size(); ++i) {
    if (heap.blocks[i].allocated && reached[i] == 0) unreachable.push_back(i);
  }
  std::unordered_map<std::size_t, std::size_t> owner;
  if (unreachable.size() <= max_attributed_leaks) {
    WalkVisitor silent;
    Walker leak_walker(pool.bytes, pool.header, heap, *pool.schema, silent);
    for (std::size_t i : unreachable) {
      // A block already owned by an earlier leaked object reaches nothing
      // that object did not.
      if (owner.count(i) != 0) continue;
      for (std::size_t j : leak_walker.walk_unreachable(i)) {
        if (j != i && reached[j] == 0 && heap.blocks[j].allocated && owner.count(j) == 0) owner[j] = i;
      }
    }
  }
  auto root_of = [&](std::size_t i) {
    for (auto it = owner.find(i); it != owner.end(); it = owner.find(i)) i = it->second;
    return i;
  };
  std::unordered_map<std::size_t, std::pair<std::uint64_t, std::uint64_t>> owned;  // blocks, bytes
  for (const auto& [block, by] : owner) {
    auto& totals = owned[root_of(block)];
    totals.first += 1;
    totals.second += heap.blocks[block].size;
  }
  for (std::size_t i : unreachable) {
    if (owner.count(i) != 0) continue;
    const HeapBlock& b = heap.blocks[i];
    std::string message = fmt::format("{} at {}, a {}-byte block, is not reachable from the root",
                                      pool.schema->type_name(b.type_id), hex(b.payload()), b.size);
    if (auto it = owned.find(i); it != owned.end()) {
      message += fmt::format(" (nor are {} block{} it owns, {} bytes)", it->second.first,
                             it->second.first == 1 ? "" : "s", it->second.second);
    }
    report.problem("leak", message);
  }
  return unreachable.size();
}

}  // namespace

int run_check(const PoolInput& input, const CheckOptions& options, std::ostream& out, std::ostream& err) {
  try {
    if (options.recover) {
      if (input.memory) throw Unreadable(input.name + ": --recover needs a pool file");
      out << recover_pool(input.name) << "\n";
    }
    OpenedPool pool = open_pool(input, true);
    if (pool.bytes.lock_state() == LockState::in_use) {
      err << "pschema: warning: " << input.name
          << " is open in another process; it may change while it is being checked\n";
    }
    Report report(out);
    check_header(pool, report, out);
    check_log(pool, report, out);

    const bool show_progress = !input.memory && Progress::wanted(pool.header.superblock.heap_size);
    HeapTable heap;
    {
      Progress progress(err, "check: heap   ", pool.header.superblock.heap_size, show_progress);
      heap = walk_heap(pool.bytes, pool.header, &progress);
    }
    check_heap(heap, report);

    Walker walker(pool.bytes, pool.header, heap, *pool.schema, report);
    {
      Progress progress(err, "check: objects", heap.allocated_blocks, show_progress);
      walker.walk_root(&progress);
    }
    check_counts(pool, heap, walker, report);
    const std::uint64_t unreachable = check_leaks(pool, heap, walker.reached(), report);

    if (report.count() > 0) {
      out << fmt::format("{}: {} problem{} found\n", input.name, report.count(), report.count() == 1 ? "" : "s");
      return 1;
    }
    out << fmt::format(
        "{}: no problems found ({} journal lanes, {} heap blocks, {} allocated, all {} reachable from the root; {} "
        "map{} and {} shared object{} verified)\n",
        input.name, pool.header.lanes.size(), heap.blocks.size(), heap.allocated_blocks,
        heap.allocated_blocks - unreachable, walker.maps_checked(), walker.maps_checked() == 1 ? "" : "s",
        walker.shared().size(), walker.shared().size() == 1 ? "" : "s");
    return 0;
  } catch (const Unreadable& e) {
    err << "pschema: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace pschema::pool
