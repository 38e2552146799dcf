// A one-line progress bar for long walks over large pools. It is drawn on
// stderr only when stderr is a terminal: piped or redirected output never
// contains it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace pschema::pool {

class Progress {
 public:
  // Heaps at least this large get a progress bar (when on a terminal).
  static constexpr std::uint64_t large_heap = 64ull << 20;

  // Draws on `out` when `enabled`; otherwise every call does nothing.
  Progress(std::ostream& out, std::string label, std::uint64_t total, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Redraws only when the shown percentage changes: cheap to call often.
  void update(std::uint64_t done);
  // Erases the bar (also done by the destructor).
  void finish();

  // Whether a bar should be shown for a walk over `heap_bytes` on stderr.
  static bool wanted(std::uint64_t heap_bytes);
  // "check: heap [#########           ]  45%"
  static std::string render(const std::string& label, std::uint64_t done, std::uint64_t total);

 private:
  std::ostream& out_;
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  int shown_percent_ = -1;
};

}  // namespace pschema::pool
