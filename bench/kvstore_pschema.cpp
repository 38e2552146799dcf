// The KVStore operations of kvstore.pschema, written against the generated
// API the way a user would. The algorithm is that of PMDK's hashmap_tx
// example: new entries go to the head of their chain; after an insert, a
// chain longer than 10, or longer than 5 while the map holds more than two
// keys per bucket, doubles the table, relinking every entry into a new
// bucket vec. Unlike the example, the rebuild is part of the insert's own
// transaction (one durable transaction per operation).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "kvstore.pschema.h"

using kvbench::KvStore;

namespace {

constexpr std::uint64_t hash_prime = 32212254719ULL;  // a large prime
constexpr std::size_t initial_buckets = 10;
constexpr std::size_t chain_rebuild_check = 5;  // a longer chain rebuilds if the table is loaded
constexpr std::size_t chain_rebuild_force = 10;  // a longer chain always rebuilds

// Universal hashing of integers: ((a * key + b) mod p) mod buckets, the
// product modulo 2^64.
std::uint64_t bucket_of(kvbench::HashMap::View map, std::size_t buckets, std::uint64_t key) {
  const std::uint64_t a = map.hash_a();
  return ((a * key + map.hash_b()) % map.hash_p()) % buckets;
}

// Moves every entry into a new table of `buckets` chains and frees the old one.
void rebuild(KvStore::Tx& tx, kvbench::HashMap::Mut map, std::size_t buckets) {
  pschema::Owned<kvbench::Buckets> fresh = tx.make<kvbench::Buckets>();
  pschema::VecMut<pschema::optional<pschema::box<kvbench::Entry>>> to = fresh->chains();
  to.resize(buckets);
  pschema::VecMut<pschema::optional<pschema::box<kvbench::Entry>>> from = map.buckets()->chains();
  for (std::size_t i = 0; i < from.size(); ++i) {
    pschema::OptionalBoxMut<kvbench::Entry> chain = from[i];
    while (chain.has_value()) {
      pschema::Owned<kvbench::Entry> entry = chain.take();
      chain.set(entry->next().take());
      const std::uint64_t h = bucket_of(map, buckets, entry->key());
      pschema::OptionalBoxMut<kvbench::Entry> head = to[h];
      entry->next().set(head.take());
      head.set(std::move(entry));
    }
  }
  // The old table, now all empty chains, is freed at commit.
  pschema::Owned<kvbench::Buckets> old = map.buckets().replace(std::move(fresh));
}

}  // namespace

void KvStore::Ops::init(Tx& tx, std::uint32_t seed, std::uint32_t hash_a, std::uint32_t hash_b) {
  kvbench::HashMap::Mut map = tx.root();
  map.set_seed(seed);
  map.set_hash_a(hash_a);
  map.set_hash_b(hash_b);
  map.set_hash_p(hash_prime);
  map.buckets()->chains().resize(initial_buckets);
}

bool KvStore::Ops::put(Tx& tx, std::uint64_t key, std::uint64_t value) {
  kvbench::HashMap::Mut map = tx.root();
  pschema::VecMut<pschema::optional<pschema::box<kvbench::Entry>>> chains = map.buckets()->chains();
  const std::size_t buckets = chains.size();
  pschema::OptionalBoxMut<kvbench::Entry> head = chains[bucket_of(map, buckets, key)];
  std::size_t length = 0;
  for (std::optional<kvbench::Entry::Mut> entry = head.get(); entry; pschema::rebind(entry, entry->next().get())) {
    if (entry->key() == key) return false;
    ++length;
  }
  pschema::Owned<kvbench::Entry> fresh = tx.make<kvbench::Entry>();
  fresh->set_key(key);
  fresh->set_value(value);
  fresh->next().set(head.take());
  head.set(std::move(fresh));
  map.set_count(map.count() + 1);
  ++length;
  if (length > chain_rebuild_force || (length > chain_rebuild_check && map.count() > 2 * buckets)) {
    rebuild(tx, map, buckets * 2);
  }
  return true;
}

std::optional<std::uint64_t> KvStore::Ops::get(const Snapshot& snapshot, std::uint64_t key) {
  const kvbench::HashMap::View map = snapshot.root();
  const pschema::VecView<pschema::optional<pschema::box<kvbench::Entry>>> chains = map.buckets().chains();
  for (std::optional<kvbench::Entry::View> entry = chains[bucket_of(map, chains.size(), key)]; entry;
       pschema::rebind(entry, entry->next())) {
    if (entry->key() == key) return entry->value();
  }
  return std::nullopt;
}

std::uint64_t KvStore::Ops::count(const Snapshot& snapshot) { return snapshot.root().count(); }
