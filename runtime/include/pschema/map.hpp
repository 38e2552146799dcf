// `map<K, V>`: an ordered map, a B+-tree whose nodes are a few cache lines
// long. Keys: integers, enums, bool, `string`, `bytes`. Entries live in the
// leaves; inner nodes hold separator keys (copies, owned by the node) and
// child offsets. Erasing never merges nodes: a leaf that becomes empty is
// unlinked from its parent, so the tree stays valid and balanced in height
// (it only grows through splits at the root).
//
// What changes log: an insert logs the count and the entries it shifts in
// one leaf; a split writes a new node (nothing to log) and logs the old
// node's count and the parent's shifted separators; erase likewise. Each
// insert or erase first gathers every range it will write, splits and
// unlinks included, and logs them all behind one fence (LogBatch).
// Iterators, views and Muts of entries are invalidated by inserts and
// erases in the same transaction, as with std::vector.
//
// `map<K, mutex<T>>` (entries locked one by one in a concurrent pool): the
// map has a lock of its own (intention locking, docs/runtime.md 8.1).
// Looking entries up (size, find, iteration...) takes it shared, and an
// entry's lock() takes it shared too; inserting or erasing takes it
// exclusively, since that moves entries and their lock words. All are
// held until the transaction or read ends.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "pschema/detail/concurrency_checks.hpp"
#include "pschema/detail/map_nodes.hpp"
#include "pschema/detail/no_rebind.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/errors.hpp"
#include "pschema/log_batch.hpp"
#include "pschema/string.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"
#include "pschema/value.hpp"

namespace pschema {

struct MapRep {
  std::uint64_t root;  // offset of the root node, 0 when empty
  std::uint64_t size;
};
static_assert(sizeof(MapRep) == 16);

namespace detail {
// Values that are mutexes: the map guards them with a lock of its own.
template <class V>
concept locked_entries = requires { traits<V>::locks_with_container; };
}  // namespace detail

// A read-only or mutable position in a map; `*it` is a std::pair of the key
// and the value. Iteration walks the leaves in key order.
template <class K, class V, bool Mutable>
class MapIterator {
  using nodes = detail::MapNodes<K, V>;
  using key_arg = typename detail::map_key<K>::arg;

 public:
  using value_ref = std::conditional_t<Mutable, element_reference_t<V>, typename traits<V>::view>;
  using value_type = std::pair<key_arg, value_ref>;
  using difference_type = std::ptrdiff_t;
  using iterator_category = std::forward_iterator_tag;

  MapIterator() = default;

  value_type operator*() const {
    const auto* leaf = leaf_at(path_.back().first);
    const std::size_t i = path_.back().second;
    return {detail::map_key<K>::of(mapping(), &leaf->keys[i]), value_at(i)};
  }
  MapIterator& operator++() {
    ++path_.back().second;
    settle();
    return *this;
  }
  MapIterator operator++(int) {
    MapIterator copy = *this;
    ++*this;
    return copy;
  }
  friend bool operator==(const MapIterator& a, const MapIterator& b) {
    if (a.path_.empty() || b.path_.empty()) return a.path_.empty() == b.path_.empty();
    return a.path_.back() == b.path_.back();
  }

 private:
  template <class, class>
  friend class MapView;
  template <class, class>
  friend class MapMut;
  // A mutable iterator's reference goes stale when its map inserts or
  // erases (MapMut::marker): its next step or `*` throws stale_reference.
  using Context = std::conditional_t<Mutable, detail::TxRef, const Mapping*>;

