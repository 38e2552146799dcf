// LogBatch: the ranges one container operation is about to write, gathered
// before it writes anything and then logged together with
// Transaction::log_whole, behind a single fence. Every logged range costs a
// fence before the first store into it, so an operation that logged its
// ranges one by one (a map insert: the shifted keys, the shifted values,
// the leaf's count, the map's size) paid one fence per range.
//
// Gathering is only an optimisation: the operations still `add` every range
// before they store into it, and such an `add` logs nothing when the range
// lies inside one logged here. A range the gathering misses is logged by
// that `add`, with a fence of its own.
#pragma once

#include <cstddef>
#include <span>

#include "pschema/transaction.hpp"

namespace pschema::detail {

class LogBatch {
 public:
  explicit LogBatch(Transaction& tx) : tx_(tx) {}
  LogBatch(const LogBatch&) = delete;
  LogBatch& operator=(const LogBatch&) = delete;

  void add(const void* p, std::size_t size) {
    if (size == 0) return;
    // A map split cascading up ten full levels fills it; logging what is
    // gathered then costs one more fence, never correctness.
    if (count_ == capacity) log();
    ranges_[count_++] = Transaction::Range{p, size};
  }
  // Logs the gathered ranges whole (one fence, none if every range was
  // logged already or lies in an object this transaction allocated).
  void log() {
    if (count_ != 0) tx_.log_whole(std::span<const Transaction::Range>(ranges_, count_));
    count_ = 0;
  }

 private:
  static constexpr std::size_t capacity = 32;
  Transaction& tx_;
  Transaction::Range ranges_[capacity];
  std::size_t count_ = 0;
};

}  // namespace pschema::detail
