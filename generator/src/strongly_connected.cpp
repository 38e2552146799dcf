#include "strongly_connected.hpp"

#include <algorithm>
#include <limits>

namespace pschema::gen {

std::vector<bool> nodes_on_cycles(const std::vector<std::vector<std::size_t>>& successors) {
  constexpr std::size_t unvisited = std::numeric_limits<std::size_t>::max();
  const std::size_t n = successors.size();
  std::vector<std::size_t> index(n, unvisited), low(n, 0);
  std::vector<bool> on_stack(n, false), on_cycle(n, false);
  std::vector<std::size_t> stack;  // Tarjan's stack of nodes of unfinished components
  std::size_t counter = 0;
  struct Frame {
    std::size_t node;
    std::size_t next = 0;  // the next successor to look at
  };
  for (std::size_t start = 0; start < n; ++start) {
    if (index[start] != unvisited) continue;
    std::vector<Frame> frames;  // the depth-first path
    auto enter = [&](std::size_t node) {
      index[node] = low[node] = counter++;
      stack.push_back(node);
      on_stack[node] = true;
      frames.push_back({node});
    };
    enter(start);
    while (!frames.empty()) {
      Frame& top = frames.back();
      if (top.next < successors[top.node].size()) {
        const std::size_t next = successors[top.node][top.next++];
        if (next == top.node) on_cycle[next] = true;
        if (index[next] == unvisited) {
          enter(next);
        } else if (on_stack[next]) {
          low[top.node] = std::min(low[top.node], index[next]);
        }
        continue;
      }
      const std::size_t node = top.node;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().node] = std::min(low[frames.back().node], low[node]);
      if (low[node] == index[node]) {
        // `node` is the root of a component: everything above it on the stack.
        std::vector<std::size_t> component;
        std::size_t member = 0;
        do {
          member = stack.back();
          stack.pop_back();
          on_stack[member] = false;
          component.push_back(member);
        } while (member != node);
        if (component.size() > 1) {
          for (std::size_t m : component) on_cycle[m] = true;
        }
      }
    }
  }
  return on_cycle;
}

}  // namespace pschema::gen
