// Uses an installed pschema: the header generated from counter.pschema
// (which imports units.pschema) compiles, and the generated pool, its
// operations and the runtime work: create, run operations, reopen, read.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "counter.pschema.h"

std::uint64_t consumer::Counters::Ops::bump(Tx& tx) {
  consumer::Counter::Mut counter = tx.root();
  if (counter.step().amount() == 0) counter.step().set_amount(3);
  counter.history().push_back(counter.value());
  counter.set_value(counter.value() + counter.step().amount());
  return counter.value();
}

std::uint64_t consumer::Counters::Ops::current(const Snapshot& snapshot) { return snapshot.root().value(); }

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer POOL_FILE\n");
    return 2;
  }
  const std::string path = argv[1];
  try {
    std::filesystem::remove(path);
    {
      auto counters = consumer::Counters::create(path, 4 << 20);
      counters.bump();
      counters.bump();
    }
    auto counters = consumer::Counters::open(path);
    const std::uint64_t value = counters.current();
    const std::size_t history =
        counters.read([](const consumer::Counters::Snapshot& s) { return s.root().history().size(); });
    if (value != 6 || history != 2) {
      std::fprintf(stderr, "consumer: read value %llu and %zu history entries, expected 6 and 2\n",
                   static_cast<unsigned long long>(value), history);
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
  std::printf("consumer: ok\n");
  return 0;
}