  MapIterator(Context context, std::vector<std::pair<std::uint64_t, std::size_t>> path, const MapRep* rep = nullptr)
      : context_(context), rep_(rep), path_(std::move(path)) {
    settle();
  }
  const Mapping* mapping() const {
    if constexpr (Mutable) {
      return context_->mapping();
    } else {
      return context_;
    }
  }
  const typename nodes::Leaf* leaf_at(std::uint64_t offset) const {
    return mapping()->template object<const typename nodes::Leaf>(offset);
  }
  value_ref value_at(std::size_t i) const {
    auto* leaf = const_cast<typename nodes::Leaf*>(leaf_at(path_.back().first));
    if constexpr (Mutable && detail::locked_entries<V>) {
      return traits<V>::make_mut_in(context_, &leaf->values[i], rep_);
    } else if constexpr (detail::locked_entries<V>) {
      return traits<V>::make_view_in(mapping(), &leaf->values[i], rep_);
    } else if constexpr (Mutable && has_mut<V>) {
      return traits<V>::make_mut(context_, &leaf->values[i]);
    } else {
      return traits<V>::make_view(mapping(), &leaf->values[i]);
    }
  }
  // Moves past exhausted nodes to the next entry, or to the end (empty path).
  void settle() {
    while (!path_.empty()) {
      auto& [offset, index] = path_.back();
      const auto* header = nodes::checked(mapping(), offset, nullptr);
      const std::size_t limit = header->leaf ? header->count : header->count + 1;
      if (index < limit) {
        if (header->leaf) return;
        if (path_.size() >= nodes::max_depth) [[unlikely]] {
          mapping()->corrupt(header, "map deeper than " + std::to_string(nodes::max_depth) + " levels");
        }
        const auto* inner = reinterpret_cast<const typename nodes::Inner*>(header);
        path_.emplace_back(inner->children[index], 0);
        continue;
      }
      path_.pop_back();
      if (!path_.empty()) ++path_.back().second;
    }
  }

  Context context_{};
  const MapRep* rep_ = nullptr;  // the map, for entries that are mutexes
  std::vector<std::pair<std::uint64_t, std::size_t>> path_;  // node offset, index in it
};

// Shared search code for views and muts.
template <class K, class V>
class MapAccess : detail::NoRebind {
 protected:
  using nodes = detail::MapNodes<K, V>;
  using keys = detail::map_key<K>;
  using key_arg = typename keys::arg;
  using Path = std::vector<std::pair<std::uint64_t, std::size_t>>;

  // A leaf that search() reached (and so checked).
  static const typename nodes::Leaf* leaf(const Mapping* base, std::uint64_t offset) {
    return base->object<const typename nodes::Leaf>(offset);
  }
  // The path to the leaf position of the first key not less than `key`
  // (`strictly`: greater than `key`). Every node on it is checked
  // (MapNodes::checked), and the path ends at a leaf.
  static Path search(const Mapping* base, const MapRep* rep, key_arg key, bool strictly) {
    Path path;
    std::uint64_t at = rep->root;
    const void* from = &rep->root;
    while (at != 0) {
      if (path.size() >= nodes::max_depth) [[unlikely]] {
        base->corrupt(from, "map deeper than " + std::to_string(nodes::max_depth) + " levels");
      }
      const auto* h = nodes::checked(base, at, from);
      if (h->leaf) {
        const auto* l = reinterpret_cast<const typename nodes::Leaf*>(h);
        std::size_t i = 0;
        while (i < h->count && (strictly ? !keys::less(key, keys::of(base, &l->keys[i]))
                                         : keys::less(keys::of(base, &l->keys[i]), key))) {
          ++i;
        }
        path.emplace_back(at, i);
        break;
      }
      const auto* n = reinterpret_cast<const typename nodes::Inner*>(h);
      std::size_t child = 0;  // the first separator greater than key decides
      while (child < h->count && !keys::less(key, keys::of(base, &n->keys[child]))) ++child;
      path.emplace_back(at, child);
      from = &n->children[child];
      at = n->children[child];
      if (at == 0) [[unlikely]]
        base->corrupt(from, "map inner node with an empty child");
    }
    return path;
  }
  static Path leftmost(const MapRep* rep) {
    Path path;
    if (rep->root != 0) path.emplace_back(rep->root, 0);
    return path;  // the iterator descends from here
  }
  // The leaf slot holding `key`, or null.
  static std::pair<std::uint64_t, std::size_t> locate(const Mapping* base, const MapRep* rep, key_arg key) {
    Path path = search(base, rep, key, false);
    if (path.empty()) return {0, 0};
    auto [offset, i] = path.back();
    const auto* l = leaf(base, offset);
    if (i < l->header.count && !keys::less(key, keys::of(base, &l->keys[i]))) return {offset, i};
    return {0, 0};
  }
};

template <class K, class V>
class MapView : MapAccess<K, V> {
  using base_type = MapAccess<K, V>;

