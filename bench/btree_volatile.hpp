// The B-tree baseline in DRAM: the same order-8 B-tree as
// btree_pschema.cpp (split on the way down; borrow or merge on removal),
// with std::unique_ptr children, nothing durable: what the algorithm
// itself costs.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace harness {

class VolatileBtree {
 public:
  void insert(std::uint64_t key, std::uint64_t value);  // no duplicate check
  std::optional<std::uint64_t> get(std::uint64_t key) const;
  bool remove(std::uint64_t key);
  std::uint64_t count() const;
  void for_each(const std::function<void(std::uint64_t, std::uint64_t)>& visit) const;

 private:
  static constexpr unsigned max_items = 7;
  static constexpr unsigned min_items = 3;
  struct Node {
    unsigned n = 0;
    std::array<std::uint64_t, max_items> keys{};
    std::array<std::uint64_t, max_items> values{};
    std::array<std::unique_ptr<Node>, max_items + 1> children;
    bool leaf() const { return !children[0]; }
  };
  static void insert_item(Node& node, unsigned p, std::uint64_t key, std::uint64_t value);
  static void erase_item(Node& node, unsigned p);
  void rebalance(Node& node, Node& parent, unsigned p);
  void merge(Node& node, Node& parent, unsigned p);  // child p+1 of parent into child p
  void remove_at(Node& node, unsigned p);
  bool remove_below(Node& node, Node* parent, std::uint64_t key, unsigned p);

  std::unique_ptr<Node> root_;
};

}  // namespace harness
