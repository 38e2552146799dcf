// Data structures written against generated code, under the simulator.
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>

#include "bst.pschema.h"
#include "btree.pschema.h"
#include "container_workload.hpp"
#include "everything.pschema.h"
#include "kvstore.pschema.h"
#include "sorted_list.pschema.h"
#include "workloads.hpp"

namespace crash_sim {

namespace {

template <class PoolType>
std::string allocations(const PoolType& pool) {
  const auto info = pool.pool().info();
  return " objects:" + std::to_string(info.allocated_objects) + " bytes:" + std::to_string(info.allocated_bytes);
}

}  // namespace

Workload containers_workload(std::size_t transactions) {
  using container_workload::Bags;
  Workload w;
  w.name = "containers";
  w.transactions = transactions;
  w.create = [](const std::string& path, const pschema::PoolOptions& options) { Bags::create(path, 2 << 20, options); };
  w.run = [](const std::string& path, const pschema::PoolOptions& options, std::size_t first, std::size_t last,
             const std::function<void(std::size_t)>& starting) {
    Bags bags = Bags::open(path, options);
    container_workload::Model model = container_workload::model_of(bags);
    for (std::size_t k = first; k < last; ++k) {
      starting(k);
      std::mt19937_64 random(k * 104729 + 7);
      const bool abort = k % 6 == 5;
      container_workload::Model next = model;
      try {
        bags.transaction([&](Bags::Tx& tx) {
          for (int i = 0; i < 4; ++i) container_workload::random_operation(tx, next, random);
          if (abort) throw std::runtime_error("abort on purpose");
        });
        model = next;
      } catch (const std::runtime_error&) {}
    }
    bags.close();
  };
  w.digest = [](const std::string& path, bool& recovered) {
    Bags bags = Bags::open(path);
    recovered = bags.pool().info().recovered;
    const container_workload::Model m = container_workload::model_of(bags);
    std::ostringstream out;
    for (const auto& [k, v] : m.by_id) out << k << "=" << v << ",";
    for (const auto& [k, v] : m.by_name) out << k << "=" << v.first << "/" << v.second << ",";
    for (auto n : m.numbers) out << n << ",";
    for (const auto& n : m.items) out << n << ",";
    bags.read([&](const Bags::Snapshot& s) {
      for (auto item : s.root().boxes()) out << item.name() << ",";
    });
    return out.str() + allocations(bags);
  };
  return w;
}

Workload sorted_list_workload(std::size_t transactions) {
  using list::List;
  Workload w;
  w.name = "sorted-list";
  w.transactions = transactions;
  w.create = [](const std::string& path, const pschema::PoolOptions& options) { List::create(path, 1 << 20, options); };
  w.run = [](const std::string& path, const pschema::PoolOptions& options, std::size_t first, std::size_t last,
             const std::function<void(std::size_t)>& starting) {
    List l = List::open(path, options);
    for (std::size_t k = first; k < last; ++k) {
      starting(k);
      const auto value = static_cast<std::int64_t>((k * 37) % 23);
      if (k % 4 == 3) {
        l.remove(value);
      } else {
        l.insert(value);
      }
    }
    l.close();
  };
  w.digest = [](const std::string& path, bool& recovered) {
    List l = List::open(path);
    recovered = l.pool().info().recovered;
    const std::string values = l.values();
    const auto length = l.read([](const List::Snapshot& s) { return s.root().length(); });
    return values + " length:" + std::to_string(length) + allocations(l);
  };
  return w;
}

}  // namespace crash_sim

