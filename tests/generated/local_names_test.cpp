// Fields named like the locals and parameters of the generated code work
// like any other field (schemas/local_names.pschema). A field called `out`
// once broke to_value(), whose local variable had that name.
#include <doctest/doctest.h>

#include "local_names.pschema.h"
#include "test_support.hpp"

TEST_CASE("fields named like the generated code's locals and parameters round-trip") {
  test_support::ScratchDir dir;
  locals::Locals pool = locals::Locals::create(dir.file("locals.pool"), test_support::small_pool);
  pool.transaction([](locals::Locals::Tx& tx) {
    locals::Names::Mut names = tx.root().names();
    names.set_out(1);
    names.set_value(2);
    names.set_tx(3);
    names.set_p(4);
    names.set_base(-5);
  });
  const locals::Names::Value read =
      pool.read([](const locals::Locals::Snapshot& s) { return s.root().names().to_value(); });
  CHECK(read.out == 1);
  CHECK(read.value == 2);
  CHECK(read.tx == 3);
  CHECK(read.p == 4);
  CHECK(read.base == -5);
  pool.transaction([](locals::Locals::Tx& tx) { tx.root().set_names({10, 20, 30, 40, -50}); });
  pool.read([](const locals::Locals::Snapshot& s) {
    locals::Names::View names = s.root().names();
    CHECK(names.out() == 10);
    CHECK(names.value() == 20);
    CHECK(names.tx() == 30);
    CHECK(names.p() == 40);
    CHECK(names.base() == -50);
  });
}
