// Corundum's sorted linked list (Table 2 of the paper): the operations of
// sorted_list.pschema, written against the generated API. Insertion walks
// `box<Node>?` links and splices a new node in; everything it changes is
// logged by the generated setters. Shared by the tests and the crash
// simulator's workload.
#include <string>

#include "sorted_list.pschema.h"

using list::List;

void List::Ops::insert(Tx& tx, std::int64_t value) {
  list::Head::Mut head = tx.root();
  pschema::OptionalBoxMut<list::Node> link = head.first();
  // Find the first link whose node is not smaller than `value`.
  while (auto node = link.get()) {
    if (node->value() >= value) break;
    pschema::rebind(link, node->next());
  }
  pschema::Owned<list::Node> fresh = tx.make<list::Node>();
  fresh->set_value(value);
  fresh->next().set(link.take());  // the rest of the list moves behind the new node
  link.set(std::move(fresh));
  head.set_length(head.length() + 1);
}

bool List::Ops::remove(Tx& tx, std::int64_t value) {
  list::Head::Mut head = tx.root();
  pschema::OptionalBoxMut<list::Node> link = head.first();
  while (auto node = link.get()) {
    if (node->value() == value) {
      pschema::Owned<list::Node> gone = link.take();
      link.set(gone->next().take());
      head.set_length(head.length() - 1);
      return true;  // `gone` is freed when the transaction commits
    }
    pschema::rebind(link, node->next());
  }
  return false;
}

bool List::Ops::contains(const Snapshot& snapshot, std::int64_t value) {
  for (auto node = snapshot.root().first(); node; pschema::rebind(node, node->next())) {
    if (node->value() == value) return true;
  }
  return false;
}

std::string List::Ops::values(const Snapshot& snapshot) {
  std::string out;
  for (auto node = snapshot.root().first(); node; pschema::rebind(node, node->next())) {
    out += (out.empty() ? "" : " ") + std::to_string(node->value());
  }
  return out;
}
