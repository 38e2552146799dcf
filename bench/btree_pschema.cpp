// The B-tree operations of btree.pschema, written against the generated
// API the way a user would, with the algorithm of PMDK's btree_map example
// step by step: insertion walks down from the root and splits every full
// node it meets (so a parent always has room for the median), then inserts
// into a leaf; removal deletes from a leaf, or replaces an inner item with
// the leftmost item of its right subtree, and repairs a node left with
// fewer than 3 items by borrowing through the parent from the right
// sibling, else the left one, else by merging with a sibling (the root
// shrinks when it empties).
//
// Where the example snapshots a whole node (TX_ADD) before shifting its
// arrays, this code logs it whole: one journal entry, after which the
// element writes cost nothing more; where several nodes change together
// (split, rotation, merge), pschema::log_whole(a, b, c) logs them behind
// one fence, where the example drains once per TX_ADD. Children move between slots with
// take()/set(), which keeps every object owned by exactly one box.
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
using Item = btreebench::Item;

constexpr std::size_t max_items = 7;  // order 8
constexpr std::size_t min_items = 3;  // order / 2 - 1

std::size_t count_of(Node::View node) { return static_cast<std::size_t>(node.n()); }
// Like the example: a node is a leaf when its first slot is empty.
bool is_leaf(Node::View node) { return !node.children()[0].has_value(); }
Item::Value item_at(Node::View node, std::size_t i) { return node.items()[i].to_value(); }
Node::Mut child(Node::Mut node, std::size_t i) { return node.children()[i].value(); }
bool same(Btree::Tx& tx, Node::Mut a, Node::Mut b) { return tx.handle<Node>(a) == tx.handle<Node>(b); }

// Moves items [from, n) of `node` one place right (the node is logged whole).
void shift_items_right(Node::Mut node, std::size_t from) {
  auto items = node.items();
  for (std::size_t i = count_of(node); i > from; --i) items[i].assign(item_at(node, i - 1));
}
// Moves items [from + 1, n) of `node` one place left, over item `from`.
void shift_items_left(Node::Mut node, std::size_t from) {
  auto items = node.items();
  for (std::size_t i = from; i + 1 < count_of(node); ++i) items[i].assign(item_at(node, i + 1));
}
// Moves children [from, last] one slot right (slot last + 1 must be empty).
void shift_children_right(Node::Mut node, std::size_t from, std::size_t last) {
  auto children = node.children();
  for (std::size_t i = last + 1; i > from; --i) children[i].set(children[i - 1].take());
}
// Moves children [from + 1, last] one slot left (slot `from` must be empty).
void shift_children_left(Node::Mut node, std::size_t from, std::size_t last) {
  auto children = node.children();
  for (std::size_t i = from; i < last; ++i) children[i].set(children[i + 1].take());
}

// btree_map_insert_item.
void insert_item(Node::Mut node, std::size_t p, const Item::Value& item) {
  node.log_whole();
  shift_items_right(node, p);
  node.items()[p].assign(item);
  node.set_n(node.n() + 1);
}

// btree_map_insert_node: `item` goes in at p of `parent`, with `right` as
// the child after it (the child before it, the node that split, is in place).
void insert_node(Node::Mut parent, std::size_t p, const Item::Value& item, pschema::Owned<Node> right) {
  parent.log_whole();
  shift_children_right(parent, p + 1, count_of(parent));
  parent.children()[p + 1].set(std::move(right));
  insert_item(parent, p, item);
}

// btree_map_create_split_node: items 4..6 and children 4..7 of the full
// `node` go to `right`, a new node; item 3 (the median) is returned.
Item::Value split(Node::Mut node, Node::Mut right) {
  constexpr std::size_t c = (max_items + 1) / 2;  // 4
  const Item::Value median = item_at(node, c - 1);
  node.log_whole();
  for (std::size_t i = c; i <= max_items; ++i) {
    if (i != max_items) right.items()[i - c].assign(item_at(node, i));
    right.children()[i - c].set(node.children()[i].take());
  }
  right.set_n(max_items - c);
  node.set_n(c - 1);
  return median;
}

