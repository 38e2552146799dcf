// The power-failure simulator: a persistence backend that sees every store,
// flush and fence of the runtime and keeps the "persisted image", what
// would survive a power cut at this instant. A cache line reaches it only
// when it was flushed and then fenced. At each fence (a crash point) it can
// build crash images: the persisted image plus any choice of the lines
// still pending (written, flushed or not, but not yet fenced), or lines
// torn at 8-byte granularity (a prefix of their word writes).
//
// Stores that bypass the interface are detected: at every fence, every
// byte outside the pending lines must equal the persisted image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "pschema/persistence.hpp"

namespace crash_sim {

constexpr std::size_t line_size = 64;
constexpr std::size_t word_size = 8;

// One way to resolve the pending lines at a crash.
struct ImageChoice {
  enum class Kind { none, all, single_kept, single_dropped, random_subset, torn } kind = Kind::none;
  std::size_t line = 0;        // single_kept / single_dropped / torn: index into the pending list
  std::uint64_t subset_seed = 0;
  std::size_t torn_words = 0;  // torn: how many of the line's word writes persist
  std::string describe() const;
};

class Simulator final : public pschema::Persistence {
 public:
  // Called at every fence before it takes effect, with the fence's number.
  using CrashPoint = std::function<void(std::uint64_t fence, pschema::Site site)>;

  // `drop_site`: a flush/fence site whose calls are ignored (the mutation
  // check); `stop_after`: abort (throw StopHere) at that fence number.
  // `eviction_seed`: when set, at every fence each written-but-unflushed
  // line may be written back to the medium (as a CPU cache may evict it at
  // any time), so intermediate values of a line can persist.
  explicit Simulator(std::optional<pschema::Site> drop_site = std::nullopt,
                     std::optional<std::uint64_t> eviction_seed = std::nullopt)
      : drop_site_(drop_site), eviction_(eviction_seed.value_or(0)), evicting_(eviction_seed.has_value()) {}

  void attach(std::byte* base, std::size_t size) override;
  void stored(const void* addr, std::size_t size) override;
  std::size_t flush(const void* addr, std::size_t size, pschema::Site site) override;
  void fence(pschema::Site site) override;
  bool observes_stores() const noexcept override { return true; }
  std::string_view name() const noexcept override { return "crash-sim"; }

  void on_crash_point(CrashPoint callback) { crash_point_ = std::move(callback); }
  // Throws StopHere at fence number `fence` (before it takes effect).
  void stop_at(std::uint64_t fence) { stop_at_ = fence; }
  struct StopHere {};

  std::uint64_t fences() const { return fences_; }
  std::size_t pending_lines() const { return pending_.size(); }
  // The bytes a crash right now would leave, for `choice`.
  std::vector<std::byte> crash_image(const ImageChoice& choice) const;
  // Every choice worth trying at this point (bounded by `random_subsets`
  // and `max_singles`).
  std::vector<ImageChoice> choices(std::size_t random_subsets, std::size_t max_singles, std::uint64_t seed) const;
  // Bytes that changed without being declared through `stored`.
  const std::vector<std::string>& bypass_reports() const { return bypasses_; }

 private:
  struct Line {
    bool flushed = false;
    std::vector<std::uint8_t> word_order;  // word indexes in the order they were written
  };
  void check_bypass();

  std::byte* base_ = nullptr;
  std::size_t size_ = 0;
  std::vector<std::byte> persisted_;
  std::map<std::size_t, Line> pending_;  // line index -> state
  std::optional<pschema::Site> drop_site_;
  CrashPoint crash_point_;
  std::uint64_t fences_ = 0;
  std::optional<std::uint64_t> stop_at_;
  std::vector<std::string> bypasses_;
  bool in_crash_point_ = false;
  std::mt19937_64 eviction_;
  bool evicting_;
};

}  // namespace crash_sim