 public:
  using key_arg = typename base_type::key_arg;
  using value_view = typename traits<V>::view;
  using iterator = MapIterator<K, V, false>;

  MapView(const Mapping* base, const MapRep* rep) : base_(base), rep_(rep) {}

  std::size_t size() const {
    guard();
    return rep_->size;
  }
  bool empty() const { return size() == 0; }
  std::optional<value_view> find(key_arg key) const {
    guard();
    auto [offset, i] = base_type::locate(base_, rep_, key);
    if (offset == 0) return std::nullopt;
    if constexpr (detail::locked_entries<V>) {
      return traits<V>::make_view_in(base_, &base_type::leaf(base_, offset)->values[i], rep_);
    } else {
      return traits<V>::make_view(base_, &base_type::leaf(base_, offset)->values[i]);
    }
  }
  bool contains(key_arg key) const {
    guard();
    return base_type::locate(base_, rep_, key).first != 0;
  }
  value_view at(key_arg key) const {
    if (auto v = find(key)) return *v;
    throw std::out_of_range("key not in map");
  }
  iterator begin() const {
    guard();
    return iterator(base_, base_type::leftmost(rep_), rep_);
  }
  iterator end() const { return iterator(); }
  iterator lower_bound(key_arg key) const {
    guard();
    return iterator(base_, base_type::search(base_, rep_, key, false), rep_);
  }
  iterator upper_bound(key_arg key) const {
    guard();
    return iterator(base_, base_type::search(base_, rep_, key, true), rep_);
  }

 private:
  // Entries that are mutexes: the map's own lock, shared, before reading it.
  void guard() const {
    if constexpr (detail::locked_entries<V>) detail::lock_container_shared_for_current(rep_);
  }
  const Mapping* base_;
  const MapRep* rep_;
};

template <class K, class V>
class MapMut : MapAccess<K, V> {
  using base_type = MapAccess<K, V>;
  using nodes = typename base_type::nodes;
  using keys = typename base_type::keys;
  using Leaf = typename nodes::Leaf;
  using Inner = typename nodes::Inner;
  using Path = typename base_type::Path;

 public:
  using key_arg = typename base_type::key_arg;
  using reference = element_reference_t<V>;
  using iterator = MapIterator<K, V, true>;

  MapMut(detail::TxRef tx, MapRep* rep) : tx_(tx), rep_(rep) {}
  operator MapView<K, V>() const { return MapView<K, V>(tx_->mapping(), rep_); }

  std::size_t size() const {
    guard_shared();
    return rep_->size;
  }
  bool empty() const { return size() == 0; }
  bool contains(key_arg key) const {
    guard_shared();
    return base_type::locate(tx_->mapping(), rep_, key).first != 0;
  }
  std::optional<reference> find(key_arg key) const {
    guard_shared();
    auto [offset, i] = base_type::locate(tx_->mapping(), rep_, key);
    if (offset == 0) return std::nullopt;
    return ref(offset, i);
  }
  reference at(key_arg key) const {
    if (auto v = find(key)) return *v;
    throw std::out_of_range("key not in map");
  }
  iterator begin() const {
    guard_shared();
    return iterator(tx_.element(marker()), base_type::leftmost(rep_), rep_);
  }
  iterator end() const { return iterator(); }
  iterator lower_bound(key_arg key) const {
    guard_shared();
    return iterator(tx_.element(marker()), base_type::search(tx_->mapping(), rep_, key, false), rep_);
  }
  iterator upper_bound(key_arg key) const {
    guard_shared();
    return iterator(tx_.element(marker()), base_type::search(tx_->mapping(), rep_, key, true), rep_);
  }

