#include "pool/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <ostream>

namespace pschema::pool {

namespace {
constexpr int bar_width = 30;
}

Progress::Progress(std::ostream& out, std::string label, std::uint64_t total, bool enabled)
    : out_(out), label_(std::move(label)), total_(total), enabled_(enabled && total > 0) {}

Progress::~Progress() { finish(); }

void Progress::update(std::uint64_t done) {
  if (!enabled_) return;
  const int percent = static_cast<int>(std::min<std::uint64_t>(done, total_) * 100 / total_);
  if (percent == shown_percent_) return;
  shown_percent_ = percent;
  out_ << '\r' << render(label_, done, total_) << std::flush;
}

void Progress::finish() {
  if (!enabled_ || shown_percent_ < 0) return;
  // Blank the line so that the next message starts clean.
  out_ << '\r' << std::string(render(label_, 0, 1).size(), ' ') << '\r' << std::flush;
  shown_percent_ = -1;
}

bool Progress::wanted(std::uint64_t heap_bytes) { return heap_bytes >= large_heap && ::isatty(STDERR_FILENO) == 1; }

std::string Progress::render(const std::string& label, std::uint64_t done, std::uint64_t total) {
  if (total == 0) total = 1;
  done = std::min(done, total);
  const auto filled = static_cast<int>(done * bar_width / total);
  const auto percent = static_cast<int>(done * 100 / total);
  std::string line = label + " [" + std::string(static_cast<std::size_t>(filled), '#') +
                     std::string(static_cast<std::size_t>(bar_width - filled), ' ') + "] ";
  std::string number = std::to_string(percent);
  line += std::string(3 - std::min<std::size_t>(3, number.size()), ' ') + number + "%";
  return line;
}

}  // namespace pschema::pool