namespace crash_sim {

// The remaining kinds: strings and bytes, arrays, value optionals,
// box<T>?, and shared ownership (rc, rc?, weak) with objects dying when
// their last owner goes.
Workload everything_workload(std::size_t transactions) {
  using all::Graphs;
  using all::Store;
  Workload w;
  w.name = "everything";
  w.transactions = transactions;
  w.create = [](const std::string& path, const pschema::PoolOptions& options) {
    Graphs::create(path, 2 << 20, options);
  };
  w.run = [](const std::string& path, const pschema::PoolOptions& options, std::size_t first, std::size_t last,
             const std::function<void(std::size_t)>& starting) {
    Graphs graphs = Graphs::open(path, options);
    for (std::size_t k = first; k < last; ++k) {
      starting(k);
      try {
        graphs.transaction([&](Graphs::Tx& tx) {
          all::Graph::Mut g = tx.root();
          const std::string label(k % 3 == 0 ? 40 : 5, static_cast<char>('a' + k % 26));
          switch (k % 5) {
            case 0: g.first()->set_label(label); break;
            case 1: g.second().share(g.first()); break;
            case 2: g.watcher().set(g.first()); break;
            case 3: g.first().emplace().set_label(label); break;  // the old object lives on in `second`, if shared
            default: {
              auto child = g.first()->child().emplace();
              child.set_label(label);
              child.parent().set(g.first());
              g.second().reset();
              break;
            }
          }
          if (k % 7 == 6) throw std::runtime_error("abort on purpose");
        });
      } catch (const std::runtime_error&) {}
    }
    graphs.close();
  };
  w.digest = [](const std::string& path, bool& recovered) {
    Graphs graphs = Graphs::open(path);
    recovered = graphs.pool().info().recovered;
    std::string out = graphs.read([](const Graphs::Snapshot& s) {
      all::Graph::View g = s.root();
      std::string text = "first:" + std::string(g.first().label());
      if (auto child = g.first().child()) {
        text += " child:" + std::string(child->label());
        if (auto parent = child->parent().lock()) text += " parent:" + std::string(parent->label());
      }
      if (auto second = g.second()) text += " second:" + std::string(second->label());
      if (auto watched = g.watcher().lock()) text += " watched:" + std::string(watched->label());
      return text;
    });
    const auto info = graphs.pool().info();
    return out + " objects:" + std::to_string(info.allocated_objects) +
           " bytes:" + std::to_string(info.allocated_bytes);
  };
  return w;
}

}  // namespace crash_sim

namespace crash_sim {

// The benchmark's BST (bench/bst.pschema and its operations), small: random
// keys, some inserted twice (the value is replaced).
Workload bst_workload(std::size_t transactions) {
  using bench::Bst;
  Workload w;
  w.name = "bench-bst";
  w.transactions = transactions;
  w.create = [](const std::string& path, const pschema::PoolOptions& options) { Bst::create(path, 1 << 20, options); };
  w.run = [](const std::string& path, const pschema::PoolOptions& options, std::size_t first, std::size_t last,
             const std::function<void(std::size_t)>& starting) {
    Bst tree = Bst::open(path, options);
    for (std::size_t k = first; k < last; ++k) {
      starting(k);
      const auto key = static_cast<std::int64_t>((k * 7919) % 13);
      tree.insert(key, "v" + std::to_string(k) + (k % 3 == 0 ? std::string(30, 'x') : ""));
    }
    tree.close();
  };
  w.digest = [](const std::string& path, bool& recovered) {
    Bst tree = Bst::open(path);
    recovered = tree.pool().info().recovered;
    std::string out = "size:" + std::to_string(tree.count());
    for (std::int64_t key = 0; key < 13; ++key) {
      if (auto value = tree.lookup(key)) out += " " + std::to_string(key) + "=" + *value;
    }
    const auto info = tree.pool().info();
    return out + " objects:" + std::to_string(info.allocated_objects) +
           " bytes:" + std::to_string(info.allocated_bytes);
  };
  return w;
}

}  // namespace crash_sim

namespace crash_sim {

namespace {

template <class PoolType>
std::string with_allocations(const PoolType& pool, std::string text) {
  const auto info = pool.pool().info();
  return text + " objects:" + std::to_string(info.allocated_objects) + " bytes:" + std::to_string(info.allocated_bytes);
}

}  // namespace

// The benchmark's key-value store (bench/kvstore.pschema): enough puts to
// cross its rebuild threshold, some keys put twice.
Workload kvstore_workload(std::size_t transactions) {
  using kvbench::KvStore;
  Workload w;
  w.name = "bench-kvstore";
  w.transactions = transactions;
  w.create = [](const std::string& path, const pschema::PoolOptions& options) {
    KvStore::create(path, 2 << 20, options);
  };
  w.run = [](const std::string& path, const pschema::PoolOptions& options, std::size_t first, std::size_t last,
             const std::function<void(std::size_t)>& starting) {
    KvStore store = KvStore::open(path, options);
    for (std::size_t k = first; k < last; ++k) {
      starting(k);
      if (k == 0) {
        store.init(7, 3, 5);  // the table and hash coefficients: the first transaction
      } else {
        store.put((k * 2654435761u) % 97, k + 1);
      }
    }
    store.close();
  };
  w.digest = [](const std::string& path, bool& recovered) {
    KvStore store = KvStore::open(path);
    recovered = store.pool().info().recovered;
    if (store.read([](const KvStore::Snapshot& s) { return s.root().hash_p() == 0; })) {
      return with_allocations(store, "not initialised");
    }
    std::string out = "count:" + std::to_string(store.count());
    for (std::uint64_t key = 0; key < 97; ++key) {
      if (auto value = store.get(key)) out += " " + std::to_string(key) + "=" + std::to_string(*value);
    }
    return with_allocations(store, out);
  };
  return w;
}

// The benchmark's B-tree (bench/btree.pschema): inserts that split nodes,
// then removes that merge and borrow.
Workload btree_workload(std::size_t transactions) {
  using btreebench::Btree;
  Workload w;
  w.name = "bench-btree";
  w.transactions = transactions;
  w.create = [](const std::string& path, const pschema::PoolOptions& options) {
    Btree::create(path, 2 << 20, options);
  };
  w.run = [](const std::string& path, const pschema::PoolOptions& options, std::size_t first, std::size_t last,
             const std::function<void(std::size_t)>& starting) {
    Btree tree = Btree::open(path, options);
    for (std::size_t k = first; k < last; ++k) {
      starting(k);
      const std::uint64_t key = (k * 37) % 41;
      if (k % 3 == 2) {
        tree.remove(key);
      } else {
        tree.insert(key, k + 1);
      }
    }
    tree.close();
  };
  w.digest = [](const std::string& path, bool& recovered) {
    Btree tree = Btree::open(path);
    recovered = tree.pool().info().recovered;
    std::string out = "count:" + std::to_string(tree.count());
    for (std::uint64_t key = 0; key < 41; ++key) {
      if (auto value = tree.get(key)) out += " " + std::to_string(key) + "=" + std::to_string(*value);
    }
    return with_allocations(tree, out);
  };
  return w;
}

}  // namespace crash_sim

