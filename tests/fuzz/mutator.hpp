// Seeded random mutations of schema text for the generator robustness test
// (generator_fuzz.cpp). Everything is a pure function of the seed and the
// case number, so a failing case can be made again from the two numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pschema::fuzz {

// splitmix64: small, fast and the same on every platform and standard
// library (std::uniform_int_distribution is not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, n); 0 when n is 0.
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  // In [lo, hi].
  std::size_t between(std::size_t lo, std::size_t hi) { return lo + below(hi - lo + 1); }
  bool percent(unsigned p) { return below(100) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::uint64_t state_;
};

struct SeedSchema {
  std::string name;  // file name, e.g. "bank.pschema"
  std::string text;
  unsigned weight = 1;  // how often a case starts from it
  bool valid = false;   // the generator accepts it
};

// One generated input: the schema given to the generator and, when it
// imports "fuzz_import.pschema", the text of that file too.
struct Case {
  std::string main_text;
  bool has_import = false;
  std::string import_text;
  std::string seed_name;               // the seed schema the case started from
  std::vector<std::string> mutations;  // what was done, for the report
};

inline constexpr const char* main_file_name = "fuzz_input.pschema";
inline constexpr const char* import_file_name = "fuzz_import.pschema";

// Case `index` of the run with `seed`.
Case make_case(std::uint64_t seed, std::uint64_t index, const std::vector<SeedSchema>& seeds);

}  // namespace pschema::fuzz
