#include "bst_volatile.hpp"

#include <utility>

namespace harness {

VolatileBst::~VolatileBst() {
  // Unlink the nodes one by one: recursive unique_ptr destruction of a
  // 30,000-node chain could overflow the stack.
  std::vector<std::unique_ptr<Node>> pending;
  if (root_) pending.push_back(std::move(root_));
  while (!pending.empty()) {
    std::unique_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    if (node->left) pending.push_back(std::move(node->left));
    if (node->right) pending.push_back(std::move(node->right));
  }
}

void VolatileBst::insert(std::int64_t key, std::string_view value) {
  std::unique_ptr<Node>* link = &root_;
  while (Node* node = link->get()) {
    if (key == node->key) {
      node->value.assign(value);
      return;
    }
    link = key < node->key ? &node->left : &node->right;
  }
  auto fresh = std::make_unique<Node>();
  fresh->key = key;
  fresh->value.assign(value);
  *link = std::move(fresh);
  ++size_;
}

std::optional<std::string> VolatileBst::lookup(std::int64_t key) const {
  const Node* node = root_.get();
  while (node != nullptr) {
    if (key == node->key) return node->value;
    node = key < node->key ? node->left.get() : node->right.get();
  }
  return std::nullopt;
}

}  // namespace harness
