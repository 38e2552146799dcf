// Structs held in place before the schema declares them (by value, in an
// array, an optional or a mutex): the generated header compiles, with every
// Layout defined before the Layouts holding it, and the values round-trip.
// Before the emitter ordered mutex elements too, this file did not compile.
#include <doctest/doctest.h>

#include "declaration_order.pschema.h"
#include "test_support.hpp"

TEST_CASE("structs held in place are laid out before their holders, whatever the declaration order") {
  static_assert(sizeof(order::Root::Layout) > 3 * sizeof(order::Counter::Layout));
  test_support::ScratchDir dir;
  order::Orders orders = order::Orders::create(dir.file("order.pool"), test_support::small_pool);
  orders.transaction([](order::Orders::Tx& tx) {
    order::Root::Mut root = tx.root();
    root.guarded().lock().set_n(5);
    root.guarded_many()[1].lock().set_n(7);
    root.maybe().emplace().set_x(3);
    root.held().set_x(4);
  });
  orders.read([](const order::Orders::Snapshot& s) {
    order::Root::View root = s.root();
    CHECK(root.guarded().lock().n() == 5);
    CHECK(root.guarded_many()[0].lock().n() == 0);
    CHECK(root.guarded_many()[1].lock().n() == 7);
    REQUIRE(root.maybe().has_value());
    CHECK(root.maybe()->x() == 3);
    CHECK(root.held().x() == 4);
  });
}
