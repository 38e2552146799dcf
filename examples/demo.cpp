// The first demo: a persistent run counter kept in a pool file.
// Grows into the bank demo once the runtime and generator exist.
#include <libpmem.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "pschema/checksum.hpp"

namespace {

struct Counter {
  std::uint64_t runs;
  std::uint64_t checksum;  // of `runs`: detects a torn or foreign file
};

}  // namespace

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "demo.pool";
  std::size_t mapped_len = 0;
  int is_pmem = 0;
  void* addr = pmem_map_file(path, sizeof(Counter), PMEM_FILE_CREATE, 0644, &mapped_len, &is_pmem);
  if (addr == nullptr) {
    std::fprintf(stderr, "demo: cannot map %s: %s\n", path, pmem_errormsg());
    return 1;
  }
  auto* counter = static_cast<Counter*>(addr);
  std::uint64_t runs = counter->runs;
  if (counter->checksum != pschema::checksum64(&runs, sizeof runs)) {
    std::printf("%s is new (or was not written by this demo): starting from zero\n", path);
    runs = 0;
  }
  ++runs;
  counter->runs = runs;
  counter->checksum = pschema::checksum64(&runs, sizeof runs);
  if (is_pmem) {
    pmem_persist(counter, sizeof *counter);
  } else {
    pmem_msync(counter, sizeof *counter);
  }
  std::printf("this demo has run %llu time(s); the count lives in %s (%s)\n",
              static_cast<unsigned long long>(runs), path, is_pmem ? "persistent memory" : "an ordinary file, msync");
  pmem_unmap(addr, mapped_len);
  return 0;
}
