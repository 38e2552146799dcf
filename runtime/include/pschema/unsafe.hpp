// The deliberately named unsafe API: everything that gives writable pool
// memory outside the typed views. Nothing here logs, checks bounds or
// knows its scope: a write through it is not undone by a rollback, and an
// address kept past the transaction dangles. Tools and tests that inspect
// or damage a pool on purpose use it; ordinary programs never need it.
//
//   pschema::unsafe::base(pool)            the mapping's first byte (Pool)
//   pschema::unsafe::raw(tx)               the untyped Transaction of a Tx:
//                                          at<T>(offset), base(), allocate, free
//   pschema::unsafe::layout_of(view_or_mut)  the layout a View (const) or
//                                          Mut (writable) points at
//   pschema::unsafe::transaction_of(mut)   the Transaction a Mut writes through
#pragma once

#include "pschema/access.hpp"
#include "pschema/pool.hpp"
#include "pschema/session.hpp"