  // The value at `key`, made (zeroed, initialised) if it was not there;
  // `second` says whether it was made.
  std::pair<reference, bool> try_emplace(key_arg key) {
    auto [offset, i, made] = insert_slot(key);
    return {ref(offset, i), made};
  }
  // Changes the value at `key` in place, made (zeroed, initialised) first
  // if it was not there, with one walk down the tree: `f` gets the value's
  // Mut (structs, containers) or, for a scalar or enum, a reference to a
  // copy whose final state is written back (logged like a setter). Returns
  // whether the entry was made. A counter: update(word, [](auto& n) { ++n; }).
  // `f` must not insert into or erase from this map (that moves entries,
  // this one too); when it does, and the map's size or root changed,
  // update throws usage_error and the transaction rolls back.
  template <class F>
  bool update(key_arg key, F&& f) {
    auto [offset, i, made] = insert_slot(key);
    const MapRep before = *rep_;
    if constexpr (has_mut<V>) {
      std::forward<F>(f)(ref(offset, i));
      refuse_changed_map(before);
    } else {
      auto value = leaf_mut(offset)->values[i];
      std::forward<F>(f)(value);
      refuse_changed_map(before);
      tx_->write(leaf_mut(offset)->values[i], value);
    }
    return made;
  }
  // Plain values: adds `key -> value` unless `key` is there; returns whether it did.
  template <class U = V>
  requires requires { typename value_of<U>::type; } bool insert(key_arg key, const typename value_of<U>::type& value) {
    auto [offset, i, made] = insert_slot(key);
    if (made) value_of<V>::assign(*tx_, &leaf_mut(offset)->values[i], value);
    return made;
  }
  // Plain values: sets `key -> value`; returns whether `key` is new.
  template <class U = V>
  requires requires { typename value_of<U>::type; }
  bool insert_or_assign(key_arg key, const typename value_of<U>::type& value) {
    auto [offset, i, made] = insert_slot(key);
    auto* slot = &leaf_mut(offset)->values[i];
    // An existing value is replaced field by field: one fence for all of it.
    if (!made) tx_->log_whole({{slot, sizeof *slot}});
    value_of<V>::assign(*tx_, slot, value);
    return made;
  }
  // Removes `key` (freeing what its value owns); returns whether it was there.
  bool erase(key_arg key) {
    guard_exclusive();
    Path path = base_type::search(tx_->mapping(), rep_, key, false);
    if (path.empty()) return false;
    auto [offset, i] = path.back();
    Leaf* l = leaf_mut(offset);
    if (i >= l->header.count || keys::less(key, keys::of(tx_->mapping(), &l->keys[i]))) return false;
    tx_->moved(marker(), 1);
    // What the key and value own is freed first, so that the one log
    // fence below also makes the frees' header entries durable.
    keys::destroy(*tx_, &l->keys[i]);
    traits<V>::destroy(*tx_, &l->values[i]);
    {
      detail::LogBatch batch(*tx_);
      gather_erase(batch, path);
      batch.log();
    }
    const std::size_t after = l->header.count - i - 1;
    tx_->add(&l->keys[i], (after + 1) * sizeof(l->keys[0]));
    tx_->add(&l->values[i], (after + 1) * sizeof(l->values[0]));
    std::memmove(static_cast<void*>(&l->keys[i]), &l->keys[i + 1], after * sizeof(l->keys[0]));
    std::memmove(static_cast<void*>(&l->values[i]), &l->values[i + 1], after * sizeof(l->values[0]));
    tx_->written(&l->keys[i], after * sizeof(l->keys[0]));
    tx_->written(&l->values[i], after * sizeof(l->values[0]));
    tx_->write(l->header.count, l->header.count - 1);
    tx_->write(rep_->size, rep_->size - 1);
    if (l->header.count == 0) unlink_empty(path);
    return true;
  }
  // Removes every entry and frees every node.
  void clear() {
    guard_exclusive();
    tx_->moved(marker(), 1);
    if (rep_->root != 0) free_subtree(*tx_, rep_->root, &rep_->root);
    tx_->write(*rep_, MapRep{0, 0});
  }

