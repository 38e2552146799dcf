// The systems under test for the BST workloads, behind one interface so
// that the harness runs the very same loop on each:
//
//   insert(key, value)   one durable transaction (none for the volatile tree)
//   lookup(key)          the value, if present (std::optional<std::string>)
//   count()              the tree's size field
//   for_each(visit)      every (key, value) in key order, for verification
//   counters()           the pschema runtime's counters; nullopt for the others
//
// Each instance starts from an empty tree on a fresh pool of pool_size
// bytes, in a file it owns, removed when the instance goes away.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bst.pschema.h"
#include "bst_pmdk.h"
#include "bst_volatile.hpp"
#include "pschema/counters.hpp"
#include "storage.hpp"

namespace harness {

// The same for both persistent systems.
inline constexpr std::size_t pool_size = std::size_t{64} << 20;

using Visit = std::function<bool(std::int64_t key, std::string_view value)>;

// pschema: bst.pschema's generated pool class and its operations (bst_pschema.cpp).
class PschemaBst {
 public:
  static constexpr std::string_view name = "pschema";
  PschemaBst();
  void insert(std::int64_t key, std::string_view value) { pool_.insert(key, value); }
  std::optional<std::string> lookup(std::int64_t key) const { return pool_.lookup(key); }
  std::uint64_t count() const { return pool_.count(); }
  void for_each(const Visit& visit) const;
  std::optional<pschema::Counters> counters() const { return pool_.pool().counters(); }

 private:
  ScratchFile file_;
  bench::Bst pool_;
};

// PMDK libpmemobj: bst_pmdk.c.
class PmdkBst {
 public:
  static constexpr std::string_view name = "pmdk";
  PmdkBst();
  PmdkBst(const PmdkBst&) = delete;
  PmdkBst& operator=(const PmdkBst&) = delete;
  ~PmdkBst() { bst_pmdk_close(tree_); }
  void insert(std::int64_t key, std::string_view value);
  std::optional<std::string> lookup(std::int64_t key) const {
    char value[BST_PMDK_VALUE_MAX + 1];
    std::size_t len = 0;
    if (bst_pmdk_lookup(tree_, key, value, &len) == 0) return std::nullopt;
    return std::string(value, len);
  }
  std::uint64_t count() const { return bst_pmdk_count(tree_); }
  void for_each(const Visit& visit) const;
  std::optional<pschema::Counters> counters() const { return std::nullopt; }

 private:
  ScratchFile file_;
  bst_pmdk* tree_ = nullptr;
};

// DRAM: bst_volatile.cpp.
class VolatileBstSystem {
 public:
  static constexpr std::string_view name = "volatile";
  void insert(std::int64_t key, std::string_view value) { tree_.insert(key, value); }
  std::optional<std::string> lookup(std::int64_t key) const { return tree_.lookup(key); }
  std::uint64_t count() const { return tree_.count(); }
  void for_each(const Visit& visit) const { tree_.for_each(visit); }
  std::optional<pschema::Counters> counters() const { return std::nullopt; }

 private:
  VolatileBst tree_;
};

}  // namespace harness