// btree_map_rotate_right: the separator at p of `parent` moves down to the
// end of `node` (child p), the right sibling's first item moves up, its
// first child over to `node`.
void rotate_from_right(Node::Mut right, Node::Mut node, Node::Mut parent, std::size_t p) {
  pschema::log_whole(node, right, parent.items()[p]);  // what changes: one fence
  insert_item(node, count_of(node), item_at(parent, p));
  parent.items()[p].assign(item_at(right, 0));
  node.children()[count_of(node)].set(right.children()[0].take());
  shift_items_left(right, 0);
  shift_children_left(right, 0, count_of(right));
  right.set_n(right.n() - 1);
}

// btree_map_rotate_left: the separator at p-1 of `parent` moves down to the
// front of `node` (child p), the left sibling's last item moves up, its
// last child over.
void rotate_from_left(Node::Mut left, Node::Mut node, Node::Mut parent, std::size_t p) {
  const std::size_t ln = count_of(left);
  pschema::log_whole(node, left, parent.items()[p - 1]);
  insert_item(node, 0, item_at(parent, p - 1));
  parent.items()[p - 1].assign(item_at(left, ln - 1));
  shift_children_right(node, 0, count_of(node) - 1);
  node.children()[0].set(left.children()[ln].take());
  left.set_n(ln - 1);
}

// btree_map_merge: `right` (child p+1 of `parent`) and the separator at p
// move into `node` (child p); `right` is freed, and the tree shrinks if the
// root empties.
void merge(Btree::Tx& tx, btreebench::Tree::Mut tree, Node::Mut right, Node::Mut node, Node::Mut parent,
           std::size_t p) {
  const std::size_t rn = count_of(right);
  // `right` too: its children are taken out before it is freed.
  pschema::log_whole(node, right, parent);
  std::size_t n = count_of(node);
  node.items()[n++].assign(item_at(parent, p));
  for (std::size_t i = 0; i < rn; ++i) node.items()[n + i].assign(item_at(right, i));
  for (std::size_t i = 0; i <= rn; ++i) node.children()[n + i].set(right.children()[i].take());
  node.set_n(n + rn);

  pschema::Owned<Node> gone = parent.children()[p + 1].take();  // freed at commit
  shift_items_left(parent, p);
  shift_children_left(parent, p + 1, count_of(parent));
  parent.set_n(parent.n() - 1);
  if (count_of(parent) == 0 && same(tx, parent, tree.root().value())) {
    tree.root().set(parent.children()[0].take());  // the old root is freed at commit
  }
}

// The children of `parent` left and right of child p, where there are.
std::pair<std::optional<Node::Mut>, std::optional<Node::Mut>> siblings(Node::Mut parent, std::size_t p) {
  return {p == 0 ? std::nullopt : parent.children()[p - 1].get(),
          p >= count_of(parent) ? std::nullopt : parent.children()[p + 1].get()};
}

// When child p of `parent`, `node`, is about to run short, logs now, with
// `also` and behind one fence, what rebalance() below will change: `node`,
// the sibling it borrows from and the one separator that moves (a
// rotation), or the sibling and the whole parent (a merge).
template <class... Also>
void log_repair(Node::Mut node, Node::Mut parent, std::size_t p, const Also&... also) {
  const auto [left, right] = siblings(parent, p);
  if (right && count_of(*right) > min_items) {
    pschema::log_whole(node, *right, parent.items()[p], also...);
  } else if (left && count_of(*left) > min_items) {
    pschema::log_whole(node, *left, parent.items()[p - 1], also...);
  } else if (right || left) {
    pschema::log_whole(node, right ? *right : *left, parent, also...);
  }
}

