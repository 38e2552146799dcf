// TxRef: how every Mut, container Mut, writing iterator and Owned<T> reaches
// its transaction. Besides the Transaction it remembers when it was made
// (the transaction's version then) and, for an element of a container, the
// element's address. Each use compares the version with the transaction's:
// equal (the common case) costs that compare and a thread compare; else
// Transaction::check_reference decides, and throws stale_reference if the
// transaction that made it ended, if another thread uses it, or if the
// container moved or removed its element since (docs/runtime.md,
// "Stale references").
#pragma once

#include <cstdint>

#include "pschema/transaction.hpp"

namespace pschema::detail {

class TxRef {
 public:
  TxRef() = default;
  // A reference made now, on the thread running `tx` (else stale_reference).
  TxRef(Transaction& tx) : tx_(&tx), version_(tx.version()) {  // NOLINT(google-explicit-constructor)
    if ((version_ & 1) == 0 || !tx.on_this_thread()) [[unlikely]] {
      tx.check_reference(version_, nullptr);
    }
  }

  Transaction* operator->() const {
    check();
    return tx_;
  }
  Transaction& operator*() const {
    check();
    return *tx_;
  }
  // The transaction without a check (for comparing, never for writing).
  const Transaction* unchecked() const noexcept { return tx_; }

  // A reference to the element at `element` of a container reached through
  // this one: it goes stale when the container moves or removes that
  // address (Transaction::moved).
  TxRef element(const void* element) const {
    check();
    TxRef ref = *this;
    ref.element_ = element;
    return ref;
  }

  void check() const {
    if (tx_->version() != version_ || !tx_->on_this_thread()) [[unlikely]] {
      tx_->check_reference(version_, element_);
    }
  }

 private:
  Transaction* tx_ = nullptr;
  // Refreshed by a check that passes: later checks only look at what
  // moved after it.
  mutable std::uint64_t version_ = 0;
  const void* element_ = nullptr;
};

}  // namespace pschema::detail
