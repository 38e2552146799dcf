// The KVStore baseline in DRAM: the same chained hash map as
// kvstore_pschema.cpp (same hash, thresholds and rebuild), with
// std::unique_ptr chains, nothing durable: what the algorithm itself costs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace harness {

class VolatileKv {
 public:
  void init(std::uint32_t a, std::uint32_t b);
  bool put(std::uint64_t key, std::uint64_t value);
  std::optional<std::uint64_t> get(std::uint64_t key) const;
  std::uint64_t count() const noexcept { return count_; }
  void for_each(const std::function<void(std::uint64_t, std::uint64_t)>& visit) const;

 private:
  struct Entry {
    std::uint64_t key;
    std::uint64_t value;
    std::unique_ptr<Entry> next;
  };
  std::uint64_t bucket_of(std::size_t buckets, std::uint64_t key) const;
  void rebuild(std::size_t buckets);

  std::uint32_t a_ = 0;
  std::uint32_t b_ = 0;
  std::uint64_t count_ = 0;
  std::vector<std::unique_ptr<Entry>> chains_;
};

}  // namespace harness
