// Reads one lane's undo log the way recovery does, and writes nothing: the
// undo entries of the transaction in flight, in the order they were
// written. Journal::recover rolls back what it yields; the pool tool counts
// it. An entry belongs to the transaction in flight only if its checksum
// verifies with the lane's committed_sequence + 1 (docs/runtime.md 1.5,
// 4.2): the first that does not (torn, or stale from a finished
// transaction) ends the log, unless the lane header vouches that it had
// been made durable (LaneHeader::durable_entries): then it is damage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace pschema::format {

class JournalReader {
 public:
  struct UndoEntry {
    std::uint64_t offset;  // where the saved bytes go back to
    std::uint32_t size;
    const std::byte* data;  // the saved bytes, inside `pool`
  };

  // `pool` holds the pool's bytes from offset 0 at least to the end of the
  // heap; lane and heap bounds come from a superblock that passed
  // check_superblock. Nothing outside `pool` is ever read.
  JournalReader(std::span<const std::byte> pool, std::uint64_t lane_offset, std::uint64_t lane_size,
                std::uint32_t lane_index, std::uint64_t heap_begin, std::uint64_t heap_end);

  // The sequence number of the last transaction the lane is done with.
  std::uint64_t committed_sequence() const { return sequence_ - 1; }

  // The next undo entry, or nothing where the log ends. A verifying entry
  // with an impossible value ends it too, and damage() says what: only the
  // runtime writes verifying entries, so the file was tampered with. So
  // does an entry that does not verify although the lane header says it
  // had been made durable: a crash cannot tear it, so it was damaged since.
  // damage() then names the entry: its index in the log (`continue_`
  // entries counted) and its offset in the file.
  std::optional<UndoEntry> next();
  const std::string& damage() const { return damage_; }
  // How many entries the lane header vouches for (0 if none or it does
  // not verify for the transaction in flight).
  std::uint64_t durable_entries() const { return durable_; }

 private:
  const std::byte* bytes_at(std::uint64_t offset, std::uint64_t length) const;
  std::nullopt_t stop(std::string damage);

  std::span<const std::byte> pool_;
  std::uint32_t lane_index_;
  std::uint64_t heap_begin_;
  std::uint64_t heap_end_;
  std::uint64_t sequence_ = 0;  // of the transaction in flight
  std::uint64_t at_ = 0;        // the next entry
  std::uint64_t end_ = 0;       // of the area (lane or overflow segment) being read
  std::uint64_t budget_ = 0;    // bytes the rest of the log may still take
  std::uint64_t durable_ = 0;   // entries the lane header vouches for
  std::uint64_t count_ = 0;     // entries read so far
  bool ended_ = false;
  std::string damage_;
};

}  // namespace pschema::format