  // Frees everything under `node`, read from the pool at `from` (for
  // destroy and clear). The node is freed before what it holds, so that a
  // damaged tree reaching a node twice fails (freed twice) instead of
  // recursing forever.
  static void free_subtree(Transaction& tx, std::uint64_t node, const void* from, std::size_t depth = 0) {
    if (depth >= nodes::max_depth) [[unlikely]] {
      tx.mapping()->corrupt(from, "map deeper than " + std::to_string(nodes::max_depth) + " levels");
    }
    nodes::checked(tx.mapping(), node, from);
    tx.free(node);
    auto* h = tx.at<typename nodes::Header>(node);
    if (h->leaf) {
      auto* l = tx.at<Leaf>(node);
      for (std::size_t i = 0; i < h->count; ++i) {
        keys::destroy(tx, &l->keys[i]);
        traits<V>::destroy(tx, &l->values[i]);
      }
    } else {
      auto* n = tx.at<Inner>(node);
      for (std::size_t i = 0; i < h->count; ++i) keys::destroy(tx, &n->keys[i]);
      for (std::size_t i = 0; i <= h->count; ++i) free_subtree(tx, n->children[i], &n->children[i], depth + 1);
    }
  }

 private:
  struct Slot {
    std::uint64_t leaf;
    std::size_t index;
    bool made;
  };

  // Entries that are mutexes: the map's own lock, before reading it
  // (shared) or moving entries (exclusive).
  void guard_shared() const {
    if constexpr (detail::locked_entries<V>) tx_->lock_container_shared(rep_);
  }
  void guard_exclusive() const {
    if constexpr (detail::locked_entries<V>) tx_->lock_container(rep_);
  }

  void refuse_changed_map(const MapRep& before) const {
    if (rep_->size != before.size || rep_->root != before.root) {
      throw usage_error("",
                        "map update: the callback inserted into or erased from the map it updates, which moves "
                        "its entries; change other entries after update returns");
    }
  }
  // What this map's element references and iterators remember: an insert
  // or erase records it as moved (Transaction::moved), which makes them
  // stale, for either may move any entry. One past the rep's first byte:
  // no element of a vec (aligned) starts there, so a change of this map
  // never makes the Mut of an element that holds it stale.
  const void* marker() const { return reinterpret_cast<const char*>(rep_) + 1; }
  Leaf* leaf_mut(std::uint64_t offset) const { return tx_->at<Leaf>(offset); }
  Inner* inner_mut(std::uint64_t offset) const { return tx_->at<Inner>(offset); }
  reference ref(std::uint64_t offset, std::size_t i) const {
    if constexpr (detail::locked_entries<V>) {
      return traits<V>::make_mut_in(tx_.element(marker()), &leaf_mut(offset)->values[i], rep_);
    } else if constexpr (has_mut<V>) {
      return traits<V>::make_mut(tx_.element(marker()), &leaf_mut(offset)->values[i]);
    } else {
      return leaf_mut(offset)->values[i];
    }
  }

  std::uint64_t new_node(bool is_leaf) {
    const std::uint64_t offset =
        tx_->allocate(is_leaf ? sizeof(Leaf) : sizeof(Inner), is_leaf ? type_ids::map_leaf : type_ids::map_inner);
    tx_->write(tx_->at<typename nodes::Header>(offset)->leaf, std::uint32_t{is_leaf ? 1u : 0u});
    return offset;
  }

