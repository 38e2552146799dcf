// Everything a generated header needs from the runtime.
//
// What a generated header declares for each struct S of the schema (the
// header names the schema line of each; docs/schema-language.md has the
// whole API):
//
//   S::type_id         the struct's id in the pool's blocks (pschema/format/type_ids.hpp)
//   S::Layout          the bytes in the pool: standard layout, trivially
//                      copyable, never constructed (it lives in a pool);
//                      static_asserts check its size, alignment and offsets
//                      against the schema
//   S::View            read-only access: one accessor per field
//   S::Mut             read-write access, only inside a transaction: the
//                      accessors, a setter per field that has one, and
//                      `operator View`
//   S::Value           for plain data only: the same fields as a plain C++
//                      value (what operations take and return, S::View::to_value
//                      copies out, S::Mut::assign writes in)
//   S::init, destroy   give a new object its own members (boxes, rc blocks)
//                      and free what one owns; the containers call them
//   S::Mut::log_whole  logs the whole object now, in one journal entry: its
//                      field writes that follow in the transaction cost no
//                      further logging (worth it when a transaction changes
//                      several fields of one object; pschema::log_whole(a, b)
//                      logs several objects behind one fence, log_whole.hpp).
//                      Not on a struct holding a mutex<T> in place, which has
//                      `holds_mutex` instead: rolling back a logged lock word
//                      could release a lock another transaction holds.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pschema/access.hpp"
#include "pschema/array.hpp"
#include "pschema/box.hpp"
#include "pschema/errors.hpp"
#include "pschema/handle.hpp"
#include "pschema/log_whole.hpp"
#include "pschema/map.hpp"
#include "pschema/mutex.hpp"
#include "pschema/optional.hpp"
#include "pschema/pool.hpp"
#include "pschema/rc.hpp"
#include "pschema/rebind.hpp"
#include "pschema/session.hpp"
#include "pschema/string.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"
#include "pschema/value.hpp"
#include "pschema/vec.hpp"
#include "pschema/version.hpp"
