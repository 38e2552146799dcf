// pschema::rebind(view, other): points a View, Mut or container view (or
// an optional of one) at what `other` refers to. Assignment (`a = b`) is
// deleted on all of them, so that it is never mistaken for a copy of the
// data (`items[0] = items[1]` compiled and changed nothing); a cursor that
// walks a linked structure moves with this named operation instead:
//
//   for (auto node = s.root().first(); node; pschema::rebind(node, node->next())) ...
//
// `other` converts to the type of `view` (a Mut to an optional Mut, a
// Mut to a View). Nothing in the pool changes. Views hold only addresses and are trivially
// destructible, so rebinding is ending one and copying `other` in its place.
#pragma once

#include <memory>
#include <type_traits>

namespace pschema {

template <class V>
requires std::is_trivially_destructible_v<V> && std::is_copy_constructible_v<V>
void rebind(V& view, const std::type_identity_t<V>& other) {
  const V copy(other);  // `other` may be part of `view` (node->next() of node)
  std::destroy_at(&view);
  std::construct_at(&view, copy);
}

}  // namespace pschema