  // Finds or makes the slot for `key`, splitting full nodes on the way back up.
  Slot insert_slot(key_arg key) {
    guard_exclusive();  // also when `key` is there: whether it is was read under it
    if (rep_->root == 0) {
      // The new leaf is fresh (nothing to log there): the map's root and
      // size are all this insert writes outside it. Logged after the
      // allocation, so that the fence covers its header entry too.
      const std::uint64_t root = new_node(true);
      tx_->log_whole({{rep_, sizeof *rep_}});
      tx_->write(rep_->root, root);
    }
    Path path = base_type::search(tx_->mapping(), rep_, key, false);
    auto [offset, i] = path.back();
    Leaf* l = leaf_mut(offset);
    if (i < l->header.count && !keys::less(key, keys::of(tx_->mapping(), &l->keys[i]))) return {offset, i, false};
    tx_->moved(marker(), 1);
    {
      detail::LogBatch batch(*tx_);
      gather_insert(batch, path);
      batch.log();
    }

    if (l->header.count == nodes::leaf_capacity) {
      // Split: the upper half moves to a new leaf (nothing logged: the old
      // leaf's entries stay untouched, only its count shrinks).
      const std::size_t keep = nodes::leaf_capacity / 2;
      const std::uint64_t right_offset = new_node(true);
      Leaf* right = leaf_mut(right_offset);
      l = leaf_mut(offset);
      const std::size_t moved = nodes::leaf_capacity - keep;
      tx_->write_bytes(&right->keys[0], &l->keys[keep], moved * sizeof(l->keys[0]));
      tx_->write_bytes(&right->values[0], &l->values[keep], moved * sizeof(l->values[0]));
      tx_->write(right->header.count, static_cast<std::uint32_t>(moved));
      tx_->write(l->header.count, static_cast<std::uint32_t>(keep));
      insert_separator(path, path.size() - 1, keys::of(tx_->mapping(), &right->keys[0]), right_offset);
      if (i > keep) {
        offset = right_offset;
        i -= keep;
        l = right;
      } else if (i == keep && keys::less(keys::of(tx_->mapping(), &right->keys[0]), key)) {
        offset = right_offset;
        i = 0;
        l = right;
      }
    }
    // Shift to make room at `i`, then fill the slot.
    const std::size_t after = l->header.count - i;
    tx_->add(&l->keys[i], (after + 1) * sizeof(l->keys[0]));
    tx_->add(&l->values[i], (after + 1) * sizeof(l->values[0]));
    std::memmove(static_cast<void*>(&l->keys[i + 1]), &l->keys[i], after * sizeof(l->keys[0]));
    std::memmove(static_cast<void*>(&l->values[i + 1]), &l->values[i], after * sizeof(l->values[0]));
    std::memset(static_cast<void*>(&l->keys[i]), 0, sizeof(l->keys[0]));
    std::memset(static_cast<void*>(&l->values[i]), 0, sizeof(l->values[0]));
    tx_->written(&l->keys[i], (after + 1) * sizeof(l->keys[0]));
    tx_->written(&l->values[i], (after + 1) * sizeof(l->values[0]));
    keys::store(*tx_, &l->keys[i], key);
    tx_->mark_new(&l->values[i], sizeof(l->values[i]));
    traits<V>::init(*tx_, &l->values[i]);
    tx_->write(l->header.count, l->header.count + 1);
    tx_->write(rep_->size, rep_->size + 1);
    return {offset, i, true};
  }

  // The ranges insert_slot writes to add a missing key at path.back(): the
  // map's size (and root, which a split at the top changes), the leaf's
  // count and the entries it shifts, and for a full leaf what the split
  // changes in the parents (insert_separator). New nodes need nothing.
  void gather_insert(detail::LogBatch& batch, const Path& path) const {
    batch.add(rep_, sizeof *rep_);
    const auto [offset, i] = path.back();
    const Leaf* l = leaf_mut(offset);
    const std::size_t count = l->header.count;
    batch.add(&l->header, sizeof l->header);
    if (count < nodes::leaf_capacity) {
      batch.add(&l->keys[i], (count - i + 1) * sizeof(l->keys[0]));
      batch.add(&l->values[i], (count - i + 1) * sizeof(l->values[0]));
      return;
    }
    // Split: the leaf keeps `keep` entries; a key at `i` <= `keep` is
    // inserted into it, shifting keys[i, keep); a later one goes into the
    // new leaf.
    const std::size_t keep = nodes::leaf_capacity / 2;
    if (i <= keep) {
      batch.add(&l->keys[i], (keep - i + 1) * sizeof(l->keys[0]));
      batch.add(&l->values[i], (keep - i + 1) * sizeof(l->values[0]));
    }
    // Each parent gets a separator; a full one splits and passes its
    // middle key up, to a new root at the top (the map's root, gathered).
    for (std::size_t level = path.size() - 1; level > 0; --level) {
      const auto [parent_offset, child] = path[level - 1];
      const Inner* p = inner_mut(parent_offset);
      const std::size_t parent_count = p->header.count;
      batch.add(&p->header, sizeof p->header);
      if (parent_count < nodes::inner_capacity) {
        batch.add(&p->keys[child], (parent_count - child + 1) * sizeof(p->keys[0]));
        batch.add(&p->children[child + 1], (parent_count - child + 1) * sizeof(std::uint64_t));
        return;
      }
      const std::size_t parent_keep = nodes::inner_capacity / 2;
      if (child <= parent_keep) {
        batch.add(&p->keys[child], (parent_keep - child + 1) * sizeof(p->keys[0]));
        batch.add(&p->children[child + 1], (parent_keep - child + 1) * sizeof(std::uint64_t));
      }
    }
  }

