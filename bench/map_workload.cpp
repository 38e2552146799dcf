#include "map_workload.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "splitmix.hpp"

namespace harness {
namespace {

// `count` distinct nonzero keys not in `taken` (which they join).
std::vector<std::uint64_t> draw_keys(std::size_t count, std::uint64_t& state,
                                     std::unordered_set<std::uint64_t>& taken) {
  std::vector<std::uint64_t> keys;
  keys.reserve(count);
  while (keys.size() < count) {
    const std::uint64_t key = splitmix64(state);
    if (key != 0 && taken.insert(key).second) keys.push_back(key);
  }
  return keys;
}

}  // namespace

std::uint64_t map_value_for(std::uint64_t key) { return (key * 0x2545F4914F6CDD1DULL) | 1; }

MapWorkload random_map_keys(std::string name, std::size_t n, std::uint64_t seed) {
  MapWorkload w;
  w.name = std::move(name);
  std::uint64_t state = seed;
  std::unordered_set<std::uint64_t> taken;
  w.keys = draw_keys(n, state, taken);
  w.absent = draw_keys(16, state, taken);
  return w;
}

MapWorkload random_map_keys_with_mix(std::string name, std::size_t n, std::uint64_t seed) {
  MapWorkload w = random_map_keys(std::move(name), n, seed);
  std::uint64_t state = seed ^ 0xA5A5A5A5A5A5A5A5ULL;
  std::unordered_set<std::uint64_t> taken(w.keys.begin(), w.keys.end());
  taken.insert(w.absent.begin(), w.absent.end());
  // The keys the mix may touch: the present ones and as many fresh ones.
  std::vector<std::uint64_t> universe = w.keys;
  const std::vector<std::uint64_t> fresh = draw_keys(n, state, taken);
  universe.insert(universe.end(), fresh.begin(), fresh.end());
  // Present and absent keys, each as a vector with each key's index, for
  // O(1) random picks and moves.
  std::vector<std::uint64_t> present = w.keys;
  std::vector<std::uint64_t> missing = fresh;
  std::unordered_map<std::uint64_t, std::size_t> where;  // index in present or missing
  std::unordered_set<std::uint64_t> is_present(present.begin(), present.end());
  for (std::size_t i = 0; i < present.size(); ++i) where[present[i]] = i;
  for (std::size_t i = 0; i < missing.size(); ++i) where[missing[i]] = i;
  auto move_key = [&](std::vector<std::uint64_t>& from, std::vector<std::uint64_t>& to, std::uint64_t key) {
    const std::size_t i = where[key];
    where[from.back()] = i;
    from[i] = from.back();
    from.pop_back();
    where[key] = to.size();
    to.push_back(key);
  };
  w.mix.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t roll = splitmix64(state) % 10;
    if (roll < 3 && !missing.empty()) {
      const std::uint64_t key = missing[splitmix64(state) % missing.size()];
      w.mix.push_back({MapOp::Kind::insert, key});
      move_key(missing, present, key);
      is_present.insert(key);
    } else {
      const std::uint64_t key = universe[splitmix64(state) % universe.size()];
      const bool hit = is_present.count(key) != 0;
      if (roll < 6) {
        w.mix.push_back({MapOp::Kind::remove, key});
        if (hit) {
          move_key(present, missing, key);
          is_present.erase(key);
        }
      } else {
        w.mix.push_back({MapOp::Kind::lookup, key});
      }
      if (hit) ++w.mix_hits;
    }
  }
  w.after_mix = present;
  std::sort(w.after_mix.begin(), w.after_mix.end());
  w.remove_order = w.after_mix;
  for (std::size_t i = w.remove_order.size(); i > 1; --i) {
    std::swap(w.remove_order[i - 1], w.remove_order[splitmix64(state) % i]);
  }
  return w;
}

}  // namespace harness
