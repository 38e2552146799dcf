// The base of every container view and Mut of the runtime (the generated
// View and Mut classes spell the same two lines out). A view refers to
// pool data: assigning one view to another would only rebind the left one
// and change nothing in the pool (`items[0] = items[1]` compiled and did
// nothing), so copy-assignment is deleted. Copying a view (passing it on)
// stays allowed; copying the data is a named operation: assign(...),
// set(...), set_x(...).
#pragma once

namespace pschema::detail {

struct NoRebind {
  NoRebind() = default;
  NoRebind(const NoRebind&) = default;
  NoRebind& operator=(const NoRebind&) = delete;
};

}  // namespace pschema::detail