  // The ranges erase writes to remove the key at path.back(): the map's
  // size (and root), the leaf's count and the entries it shifts, and when
  // the leaf empties, what unlink_empty changes in the first parent that
  // keeps other children.
  void gather_erase(detail::LogBatch& batch, const Path& path) const {
    batch.add(rep_, sizeof *rep_);
    const auto [offset, i] = path.back();
    const Leaf* l = leaf_mut(offset);
    const std::size_t count = l->header.count;
    batch.add(&l->header, sizeof l->header);
    batch.add(&l->keys[i], (count - i) * sizeof(l->keys[0]));
    batch.add(&l->values[i], (count - i) * sizeof(l->values[0]));
    if (count > 1) return;
    for (std::size_t level = path.size() - 1; level > 0; --level) {
      const auto [parent_offset, child] = path[level - 1];
      const Inner* p = inner_mut(parent_offset);
      const std::size_t parent_count = p->header.count;
      if (parent_count == 0) continue;  // freed with its only child
      const std::size_t key_index = child == 0 ? 0 : child - 1;
      batch.add(&p->header, sizeof p->header);
      batch.add(&p->keys[key_index], (parent_count - key_index) * sizeof(p->keys[0]));
      batch.add(&p->children[child], (parent_count - child + 1) * sizeof(std::uint64_t));
      return;
    }
  }

  // Adds `separator -> right` to the parent of path[level] (a new root if
  // it has none), splitting the parent when it is full.
  void insert_separator(Path& path, std::size_t level, key_arg separator, std::uint64_t right) {
    if (level == 0) {
      const std::uint64_t root = new_node(false);
      Inner* r = inner_mut(root);
      keys::store(*tx_, &r->keys[0], separator);
      tx_->write(r->children[0], path[0].first);
      tx_->write(r->children[1], right);
      tx_->write(r->header.count, std::uint32_t{1});
      tx_->write(rep_->root, root);
      return;
    }
    auto [parent_offset, child] = path[level - 1];
    Inner* p = inner_mut(parent_offset);
    if (p->header.count == nodes::inner_capacity) {
      // Split the parent: keys[keep] moves up; the right half goes to a new node.
      const std::size_t keep = nodes::inner_capacity / 2;
      const std::uint64_t sibling_offset = new_node(false);
      Inner* sibling = inner_mut(sibling_offset);
      p = inner_mut(parent_offset);
      const std::size_t moved = nodes::inner_capacity - keep - 1;
      tx_->write_bytes(&sibling->keys[0], &p->keys[keep + 1], moved * sizeof(p->keys[0]));
      tx_->write_bytes(&sibling->children[0], &p->children[keep + 1], (moved + 1) * sizeof(std::uint64_t));
      tx_->write(sibling->header.count, static_cast<std::uint32_t>(moved));
      // The middle key moves up: its string buffer (if any) goes with it.
      alignas(typename nodes::KL) unsigned char middle[sizeof(typename nodes::KL)];
      std::memcpy(middle, &p->keys[keep], sizeof middle);
      tx_->write(p->header.count, static_cast<std::uint32_t>(keep));
      const key_arg up = keys::of(tx_->mapping(), reinterpret_cast<const typename nodes::KL*>(middle));
      insert_separator_owned(path, level - 1, up, sibling_offset, middle);
      if (child > keep) {
        parent_offset = sibling_offset;
        child -= keep + 1;
        p = sibling;
      }
    }
    const std::size_t after = p->header.count - child;
    tx_->add(&p->keys[child], (after + 1) * sizeof(p->keys[0]));
    tx_->add(&p->children[child + 1], (after + 1) * sizeof(std::uint64_t));
    std::memmove(static_cast<void*>(&p->keys[child + 1]), &p->keys[child], after * sizeof(p->keys[0]));
    std::memmove(&p->children[child + 2], &p->children[child + 1], after * sizeof(std::uint64_t));
    std::memset(static_cast<void*>(&p->keys[child]), 0, sizeof(p->keys[0]));
    tx_->written(&p->keys[child], (after + 1) * sizeof(p->keys[0]));
    tx_->written(&p->children[child + 2], after * sizeof(std::uint64_t));
    keys::store(*tx_, &p->keys[child], separator);
    tx_->write(p->children[child + 1], right);
    tx_->write(p->header.count, p->header.count + 1);
  }

