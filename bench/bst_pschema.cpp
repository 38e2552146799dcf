// The BST operations of bst.pschema, written against the generated API the
// way a user would: walk `box<Node>?` links, make the new node and put it in
// the empty link. Every store goes through a generated setter (logged); the
// new node's own fields are not logged, since the transaction made it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "bst.pschema.h"

using bench::Bst;

void Bst::Ops::insert(Tx& tx, std::int64_t key, std::string_view value) {
  bench::Tree::Mut tree = tx.root();
  pschema::OptionalBoxMut<bench::Node> link = tree.root();
  std::optional<bench::Node::Mut> parent;  // the node holding `link`, if not the tree
  while (auto node = link.get()) {
    const std::int64_t here = node->key();
    if (key == here) {
      node->set_value(value);  // an existing key: replace its value
      return;
    }
    pschema::rebind(parent, node);
    pschema::rebind(link, key < here ? node->left() : node->right());
  }
  pschema::Owned<bench::Node> fresh = tx.make<bench::Node>();  // new: its writes are not logged
  fresh->set_key(key);
  fresh->set_value(value);
  // The link and the size change: log both objects behind one fence (which
  // also covers the allocation), instead of one fence per field.
  if (parent) {
    pschema::log_whole(tree, *parent);
  } else {
    tree.log_whole();
  }
  link.set(std::move(fresh));
  tree.set_size(tree.size() + 1);
}

std::optional<std::string> Bst::Ops::lookup(const Snapshot& snapshot, std::int64_t key) {
  std::optional<bench::Node::View> node = snapshot.root().root();
  while (node) {
    const std::int64_t here = node->key();
    if (key == here) return std::string(node->value());
    pschema::rebind(node, key < here ? node->left() : node->right());
  }
  return std::nullopt;
}

std::uint64_t Bst::Ops::count(const Snapshot& snapshot) { return snapshot.root().size(); }
