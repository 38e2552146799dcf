#include "wordcount_bench.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "splitmix.hpp"
#include "stats.hpp"
#include "storage.hpp"
#include "wordcount.pschema.h"

using wordcount::WordCount;

namespace {

// Calls f(word) for every word of `chunk` (words separated by single
// spaces): the split both systems do.
template <class F>
void for_each_word(std::string_view chunk, F&& f) {
  std::size_t begin = 0;
  while (begin < chunk.size()) {
    std::size_t end = chunk.find(' ', begin);
    if (end == std::string_view::npos) end = chunk.size();
    f(chunk.substr(begin, end - begin));
    begin = end + 1;
  }
}

}  // namespace

// The generated operation, written as a user would: split the chunk at
// spaces and bump each word's count with one walk down the tree.
void WordCount::Ops::count_chunk(Tx& tx, std::string_view chunk) {
  auto words = tx.root().words();
  for_each_word(chunk, [&](std::string_view word) { words.update(word, [](std::uint64_t& n) { ++n; }); });
}

namespace harness {

namespace {

constexpr std::size_t vocabulary_size = 20'000;
constexpr std::size_t words_per_chunk = 1'000;
constexpr std::size_t pool_size = std::size_t{64} << 20;

// Word i of the vocabulary: letters from its number, 3 to 12 of them.
std::string word_of(std::uint64_t i) {
  std::uint64_t state = i;
  const std::size_t length = 3 + splitmix64(state) % 10;
  std::string word;
  for (std::size_t k = 0; k < length; ++k) word += static_cast<char>('a' + splitmix64(state) % 26);
  return word + std::to_string(i % 10);  // distinct even where the letters collide
}

// `words` words drawn with Zipf's law (s = 1) from the vocabulary, in
// chunks of words_per_chunk separated by spaces: natural text's shape,
// where a few words make most of the occurrences.
std::vector<std::string> make_chunks(std::size_t words, std::uint64_t seed) {
  std::vector<std::string> vocabulary;
  std::vector<double> cumulative;
  double sum = 0;
  for (std::size_t i = 0; i < vocabulary_size; ++i) {
    vocabulary.push_back(word_of(i));
    sum += 1.0 / static_cast<double>(i + 1);
    cumulative.push_back(sum);
  }
  std::vector<std::string> chunks;
  std::uint64_t state = seed;
  for (std::size_t w = 0; w < words; ++w) {
    if (w % words_per_chunk == 0) chunks.emplace_back();
    const double u = static_cast<double>(splitmix64(state) >> 11) / 9007199254740992.0 * sum;
    const auto at = std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
    std::string& chunk = chunks.back();
    if (!chunk.empty()) chunk += ' ';
    chunk += vocabulary[std::min<std::size_t>(at, vocabulary_size - 1)];
  }
  return chunks;
}

using Counts = std::map<std::string, std::uint64_t, std::less<>>;

// The same count in DRAM: std::map, the same split.
Counts count_volatile(const std::vector<std::string>& chunks) {
  Counts counts;
  for (const std::string& chunk : chunks) {
    for_each_word(chunk, [&](std::string_view word) {
      auto it = counts.find(word);
      if (it == counts.end()) it = counts.emplace(std::string(word), 0).first;
      ++it->second;
    });
  }
  return counts;
}

// Reads the pool's counts back and throws unless they are `expected`.
void verify(WordCount& pool, const Counts& expected) {
  pool.read([&](const WordCount::Snapshot& snapshot) {
    auto words = snapshot.root().words();
    if (words.size() != expected.size()) {
      throw std::runtime_error("wordcount: pschema counted " + std::to_string(words.size()) + " distinct words, " +
                               std::to_string(expected.size()) + " expected");
    }
    for (const auto& [word, n] : expected) {
      if (words.find(word) != std::optional<std::uint64_t>(n)) {
        throw std::runtime_error("wordcount: pschema's count of '" + word + "' differs from std::map's");
      }
    }
    return 0;
  });
}

}  // namespace

std::vector<Result> run_wordcount(const Options& options, std::ostream& log) {
  const std::size_t words = options.n.value_or(1'000'000);
  const std::vector<std::string> chunks = make_chunks(words, options.seed);
  const Counts expected = count_volatile(chunks);  // what every pschema run must leave
  std::vector<double> pschema_ms, volatile_ms;
  std::optional<pschema::Counters> counters;
  for (unsigned run = 0; run < options.repeat; ++run) {
    // Interleaved, a different system first each run.
    for (unsigned turn = 0; turn < 2; ++turn) {
      if ((run + turn) % 2 == 0) {
        Stopwatch watch;
        const Counts counts = count_volatile(chunks);
        volatile_ms.push_back(watch.elapsed_ms());
        if (options.verbose) log << "wordcount volatile run " << run << ": " << volatile_ms.back() << " ms\n";
      } else {
        ScratchFile file("wordcount");
        WordCount pool = WordCount::create(file.path(), pool_size, pool_options());
        require_backend(pool.pool().info().backend, file.path());
        const pschema::Counters before = pool.pool().counters();
        Stopwatch watch;
        for (const std::string& chunk : chunks) pool.count_chunk(chunk);
        pschema_ms.push_back(watch.elapsed_ms());
        counters = pool.pool().counters() - before;
        if (options.verbose) log << "wordcount pschema run " << run << ": " << pschema_ms.back() << " ms\n";
        verify(pool, expected);
      }
    }
  }
  return {summarise("wordcount", "COUNT", "pschema", words, pschema_ms, counters),
          summarise("wordcount", "COUNT", "volatile", words, volatile_ms, std::nullopt)};
}

}  // namespace harness