  // Like insert_separator, for a key whose stored bytes (`owned`) move into
  // the parent as they are (no copy of a string buffer).
  void insert_separator_owned(Path& path, std::size_t level, key_arg separator, std::uint64_t right,
                              const unsigned char* owned) {
    if (level == 0) {
      const std::uint64_t root = new_node(false);
      Inner* r = inner_mut(root);
      tx_->write_bytes(&r->keys[0], owned, sizeof(r->keys[0]));
      tx_->write(r->children[0], path[0].first);
      tx_->write(r->children[1], right);
      tx_->write(r->header.count, std::uint32_t{1});
      tx_->write(rep_->root, root);
      return;
    }
    // Deeper splits copy the separator; the moved bytes' buffer is then
    // freed with them.
    insert_separator(path, level, separator, right);
    alignas(typename nodes::KL) unsigned char copy[sizeof(typename nodes::KL)];
    std::memcpy(copy, owned, sizeof copy);
    keys::destroy(*tx_, reinterpret_cast<typename nodes::KL*>(copy));
  }

  // Removes the empty leaf at the end of `path` from its parent, and any
  // inner node left without children; collapses a root with one child.
  void unlink_empty(Path& path) {
    std::size_t level = path.size() - 1;
    std::uint64_t gone = path[level].first;
    for (;;) {
      tx_->free(gone);
      if (level == 0) {
        tx_->write(rep_->root, std::uint64_t{0});
        return;
      }
      auto [parent_offset, child] = path[level - 1];
      Inner* p = inner_mut(parent_offset);
      if (p->header.count == 0) {  // it had only this child
        gone = parent_offset;
        --level;
        continue;
      }
      // Remove children[child] and one separator next to it.
      const std::size_t key_index = child == 0 ? 0 : child - 1;
      keys::destroy(*tx_, &p->keys[key_index]);
      const std::size_t keys_after = p->header.count - key_index - 1;
      const std::size_t children_after = p->header.count - child;
      tx_->add(&p->keys[key_index], (keys_after + 1) * sizeof(p->keys[0]));
      tx_->add(&p->children[child], (children_after + 1) * sizeof(std::uint64_t));
      std::memmove(static_cast<void*>(&p->keys[key_index]), &p->keys[key_index + 1], keys_after * sizeof(p->keys[0]));
      std::memmove(&p->children[child], &p->children[child + 1], children_after * sizeof(std::uint64_t));
      tx_->written(&p->keys[key_index], keys_after * sizeof(p->keys[0]));
      tx_->written(&p->children[child], children_after * sizeof(std::uint64_t));
      tx_->write(p->header.count, p->header.count - 1);
      if (level - 1 == 0 && p->header.count == 0) {
        // A root with a single child: the child becomes the root.
        tx_->write(rep_->root, p->children[0]);
        tx_->free(parent_offset);
      }
      return;
    }
  }

  detail::TxRef tx_;
  MapRep* rep_;
};

template <class K, class V>
struct traits<map<K, V>> {
  using layout = MapRep;
  using view = MapView<K, V>;
  using mut = MapMut<K, V>;
  static view make_view(const Mapping* base, const layout* p) { return view(base, p); }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) {
    if (p->root != 0) MapMut<K, V>::free_subtree(tx, p->root, &p->root);
  }
};

}  // namespace pschema