namespace crash_sim {

// Arrays, value optionals (scalar, struct, string), bytes, box<T>? and
// vec<box<T>>: the kinds the other workloads leave out.
Workload store_workload(std::size_t transactions) {
  using all::Store;
  Workload w;
  w.name = "store";
  w.transactions = transactions;
  w.create = [](const std::string& path, const pschema::PoolOptions& options) {
    Store::create(path, 2 << 20, options);
  };
  w.run = [](const std::string& path, const pschema::PoolOptions& options, std::size_t first, std::size_t last,
             const std::function<void(std::size_t)>& starting) {
    Store store = Store::open(path, options);
    for (std::size_t k = first; k < last; ++k) {
      starting(k);
      try {
        store.transaction([&](Store::Tx& tx) {
          all::Everything::Mut e = tx.root();
          const auto n = static_cast<std::uint16_t>(k);
          switch (k % 6) {
            case 0:
              e.scores().set(k % 3, n);
              e.corners()[k % 4].set_x(static_cast<double>(k));
              break;
            case 1:
              e.maybe_number().set(static_cast<std::uint32_t>(k));
              e.maybe_point().emplace().set_y(1.0 * k);
              break;
            case 2: {
              const std::string bytes(k % 2 == 0 ? 40 : 3, static_cast<char>('a' + k % 26));
              e.set_blob(std::as_bytes(std::span(bytes.data(), bytes.size())));
              e.maybe_name().emplace().assign(bytes);
              break;
            }
            case 3: e.maybe_leaf().emplace().set_name("leaf " + std::to_string(k)); break;
            case 4: e.leaves().emplace_back()->set_name(std::string(30, 'l')); break;
            default:
              e.maybe_number().reset();
              e.maybe_leaf().reset();
              if (!e.leaves().empty()) e.leaves().pop_back();
              break;
          }
          if (k % 5 == 4) throw std::runtime_error("abort on purpose");
        });
      } catch (const std::runtime_error&) {}
    }
    store.close();
  };
  w.digest = [](const std::string& path, bool& recovered) {
    Store store = Store::open(path);
    recovered = store.pool().info().recovered;
    std::ostringstream out;
    store.read([&](const Store::Snapshot& s) {
      all::Everything::View e = s.root();
      for (auto score : e.scores()) out << score << ",";
      for (auto corner : e.corners()) out << corner.x() << ",";
      out << " n:" << (e.maybe_number() ? static_cast<long long>(*e.maybe_number()) : -1);
      out << " p:" << (e.maybe_point() ? e.maybe_point()->y() : -1.0);
      out << " blob:" << e.blob().size() << " name:" << (e.maybe_name() ? std::string(*e.maybe_name()) : "-");
      out << " leaf:" << (e.maybe_leaf() ? std::string(e.maybe_leaf()->name()) : "-") << " leaves:";
      for (auto leaf : e.leaves()) out << leaf.name() << ";";
    });
    const auto info = store.pool().info();
    return out.str() + " objects:" + std::to_string(info.allocated_objects) +
           " bytes:" + std::to_string(info.allocated_bytes);
  };
  return w;
}

}  // namespace crash_sim
