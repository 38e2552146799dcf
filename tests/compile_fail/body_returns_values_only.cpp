// A transaction or read body may return only values that cannot refer into
// the pool (pschema::returnable, pschema/returnable.hpp): an allow-list, so
// a View or Mut wrapped in a standard type, a container view, a string_view
// of a string field or a std::function capturing a view is refused too.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "bank.pschema.h"
#include "fruit.pschema.h"

void escapes(bank::Ledger& ledger, fruit::Orchards& orchards) {
#if PSCHEMA_CASE_FAIL == 1  // expect: a read body may return only values that cannot refer into the pool
  auto kept = ledger.read([](const bank::Ledger::Snapshot& s) {
    return std::pair<int, bank::Account::View>(1, s.root().accounts()[0]);
  });
#else
  auto kept = ledger.read([](const bank::Ledger::Snapshot& s) {
    return std::pair<int, std::string>(1, std::string(s.root().accounts()[0].owner()));
  });
#endif
  (void)kept;

#if PSCHEMA_CASE_FAIL == 2  // expect: a read body may return only values that cannot refer into the pool
  auto all = ledger.read([](const bank::Ledger::Snapshot& s) {
    return std::vector<bank::Account::View>{s.root().accounts()[0]};
  });
#else
  auto all = ledger.read([](const bank::Ledger::Snapshot& s) {
    return std::vector<bank::Money::Value>{s.root().accounts()[0].balance().to_value()};
  });
#endif
  (void)all;

#if PSCHEMA_CASE_FAIL == 3  // expect: a transaction body may return only values that cannot refer into the pool
  auto written = ledger.transaction([](bank::Ledger::Tx& tx) {
    return std::tuple<bank::Account::Mut>(tx.root().accounts().emplace_back());
  });
#else
  auto written = ledger.transaction([](bank::Ledger::Tx& tx) {
    return std::optional<pschema::Handle<bank::Accounts>>(tx.handle<bank::Accounts>(tx.root()));
  });
#endif
  (void)written;

#if PSCHEMA_CASE_FAIL == 4  // expect: a read body may return only values that cannot refer into the pool
  auto accounts = ledger.read([](const bank::Ledger::Snapshot& s) { return s.root().accounts(); });
#else
  auto accounts = ledger.read([](const bank::Ledger::Snapshot& s) { return s.root().accounts().size(); });
#endif
  (void)accounts;

#if PSCHEMA_CASE_FAIL == 5  // expect: a read body may return only values that cannot refer into the pool
  auto names = orchards.read([](const fruit::Orchards::Snapshot& s) { return s.root().by_name(); });
#else
  auto names = orchards.read([](const fruit::Orchards::Snapshot& s) { return s.root().by_name().size(); });
#endif
  (void)names;

#if PSCHEMA_CASE_FAIL == 6  // expect: a read body may return only values that cannot refer into the pool
  auto owner = ledger.read([](const bank::Ledger::Snapshot& s) { return s.root().accounts()[0].owner(); });
#else
  auto owner = ledger.read([](const bank::Ledger::Snapshot& s) { return std::string(s.root().accounts()[0].owner()); });
#endif
  (void)owner;

#if PSCHEMA_CASE_FAIL == 7  // expect: a read body may return only values that cannot refer into the pool
  auto later = ledger.read([](const bank::Ledger::Snapshot& s) {
    return std::function<std::int64_t()>([a = s.root().accounts()[0]] { return a.balance().cents(); });
  });
#else
  auto later = ledger.read([](const bank::Ledger::Snapshot& s) { return s.root().accounts()[0].balance().to_value(); });
#endif
  (void)later;

#if PSCHEMA_CASE_FAIL == 8  // expect: a transaction body may return only values that cannot refer into the pool
  auto grown = ledger.transaction([](bank::Ledger::Tx& tx) { return tx.root().accounts(); });
#else
  auto grown = ledger.transaction([](bank::Ledger::Tx& tx) { return tx.root().accounts().size(); });
#endif
  (void)grown;

#if PSCHEMA_CASE_FAIL == 9  // expect: a transaction body may return only values that cannot refer into the pool
  auto text = ledger.transaction([](bank::Ledger::Tx& tx) { return tx.root().accounts()[0].owner(); });
#else
  auto text = ledger.transaction([](bank::Ledger::Tx& tx) { return tx.root().accounts()[0].owner().size(); });
#endif
  (void)text;
}