// btree_map_rebalance: `node`, child p of `parent`, has fewer than min_items items.
void rebalance(Btree::Tx& tx, btreebench::Tree::Mut tree, Node::Mut node, Node::Mut parent, std::size_t p) {
  const auto [left, right] = siblings(parent, p);
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

// btree_map_remove_from_node.
void remove_from_node(Btree::Tx& tx, btreebench::Tree::Mut tree, Node::Mut node, std::size_t p) {
  if (is_leaf(node)) {
    node.log_whole();
    shift_items_left(node, p);
    node.set_n(node.n() - 1);
    return;
  }
  // An inner item: replace it with its successor, the leftmost item of the
  // right subtree, and remove that one from its leaf.
  Node::Mut leaf_parent = node;
  bool parent_is_node = true;
  Node::Mut leaf = child(node, p + 1);
  while (!is_leaf(leaf)) {
    pschema::rebind(leaf_parent, leaf);
    parent_is_node = false;
    pschema::rebind(leaf, child(leaf, 0));
  }
  const std::size_t leaf_index = parent_is_node ? p + 1 : 0;
  if (count_of(leaf) == min_items) {
    // The leaf will run short: log what its repair changes now, behind the
    // same fence (the example snapshots each node as it goes).
    log_repair(leaf, leaf_parent, leaf_index, node);
  } else {
    pschema::log_whole(node, leaf);
  }
  node.items()[p].assign(item_at(leaf, 0));
  remove_from_node(tx, tree, leaf, 0);
  if (count_of(leaf) < min_items) rebalance(tx, tree, leaf, leaf_parent, leaf_index);
}

// btree_map_remove_item.
bool remove_below(Btree::Tx& tx, btreebench::Tree::Mut tree, Node::Mut node, std::optional<Node::Mut> parent,
                  std::uint64_t key, std::size_t p) {
  bool removed = false;
  const std::size_t n = count_of(node);
  for (std::size_t i = 0; i <= n; ++i) {
    if (i != n && node.items()[i].key() == key) {
      if (parent && is_leaf(node) && n == min_items) {
        // The leaf will run short: log it with the nodes its repair changes.
        log_repair(node, *parent, p);
      }
      remove_from_node(tx, tree, node, i);
      removed = true;
      break;
    }
    if ((i == n || node.items()[i].key() > key) && !is_leaf(node)) {
      removed = remove_below(tx, tree, child(node, i), node, key, i);
      break;
    }
  }
  if (parent && count_of(node) < min_items) rebalance(tx, tree, node, *parent, p);
  return removed;
}

}  // namespace

void Btree::Ops::insert(Tx& tx, std::uint64_t key, std::uint64_t value) {
  btreebench::Tree::Mut tree = tx.root();
  const Item::Value item{key, value};
  std::optional<Node::Mut> root = tree.root().get();
  if (!root || count_of(*root) == 0) {
    insert_item(tree.root().emplace(), 0, item);
    return;
  }
  // btree_map_find_dest_node, as a loop.
  Node::Mut node = *root;
  std::optional<Node::Mut> parent;
  std::size_t p = 0;  // node's index in parent
  for (;;) {
    if (count_of(node) == max_items) {
      // New nodes first, so that the one fence logging the changed nodes
      // also covers the allocations.
      pschema::Owned<Node> right = tx.make<Node>();  // new: its writes are not logged
      pschema::Owned<Node> up = parent ? pschema::Owned<Node>() : tx.make<Node>();
      if (parent) {
        pschema::log_whole(node, *parent);  // both change: one fence
      } else {
        pschema::log_whole(node, tree);
      }
      const Item::Value median = split(node, *right);
      if (parent) {
        insert_node(*parent, p, median, std::move(right));
        if (key > median.key) pschema::rebind(node, child(*parent, p + 1));
      } else {  // the root splits: the tree grows a level
        up->items()[0].assign(median);
        up->set_n(1);
        up->children()[0].set(tree.root().take());
        up->children()[1].set(std::move(right));
        tree.root().set(std::move(up));
        pschema::rebind(node, tree.root().value());
      }
    }
    const std::size_t n = count_of(node);
    std::size_t i = 0;
    while (i < n && node.items()[i].key() <= key) ++i;
    p = i;
    if (is_leaf(node)) {
      insert_item(node, p, item);
      return;
    }
    pschema::rebind(parent, node);
    pschema::rebind(node, child(node, p));
  }
}

std::optional<std::uint64_t> Btree::Ops::get(const Snapshot& snapshot, std::uint64_t key) {
  std::optional<Node::View> node = snapshot.root().root();
  while (node) {
    const std::size_t n = count_of(*node);
    const auto items = node->items();
    std::size_t i = 0;
    while (i < n && items[i].key() < key) ++i;
    if (i < n && items[i].key() == key) return items[i].value();
    pschema::rebind(node, node->children()[i]);
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
    const std::size_t n = count_of(node);
    total += n;
    for (std::size_t i = 0; i <= n && i < max_items + 1; ++i) {
      if (std::optional<Node::View> next = node.children()[i]) stack.push_back(*next);
    }
  }
  return total;
}
