#include "simulator.hpp"

#include <algorithm>
#include <cstring>

namespace crash_sim {

std::string ImageChoice::describe() const {
  switch (kind) {
    case Kind::none: return "none of the pending lines persisted";
    case Kind::all: return "all pending lines persisted";
    case Kind::single_kept: return "only pending line #" + std::to_string(line) + " persisted";
    case Kind::single_dropped: return "all but pending line #" + std::to_string(line) + " persisted";
    case Kind::random_subset: return "random subset of pending lines (seed " + std::to_string(subset_seed) + ")";
    case Kind::torn:
      return "pending line #" + std::to_string(line) + " torn after " + std::to_string(torn_words) + " word(s)";
  }
  return "?";
}

void Simulator::attach(std::byte* base, std::size_t size) {
  base_ = base;
  size_ = size;
  // The file as it is now is what survived so far.
  persisted_.assign(base, base + size);
  pending_.clear();
}

void Simulator::stored(const void* addr, std::size_t size) {
  if (base_ == nullptr || size == 0) return;
  const auto offset = static_cast<std::size_t>(static_cast<const std::byte*>(addr) - base_);
  for (std::size_t word = offset / word_size; word * word_size < offset + size; ++word) {
    Line& line = pending_[word * word_size / line_size];
    line.flushed = false;  // written again after a flush: needs another
    line.word_order.push_back(static_cast<std::uint8_t>(word % (line_size / word_size)));
  }
}

std::size_t Simulator::flush(const void* addr, std::size_t size, pschema::Site site) {
  if (base_ == nullptr || size == 0) return 0;
  const auto offset = static_cast<std::size_t>(static_cast<const std::byte*>(addr) - base_);
  const std::size_t first = offset / line_size, last = (offset + size - 1) / line_size;
  if (drop_site_ == site) return last - first + 1;  // the mutation: this flush never happens
  for (std::size_t line = first; line <= last; ++line) {
    auto it = pending_.find(line);
    if (it != pending_.end()) it->second.flushed = true;
  }
  return last - first + 1;
}

void Simulator::fence(pschema::Site site) {
  if (base_ == nullptr) return;
  ++fences_;
  if (stop_at_ && *stop_at_ == fences_) throw StopHere{};
  if (crash_point_ && !in_crash_point_) {
    in_crash_point_ = true;
    crash_point_(fences_, site);
    in_crash_point_ = false;
  }
  check_bypass();
  if (drop_site_ == site) return;  // the mutation: this fence never happens
  for (auto it = pending_.begin(); it != pending_.end();) {
    // Flushed lines are durable after the fence; others may have been
    // evicted from the cache meanwhile (then they stay pending too: later
    // writes to them are not durable yet).
    if (evicting_ && !it->second.flushed && eviction_() % 4 == 0) {
      std::memcpy(persisted_.data() + it->first * line_size, base_ + it->first * line_size,
                  std::min(line_size, size_ - it->first * line_size));
    }
    if (it->second.flushed) {
      std::memcpy(persisted_.data() + it->first * line_size, base_ + it->first * line_size,
                  std::min(line_size, size_ - it->first * line_size));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

void Simulator::check_bypass() {
  // Compare line by line; pending lines are allowed to differ.
  for (std::size_t line = 0; line * line_size < size_; ++line) {
    const std::size_t at = line * line_size, n = std::min(line_size, size_ - at);
    if (std::memcmp(persisted_.data() + at, base_ + at, n) == 0) continue;
    if (pending_.count(line) != 0) continue;
    if (bypasses_.size() < 10) {
      bypasses_.push_back("bytes at offset " + std::to_string(at) +
                          " changed without a store declared to the simulator");
    }
    // Report once: take the live bytes as persisted from now on.
    std::memcpy(persisted_.data() + at, base_ + at, n);
  }
}

std::vector<ImageChoice> Simulator::choices(std::size_t random_subsets, std::size_t max_singles,
                                            std::uint64_t seed) const {
  std::vector<ImageChoice> out;
  out.push_back({ImageChoice::Kind::none});
  if (pending_.empty()) return out;
  out.push_back({ImageChoice::Kind::all});
  const std::size_t singles = std::min(max_singles, pending_.size());
  for (std::size_t i = 0; i < singles; ++i) {
    out.push_back({ImageChoice::Kind::single_kept, i});
    out.push_back({ImageChoice::Kind::single_dropped, i});
  }
  for (std::size_t i = 0; i < random_subsets && pending_.size() > 2; ++i) {
    ImageChoice c{ImageChoice::Kind::random_subset};
    c.subset_seed = seed * 1000003 + i;
    out.push_back(c);
  }
  std::size_t index = 0, torn = 0;
  for (const auto& [line, state] : pending_) {
    if (torn >= max_singles) break;
    if (state.word_order.size() > 1) {
      ImageChoice c{ImageChoice::Kind::torn, index};
      c.torn_words = state.word_order.size() / 2;
      out.push_back(c);
      ++torn;
    }
    ++index;
  }
  return out;
}

std::vector<std::byte> Simulator::crash_image(const ImageChoice& choice) const {
  std::vector<std::byte> image = persisted_;
  auto keep_line = [&](std::size_t line) {
    const std::size_t at = line * line_size, n = std::min(line_size, size_ - at);
    std::memcpy(image.data() + at, base_ + at, n);
  };
  std::mt19937_64 random(choice.subset_seed);
  std::size_t index = 0;
  for (const auto& [line, state] : pending_) {
    bool keep = false;
    switch (choice.kind) {
      case ImageChoice::Kind::none: keep = false; break;
      case ImageChoice::Kind::all: keep = true; break;
      case ImageChoice::Kind::single_kept: keep = index == choice.line; break;
      case ImageChoice::Kind::single_dropped: keep = index != choice.line; break;
      case ImageChoice::Kind::random_subset: keep = random() % 2 == 0; break;
      case ImageChoice::Kind::torn:
        if (index == choice.line) {
          // A prefix of the line's word writes reached the medium.
          for (std::size_t w = 0; w < choice.torn_words && w < state.word_order.size(); ++w) {
            const std::size_t at = line * line_size + state.word_order[w] * word_size;
            if (at + word_size <= size_) std::memcpy(image.data() + at, base_ + at, word_size);
          }
        }
        break;
    }
    if (keep) keep_line(line);
    ++index;
  }
  return image;
}

}  // namespace crash_sim
