#include "kvstore_volatile.hpp"

#include <utility>

namespace harness {
namespace {
constexpr std::uint64_t hash_prime = 32212254719ULL;
}

void VolatileKv::init(std::uint32_t a, std::uint32_t b) {
  a_ = a;
  b_ = b;
  chains_.resize(10);
}

std::uint64_t VolatileKv::bucket_of(std::size_t buckets, std::uint64_t key) const {
  return ((std::uint64_t{a_} * key + b_) % hash_prime) % buckets;
}

void VolatileKv::rebuild(std::size_t buckets) {
  std::vector<std::unique_ptr<Entry>> fresh(buckets);
  for (std::unique_ptr<Entry>& chain : chains_) {
    while (chain) {
      std::unique_ptr<Entry> entry = std::move(chain);
      chain = std::move(entry->next);
      std::unique_ptr<Entry>& head = fresh[bucket_of(buckets, entry->key)];
      entry->next = std::move(head);
      head = std::move(entry);
    }
  }
  chains_ = std::move(fresh);
}

bool VolatileKv::put(std::uint64_t key, std::uint64_t value) {
  const std::size_t buckets = chains_.size();
  std::unique_ptr<Entry>& head = chains_[bucket_of(buckets, key)];
  std::size_t length = 0;
  for (const Entry* e = head.get(); e != nullptr; e = e->next.get()) {
    if (e->key == key) return false;
    ++length;
  }
  head = std::make_unique<Entry>(Entry{key, value, std::move(head)});
  ++count_;
  ++length;
  if (length > 10 || (length > 5 && count_ > 2 * buckets)) rebuild(buckets * 2);
  return true;
}

std::optional<std::uint64_t> VolatileKv::get(std::uint64_t key) const {
  for (const Entry* e = chains_[bucket_of(chains_.size(), key)].get(); e != nullptr; e = e->next.get()) {
    if (e->key == key) return e->value;
  }
  return std::nullopt;
}

void VolatileKv::for_each(const std::function<void(std::uint64_t, std::uint64_t)>& visit) const {
  for (const std::unique_ptr<Entry>& chain : chains_) {
    for (const Entry* e = chain.get(); e != nullptr; e = e->next.get()) visit(e->key, e->value);
  }
}

}  // namespace harness
