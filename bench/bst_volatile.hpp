// The BST workload's DRAM baseline: the same unbalanced binary search tree
// with std::unique_ptr links and std::string values, nothing persistent.
// It shows what the algorithm itself costs, without any durability.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

class VolatileBst {
 public:
  VolatileBst() = default;
  VolatileBst(const VolatileBst&) = delete;
  VolatileBst& operator=(const VolatileBst&) = delete;
  ~VolatileBst();

  // Inserts `key`, or replaces its value.
  void insert(std::int64_t key, std::string_view value);
  std::optional<std::string> lookup(std::int64_t key) const;
  std::uint64_t count() const { return size_; }

  // Calls visit(key, value) for every key in ascending order until it returns false.
  template <class Visit>
  void for_each(Visit&& visit) const;

 private:
  struct Node {
    std::int64_t key = 0;
    std::string value;
    std::unique_ptr<Node> left;
    std::unique_ptr<Node> right;
  };

  std::unique_ptr<Node> root_;
  std::uint64_t size_ = 0;
};

template <class Visit>
void VolatileBst::for_each(Visit&& visit) const {
  // Iterative: a sequential-key tree is a chain as deep as it is long.
  std::vector<const Node*> stack;
  const Node* node = root_.get();
  while (node != nullptr || !stack.empty()) {
    if (node != nullptr) {
      stack.push_back(node);
      node = node->left.get();
    } else {
      node = stack.back();
      stack.pop_back();
      if (!visit(node->key, std::string_view(node->value))) return;
      node = node->right.get();
    }
  }
}

}  // namespace harness
