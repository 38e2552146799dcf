#include "btree_volatile.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

namespace harness {

void VolatileBtree::insert_item(Node& node, unsigned p, std::uint64_t key, std::uint64_t value) {
  for (unsigned i = node.n; i > p; --i) {
    node.keys[i] = node.keys[i - 1];
    node.values[i] = node.values[i - 1];
  }
  node.keys[p] = key;
  node.values[p] = value;
  ++node.n;
}

void VolatileBtree::erase_item(Node& node, unsigned p) {
  for (unsigned i = p; i + 1 < node.n; ++i) {
    node.keys[i] = node.keys[i + 1];
    node.values[i] = node.values[i + 1];
  }
  --node.n;
  node.keys[node.n] = 0;
  node.values[node.n] = 0;
}

void VolatileBtree::insert(std::uint64_t key, std::uint64_t value) {
  if (!root_ || root_->n == 0) {
    root_ = std::make_unique<Node>();
    insert_item(*root_, 0, key, value);
    return;
  }
  Node* node = root_.get();
  Node* parent = nullptr;
  unsigned p = 0;
  for (;;) {
    if (node->n == max_items) {
      constexpr unsigned c = (max_items + 1) / 2;
      auto right = std::make_unique<Node>();
      const std::uint64_t mk = node->keys[c - 1];
      const std::uint64_t mv = node->values[c - 1];
      for (unsigned i = c; i < max_items; ++i) {
        right->keys[i - c] = node->keys[i];
        right->values[i - c] = node->values[i];
      }
      for (unsigned i = c - 1; i < max_items; ++i) node->keys[i] = node->values[i] = 0;
      for (unsigned i = c; i <= max_items; ++i) right->children[i - c] = std::move(node->children[i]);
      right->n = max_items - c;
      node->n = c - 1;
      if (parent) {
        for (unsigned j = parent->n; j > p; --j) parent->children[j + 1] = std::move(parent->children[j]);
        parent->children[p + 1] = std::move(right);
        insert_item(*parent, p, mk, mv);
        if (key > mk) node = parent->children[p + 1].get();
      } else {
        auto up = std::make_unique<Node>();
        up->children[0] = std::move(root_);
        up->children[1] = std::move(right);
        insert_item(*up, 0, mk, mv);
        root_ = std::move(up);
        node = root_.get();
      }
    }
    p = 0;
    while (p < node->n && node->keys[p] <= key) ++p;
    Node* child = node->children[p].get();
    if (!child) {
      insert_item(*node, p, key, value);
      return;
    }
    parent = node;
    node = child;
  }
}

std::optional<std::uint64_t> VolatileBtree::get(std::uint64_t key) const {
  for (const Node* node = root_.get(); node != nullptr;) {
    unsigned i = 0;
    while (i < node->n && node->keys[i] < key) ++i;
    if (i < node->n && node->keys[i] == key) return node->values[i];
    node = node->children[i].get();
  }
  return std::nullopt;
}

void VolatileBtree::merge(Node& node, Node& parent, unsigned p) {
  std::unique_ptr<Node> right = std::move(parent.children[p + 1]);
  const unsigned n = node.n;
  node.keys[n] = parent.keys[p];
  node.values[n] = parent.values[p];
  for (unsigned i = 0; i < right->n; ++i) {
    node.keys[n + 1 + i] = right->keys[i];
    node.values[n + 1 + i] = right->values[i];
  }
  for (unsigned j = 0; j <= right->n; ++j) node.children[n + 1 + j] = std::move(right->children[j]);
  node.n = n + 1 + right->n;
  const unsigned pn = parent.n;
  erase_item(parent, p);
  for (unsigned j = p + 1; j < pn; ++j) parent.children[j] = std::move(parent.children[j + 1]);
  if (parent.n == 0 && &parent == root_.get()) root_ = std::move(parent.children[0]);
}

void VolatileBtree::rebalance(Node& node, Node& parent, unsigned p) {
  Node* right = p >= parent.n ? nullptr : parent.children[p + 1].get();
  Node* left = p == 0 ? nullptr : parent.children[p - 1].get();
  if (right && right->n > min_items) {
    insert_item(node, node.n, parent.keys[p], parent.values[p]);
    parent.keys[p] = right->keys[0];
    parent.values[p] = right->values[0];
    node.children[node.n] = std::move(right->children[0]);
    const unsigned rn = right->n;
    erase_item(*right, 0);
    for (unsigned j = 0; j < rn; ++j) right->children[j] = std::move(right->children[j + 1]);
  } else if (left && left->n > min_items) {
    const unsigned ln = left->n;
    insert_item(node, 0, parent.keys[p - 1], parent.values[p - 1]);
    parent.keys[p - 1] = left->keys[ln - 1];
    parent.values[p - 1] = left->values[ln - 1];
    for (unsigned j = node.n; j > 0; --j) node.children[j] = std::move(node.children[j - 1]);
    node.children[0] = std::move(left->children[ln]);
    left->n = ln - 1;
  } else if (!right) {
    if (!left) throw std::logic_error("btree: a node without siblings");
    merge(*left, parent, p - 1);
  } else {
    merge(node, parent, p);
  }
}

void VolatileBtree::remove_at(Node& node, unsigned p) {
  if (node.leaf()) {
    erase_item(node, p);
    return;
  }
  Node* leaf_parent = &node;
  Node* leaf = node.children[p + 1].get();
  while (!leaf->leaf()) {
    leaf_parent = leaf;
    leaf = leaf->children[0].get();
  }
  node.keys[p] = leaf->keys[0];
  node.values[p] = leaf->values[0];
  erase_item(*leaf, 0);
  if (leaf->n < min_items) rebalance(*leaf, *leaf_parent, leaf_parent == &node ? p + 1 : 0);
}

bool VolatileBtree::remove_below(Node& node, Node* parent, std::uint64_t key, unsigned p) {
  bool removed = false;
  for (unsigned i = 0; i <= node.n; ++i) {
    if (i != node.n && node.keys[i] == key) {
      remove_at(node, i);
      removed = true;
      break;
    }
    if ((i == node.n || node.keys[i] > key) && node.children[i]) {
      removed = remove_below(*node.children[i], &node, key, i);
      break;
    }
  }
  if (parent && node.n < min_items) rebalance(node, *parent, p);
  return removed;
}

bool VolatileBtree::remove(std::uint64_t key) { return root_ && remove_below(*root_, nullptr, key, 0); }

std::uint64_t VolatileBtree::count() const {
  std::uint64_t total = 0;
  for_each([&](std::uint64_t, std::uint64_t) { ++total; });
  return total;
}

void VolatileBtree::for_each(const std::function<void(std::uint64_t, std::uint64_t)>& visit) const {
  std::vector<const Node*> stack;
  if (root_) stack.push_back(root_.get());
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    for (unsigned i = 0; i < node->n; ++i) visit(node->keys[i], node->values[i]);
    for (unsigned i = 0; i <= node->n; ++i) {
      if (node->children[i]) stack.push_back(node->children[i].get());
    }
  }
}

}  // namespace harness
