// The operations of mt_kv.pschema, written against the generated API the
// way a user would. The same algorithm as mt_kv_pmdk.c: bucket key % 65536,
// locked for the whole transaction (or read) by lock(); walk its chain and
// insert a new entry at its head unless the key is present.
#include <cstdint>
#include <optional>
#include <utility>

#include "mt_kv.pschema.h"

using mtkv::MtKv;

namespace {
constexpr std::uint64_t bucket_count = 65536;
}  // namespace

bool MtKv::Ops::put(Tx& tx, std::uint64_t key, std::uint64_t value) {
  mtkv::Bucket::Mut bucket = tx.root().buckets()[key % bucket_count].lock();
  pschema::OptionalBoxMut<mtkv::Entry> head = bucket.head();
  for (std::optional<mtkv::Entry::Mut> entry = head.get(); entry; pschema::rebind(entry, entry->next().get())) {
    if (entry->key() == key) return false;
  }
  pschema::Owned<mtkv::Entry> fresh = tx.make<mtkv::Entry>();
  fresh->set_key(key);
  fresh->set_value(value);
  fresh->next().set(head.take());
  head.set(std::move(fresh));
  bucket.set_count(bucket.count() + 1);
  return true;
}

std::optional<std::uint64_t> MtKv::Ops::get(const Snapshot& snapshot, std::uint64_t key) {
  const mtkv::Bucket::View bucket = snapshot.root().buckets()[key % bucket_count].lock();
  for (std::optional<mtkv::Entry::View> entry = bucket.head(); entry; pschema::rebind(entry, entry->next())) {
    if (entry->key() == key) return entry->value();
  }
  return std::nullopt;
}

std::uint64_t MtKv::Ops::count(const Snapshot& snapshot) {
  std::uint64_t sum = 0;
  for (auto bucket : snapshot.root().buckets()) sum += bucket.lock().count();
  return sum;
}
