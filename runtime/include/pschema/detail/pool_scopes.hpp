// How Pool::transaction and Pool::read (pschema/pool.hpp) run a body: the
// scopes that begin and end a transaction or hold a read, implemented in
// runtime/src.
#pragma once

#include "pschema/read_view.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

struct TransactionOptions;  // pschema/pool.hpp

namespace detail {

// Runs one transaction body: begins (or joins the transaction this thread
// already has on the pool: nesting flattens into the outermost), commits
// when asked, rolls back if destroyed before commit (the body threw).
class TransactionScope {
 public:
  explicit TransactionScope(PoolImpl& pool, const TransactionOptions* options = nullptr);
  ~TransactionScope();
  TransactionScope(const TransactionScope&) = delete;
  TransactionScope& operator=(const TransactionScope&) = delete;

  Transaction& transaction() noexcept { return *transaction_; }
  void commit();

 private:
  PoolImpl& pool_;
  Lane* lane_ = nullptr;
  Transaction* transaction_ = nullptr;
  bool joined_ = false;
  bool finished_ = false;
};

// Holds the pool's reader lock (unless this thread is inside a transaction
// of the same pool, which already excludes other writers).
class ReadScope {
 public:
  explicit ReadScope(const PoolImpl& pool);
  ~ReadScope();
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;
  const ReadView& view() const noexcept { return view_; }

 private:
  friend class PoolImpl;
  friend Lane* lane_for_current(const void* p);
  const PoolImpl& pool_;
  bool locked_ = false;
  Lane* lane_ = nullptr;       // concurrent pools: the lane holding the read's mutexes
  ReadScope* outer_ = nullptr;  // the thread's enclosing read that took a gate, if any
  ReadView view_;
};

}  // namespace detail

}  // namespace pschema
