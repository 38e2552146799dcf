// pschema::log_whole(a, b, ...): logs several objects of one transaction
// whole, each as one journal entry, all behind a single fence. Their field
// writes that follow cost no further logging. `x.log_whole()` (generated on
// every struct's Mut) does the same for one object.
//
// Logging is never needed for correctness — every write logs what it
// overwrites — this only makes a transaction that rewrites much of a few
// objects cheaper (a B-tree node split or merge).
#pragma once

#include "pschema/access.hpp"
#include "pschema/errors.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

// The Mut of a generated struct with no mutex<T> inside it: rolling back a
// logged lock word could release another transaction's lock.
template <class M>
concept struct_mut = requires(const M& m) {
  *unsafe::layout_of(m);
  unsafe::transaction_of(m);
} && !requires { M::holds_mutex; };

template <struct_mut First, struct_mut... Rest>
void log_whole(const First& first, const Rest&... rest) {
  Transaction& tx = unsafe::transaction_of(first);
  if (((&unsafe::transaction_of(rest) != &tx) || ...)) {
    throw usage_error("", "log_whole: the objects belong to different transactions");
  }
  tx.log_whole({Transaction::Range{unsafe::layout_of(first), sizeof(*unsafe::layout_of(first))},
                Transaction::Range{unsafe::layout_of(rest), sizeof(*unsafe::layout_of(rest))}...});
}

}  // namespace pschema
