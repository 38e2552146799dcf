// The B-tree operations of btree.pschema, written against the generated
// API the way a user would, with the algorithm of PMDK's btree_map example:
// insertion walks down from the root and splits every full node it meets
// (so a parent always has room for the median), then inserts into a leaf;
// removal deletes from a leaf, or replaces an inner item with the leftmost
// item of its right subtree, and repairs a node left with fewer than 3
// items by borrowing through the parent from the right sibling, else the
// left one, else by merging with a sibling (the root shrinks when it
// empties). A node's items and children are vecs, so shifting them is one
// vec insert or erase (one logged range); children move between boxes
// with take()/set().
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "btree.pschema.h"

using btreebench::Btree;

namespace {

using Node = btreebench::Node;

constexpr std::size_t max_items = 7;  // order 8
constexpr std::size_t min_items = 3;  // order / 2 - 1

struct Pair {
  std::uint64_t key;
  std::uint64_t value;
};

std::size_t count_of(Node::View node) { return node.items().size(); }
bool is_leaf(Node::View node) { return node.children().empty(); }
Pair item_at(Node::View node, std::size_t i) {
  const btreebench::Item::View item = node.items()[i];
  return {item.key(), item.value()};
}
bool same(Btree::Tx& tx, Node::Mut a, Node::Mut b) { return tx.handle<Node>(a) == tx.handle<Node>(b); }

void insert_item(Node::Mut node, std::size_t p, Pair item) {
  btreebench::Item::Mut fresh = node.items().insert(p);  // the shift is logged; the new element is not
  fresh.set_key(item.key);
  fresh.set_value(item.value);
}

void set_item(Node::Mut node, std::size_t p, Pair item) {
  btreebench::Item::Mut target = node.items()[p];
  target.set_key(item.key);
  target.set_value(item.value);
}

// The first index whose key is greater than `key` (or the count).
std::size_t position(Node::View node, std::uint64_t key) {
  const auto items = node.items();
  std::size_t i = 0;
  while (i < items.size() && items[i].key() <= key) ++i;
  return i;
}

// Splits the full `node` (7 items): items 4..6 and children 4..7 go to a
// new right node; item 3 (the median) is returned.
pschema::Owned<Node> split(Btree::Tx& tx, Node::Mut node, Pair& median) {
  constexpr std::size_t c = (max_items + 1) / 2;  // 4
  median = item_at(node, c - 1);
  pschema::Owned<Node> right = tx.make<Node>();  // new: its writes are not logged
  for (std::size_t i = c; i < max_items; ++i) insert_item(*right, i - c, item_at(node, i));
  if (!is_leaf(node)) {
    auto children = node.children();
    for (std::size_t i = c; i <= max_items; ++i) right->children().emplace_back().set(children[i].take());
    children.resize(c);
  }
  node.items().resize(c - 1);
  return right;
}

// The separator at p of `parent` moves down to the end of `node` (child p),
// the right sibling's first item moves up, its first child over to `node`.
void rotate_from_right(Node::Mut right, Node::Mut node, Node::Mut parent, std::size_t p) {
  insert_item(node, count_of(node), item_at(parent, p));
  set_item(parent, p, item_at(right, 0));
  if (!is_leaf(node)) {
    node.children().emplace_back().set(right.children()[0].take());
    right.children().erase(0);
  }
  right.items().erase(0);
}

// The separator at p-1 of `parent` moves down to the front of `node`
// (child p), the left sibling's last item moves up, its last child over.
void rotate_from_left(Node::Mut left, Node::Mut node, Node::Mut parent, std::size_t p) {
  const std::size_t ln = count_of(left);
  insert_item(node, 0, item_at(parent, p - 1));
  set_item(parent, p - 1, item_at(left, ln - 1));
  if (!is_leaf(node)) {
    node.children().insert(0).set(left.children()[ln].take());
    left.children().pop_back();
  }
  left.items().pop_back();
}

// Merges `right` (child p+1 of `parent`) and the separator at p into
// `node` (child p), frees `right`, and shrinks the tree if the root empties.
void merge(Btree::Tx& tx, btreebench::Tree::Mut tree, Node::Mut right, Node::Mut node, Node::Mut parent,
           std::size_t p) {
  const std::size_t rn = count_of(right);
  insert_item(node, count_of(node), item_at(parent, p));
  for (std::size_t i = 0; i < rn; ++i) insert_item(node, count_of(node), item_at(right, i));
  if (!is_leaf(node)) {
    for (std::size_t j = 0; j <= rn; ++j) node.children().emplace_back().set(right.children()[j].take());
  }
  pschema::Owned<Node> gone = parent.children()[p + 1].take();  // freed at commit
  parent.children().erase(p + 1);
  parent.items().erase(p);
  if (parent.items().empty() && same(tx, parent, *tree.root().get())) {
    tree.root().set(parent.children()[0].take());  // the old root is freed at commit
  }
}

// `node`, child p of `parent`, has fewer than min_items items.
void rebalance(Btree::Tx& tx, btreebench::Tree::Mut tree, Node::Mut node, Node::Mut parent, std::size_t p) {
  const std::optional<Node::Mut> right =
      p >= count_of(parent) ? std::nullopt : parent.children()[p + 1].get();
  const std::optional<Node::Mut> left = p == 0 ? std::nullopt : parent.children()[p - 1].get();
  if (right && count_of(*right) > min_items) {
    rotate_from_right(*right, node, parent, p);
  } else if (left && count_of(*left) > min_items) {
    rotate_from_left(*left, node, parent, p);
  } else if (!right) {
    if (!left) throw std::logic_error("btree: a node without siblings");
    merge(tx, tree, node, *left, parent, p - 1);
  } else {
    merge(tx, tree, *right, node, parent, p);
  }
}

void remove_at(Btree::Tx& tx, btreebench::Tree::Mut tree, Node::Mut node, std::size_t p) {
  if (is_leaf(node)) {
    node.items().erase(p);
    return;
  }
  // An inner item: replace it with its successor, the leftmost item of the
  // right subtree, and remove that one from its leaf.
  Node::Mut leaf_parent = node;
  bool parent_is_node = true;
  Node::Mut leaf = *node.children()[p + 1].get();
  while (!is_leaf(leaf)) {
    leaf_parent = leaf;
    parent_is_node = false;
    leaf = *leaf.children()[0].get();
  }
  set_item(node, p, item_at(leaf, 0));
  leaf.items().erase(0);
  if (count_of(leaf) < min_items) rebalance(tx, tree, leaf, leaf_parent, parent_is_node ? p + 1 : 0);
}

bool remove_below(Btree::Tx& tx, btreebench::Tree::Mut tree, Node::Mut node, std::optional<Node::Mut> parent,
                  std::uint64_t key, std::size_t p) {
  bool removed = false;
  const std::size_t n = count_of(node);
  for (std::size_t i = 0; i <= n; ++i) {
    const std::uint64_t here = i == n ? 0 : node.items()[i].key();
    if (i != n && here == key) {
      remove_at(tx, tree, node, i);
      removed = true;
      break;
    }
    if ((i == n || here > key) && !is_leaf(node)) {
      removed = remove_below(tx, tree, *node.children()[i].get(), node, key, i);
      break;
    }
  }
  if (parent && count_of(node) < min_items) rebalance(tx, tree, node, *parent, p);
  return removed;
}

}  // namespace

