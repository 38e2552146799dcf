// The runtime's own mechanisms under the simulator: undo logging of
// scattered writes, allocation and free, aborts, and a transaction bigger
// than its journal lane (overflow segments).
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

#include "pschema/pool.hpp"
#include "workloads.hpp"

namespace crash_sim {

namespace {

constexpr int accounts = 16;
constexpr std::size_t big_area = 24 * 1024;  // more than a 1 MiB pool's lane holds

struct Root {
  std::int64_t balance[accounts];
  std::uint64_t list_head;
  std::uint64_t list_length;
  std::uint64_t committed;
  unsigned char big[big_area];
};

struct Node {
  std::uint64_t next;
  std::uint64_t value;
  unsigned char padding[40];
};

// The initial balances are part of creating the pool (the first
// transaction, before the pool is marked valid).
void initial_balances(pschema::Transaction& tx, std::uint64_t root_offset) {
  Root* root = tx.at<Root>(root_offset);
  for (auto& b : root->balance) tx.write(b, std::int64_t{1000});
}

pschema::SchemaInfo schema() {
  pschema::SchemaInfo info;
  info.name = "sim.Journal";
  info.fingerprint = 0x5113;
  info.text = "crash-sim journal workload";
  info.root_size = sizeof(Root);
  info.root_type_id = 1;
  info.initialize_root = &initial_balances;
  return info;
}

void transaction(pschema::Pool& pool, std::size_t k) {
  std::mt19937_64 random(k * 7919 + 1);
  const int kind = static_cast<int>(k % 5);
  try {
    pool.transaction([&](pschema::Transaction& tx) {
      Root* root = tx.at<Root>(tx.root_offset());
      switch (kind) {
        case 0:
        case 1: {  // transfers
          for (int i = 0; i < 3; ++i) {
            const auto from = random() % accounts, to = random() % accounts;
            const auto amount = static_cast<std::int64_t>(random() % 100);
            tx.write(root->balance[from], root->balance[from] - amount);
            tx.write(root->balance[to], root->balance[to] + amount);
          }
          break;
        }
        case 2: {  // push two nodes
          for (int i = 0; i < 2; ++i) {
            const std::uint64_t node = tx.allocate(sizeof(Node), 2);
            tx.write(tx.at<Node>(node)->value, static_cast<std::uint64_t>(random()));
            tx.write(tx.at<Node>(node)->next, root->list_head);
            tx.write(root->list_head, node);
            tx.write(root->list_length, root->list_length + 1);
          }
          break;
        }
        case 3: {  // pop a node (freed)
          if (root->list_head == 0) break;
          const std::uint64_t node = root->list_head;
          tx.write(root->list_head, tx.at<Node>(node)->next);
          tx.write(root->list_length, root->list_length - 1);
          tx.free(node);
          break;
        }
        default: {  // rewrite the big area: overflow segments
          unsigned char fill = static_cast<unsigned char>(random());
          tx.add(root->big, big_area);
          std::memset(root->big, fill, big_area);
          tx.written(root->big, big_area);
          break;
        }
      }
      tx.write(root->committed, root->committed + 1);
      if (k % 7 == 6) throw std::runtime_error("abort on purpose");
    });
  } catch (const std::runtime_error&) {}
}

}  // namespace

Workload journal_and_allocator_workload(std::size_t transactions) {
  Workload w;
  w.name = "journal";
  w.transactions = transactions;
  w.create = [](const std::string& path, const pschema::PoolOptions& options) {
    pschema::Pool::create(path, 1 << 20, schema(), options);
  };
  w.run = [](const std::string& path, const pschema::PoolOptions& options, std::size_t first, std::size_t last,
             const std::function<void(std::size_t)>& starting) {
    pschema::Pool pool = pschema::Pool::open(path, schema(), options);
    for (std::size_t k = first; k < last; ++k) {
      starting(k);
      transaction(pool, k);
    }
    pool.close();
  };
  w.digest = [](const std::string& path, bool& recovered) {
    pschema::Pool pool = pschema::Pool::open(path, schema());
    recovered = pool.info().recovered;
    std::string out = pool.read([](const pschema::ReadView& view) {
      const Root* root = view.at<Root>(view.root_offset());
      std::string text;
      std::int64_t total = 0;
      for (auto b : root->balance) text += std::to_string(b) + ",", total += b;
      if (total != accounts * 1000) text += " TOTAL BROKEN";
      text += " list:";
      std::uint64_t length = 0;
      for (std::uint64_t at = root->list_head; at != 0 && length <= root->list_length; at = view.at<Node>(at)->next) {
        text += std::to_string(view.at<Node>(at)->value) + ",";
        ++length;
      }
      if (length != root->list_length) text += " LENGTH BROKEN";
      text += " committed:" + std::to_string(root->committed) + " big:" + std::to_string(root->big[0]) + "/" +
              std::to_string(root->big[big_area - 1]);
      for (std::size_t i = 1; i < big_area; ++i) {
        if (root->big[i] != root->big[0]) {
          text += " BIG TORN";
          break;
        }
      }
      return text;
    });
    const auto info = pool.info();
    out += " objects:" + std::to_string(info.allocated_objects) + " bytes:" + std::to_string(info.allocated_bytes);
    return out;
  };
  return w;
}

}  // namespace crash_sim
