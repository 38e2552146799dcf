// Uses an installed pschema: the header generated from counter.pschema must
// exist and compile, and the runtime library must link and work (create a
// pool, commit a transaction, reopen, read the committed value).
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "counter.pschema.h"
#include "pschema/pool.hpp"
#include "pschema/schema_info.hpp"

namespace {

// Written by hand rather than taken from the generated header, so this
// test checks the build integration only, not the generated API.
struct CounterRoot {
  std::uint64_t value;
  std::uint64_t step;
};

pschema::SchemaInfo counter_schema() {
  pschema::SchemaInfo info;
  info.name = "consumer.Counters";
  info.fingerprint = 0xC0C0C0C0;
  info.text = "package consumer;\nstruct Counter { value: u64; step: u64; }\npool Counters { root: Counter; }\n";
  info.root_size = sizeof(CounterRoot);
  info.root_type_id = 1;
  return info;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer POOL_FILE\n");
    return 2;
  }
  const std::string path = argv[1];
  try {
    std::filesystem::remove(path);
    {
      auto pool = pschema::Pool::create(path, 4 << 20, counter_schema());
      pool.transaction([](pschema::Transaction& tx) {
        auto* root = tx.at<CounterRoot>(tx.root_offset());
        tx.write(root->step, std::uint64_t{3});
        tx.write(root->value, root->value + root->step);
      });
    }
    auto pool = pschema::Pool::open(path, counter_schema());
    const std::uint64_t value =
        pool.read([](const pschema::ReadView& view) { return view.at<CounterRoot>(view.root_offset())->value; });
    if (value != 3) {
      std::fprintf(stderr, "consumer: read %llu from the reopened pool, expected 3\n",
                   static_cast<unsigned long long>(value));
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
  std::printf("consumer: ok\n");
  return 0;
}