void Btree::Ops::insert(Tx& tx, std::uint64_t key, std::uint64_t value) {
  btreebench::Tree::Mut tree = tx.root();
  std::optional<Node::Mut> root = tree.root().get();
  if (!root || count_of(*root) == 0) {
    insert_item(tree.root().emplace(), 0, {key, value});
    return;
  }
  Node::Mut node = *root;
  std::optional<Node::Mut> parent;
  std::size_t p = 0;  // node's index in parent
  for (;;) {
    if (count_of(node) == max_items) {
      Pair median{};
      pschema::Owned<Node> right = split(tx, node, median);
      if (parent) {
        parent->children().insert(p + 1).set(std::move(right));
        insert_item(*parent, p, median);
        if (key > median.key) node = *parent->children()[p + 1].get();
      } else {  // the root splits: the tree grows a level
        pschema::Owned<Node> up = tx.make<Node>();
        up->children().emplace_back().set(tree.root().take());
        up->children().emplace_back().set(std::move(right));
        insert_item(*up, 0, median);
        tree.root().set(std::move(up));
        node = *tree.root().get();
      }
    }
    p = position(node, key);
    if (is_leaf(node)) {
      insert_item(node, p, {key, value});
      return;
    }
    parent = node;
    node = *node.children()[p].get();
  }
}

std::optional<std::uint64_t> Btree::Ops::get(const Snapshot& snapshot, std::uint64_t key) {
  std::optional<Node::View> node = snapshot.root().root();
  while (node) {
    const auto items = node->items();
    std::size_t i = 0;
    while (i < items.size() && items[i].key() < key) ++i;
    if (i < items.size() && items[i].key() == key) return items[i].value();
    if (is_leaf(*node)) return std::nullopt;
    node = node->children()[i];
  }
  return std::nullopt;
}

bool Btree::Ops::remove(Tx& tx, std::uint64_t key) {
  btreebench::Tree::Mut tree = tx.root();
  std::optional<Node::Mut> root = tree.root().get();
  if (!root) return false;
  return remove_below(tx, tree, *root, std::nullopt, key, 0);
}

std::uint64_t Btree::Ops::count(const Snapshot& snapshot) {
  std::uint64_t total = 0;
  std::vector<Node::View> stack;
  if (std::optional<Node::View> root = snapshot.root().root()) stack.push_back(*root);
  while (!stack.empty()) {
    const Node::View node = stack.back();
    stack.pop_back();
    total += count_of(node);
    for (std::optional<Node::View> child : node.children()) {
      if (child) stack.push_back(*child);
    }
  }
  return total;
}
