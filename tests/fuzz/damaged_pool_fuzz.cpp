// Robustness test of the runtime on damaged pools: a pool with every kind
// of pointer and length (damaged_pool.pschema) is built and closed, then
// copies of it are damaged (1-16 random bytes anywhere; or words inside
// allocated objects overwritten with plausible and implausible offsets,
// lengths and counts: pointer fields, vec and string sizes, map node
// headers and children), opened, read through every view, changed in a
// small transaction, and opened and read again. Every case must end in
// correct behaviour or a pschema::error: never a signal, another
// exception, or a sanitizer report (run it under ASan and UBSan, which
// abort on the first report: the cases run in this process).
//
//   damaged_pool_fuzz [--runs N] [--dir DIR]
//
// Environment: PSCHEMA_RUNTIME_FUZZ_SEED (default: random, printed),
// PSCHEMA_RUNTIME_FUZZ_RUNS (default 300). Everything is a function of the
// seed and the case number: a failure prints both.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "damaged_pool.pschema.h"
#include "mutator.hpp"
#include "pschema/format/heap_walk.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/rebind.hpp"

namespace {

using damaged::Damaged;
using pschema::fuzz::Rng;
namespace format = pschema::format;

// The undo engine: a closed pool is one self-contained file.
pschema::PoolOptions make_options() {
  pschema::PoolOptions o;
  o.backend = pschema::Backend::pmem;
  return o;
}
const pschema::PoolOptions options = make_options();

std::string long_text(const std::string& stem, std::size_t n) {
  std::string text = stem;
  while (text.size() < n) text += "-" + stem;
  return text;
}

// A pool with varied content: inline and heap strings, vecs of scalars,
// strings, structs and boxes, a chain of boxes, an rc graph with weak
// links, maps deep enough to have inner nodes, optionals; and freed
// blocks between the live ones (erased entries, a replaced box).
void build(const std::string& path) {
  Damaged pool = Damaged::create(path, 4 << 20, options);
  pool.transaction([](Damaged::Tx& tx) {
    auto root = tx.root();
    root.set_flag(true);
    root.set_mood(damaged::Mood::busy);
    root.set_point({3, -4});
    root.set_title(long_text("title", 40));
    root.set_blob(std::as_bytes(std::span(std::string_view("\x01\x02\x03 some bytes, longer than inline"))));
    for (std::uint64_t i = 0; i < 50; ++i) root.numbers().push_back(i * i);
    for (int i = 0; i < 20; ++i) root.switches().push_back(i % 3 == 0);
    for (int i = 0; i < 12; ++i) root.words().emplace_back().assign(i % 2 == 0 ? "w" : long_text("word", 30 + i));
    for (int i = 0; i < 5; ++i) {
      auto p = root.points().emplace_back();
      p.set_x(i);
      p.set_y(-i);
    }
    for (int i = 0; i < 6; ++i) {
      auto node = root.nodes().emplace_back().get();
      node.set_name(long_text("node", 10 + 5 * i));
      for (int j = 0; j < i * 3; ++j) node.values().push_back(j - i);
    }
    auto at = root.head().get();
    for (int i = 0; i < 8; ++i) {
      at.set_name(long_text("chain", 4 * i));
      at.values().push_back(i);
      pschema::rebind(at, at.next().emplace());
    }
    root.maybe().emplace().set_name("maybe");
    auto shared = root.shared().get();
    shared.set_label(long_text("shared", 30));
    shared.child().emplace().set_label("child");
    root.maybe_shared().share(root.shared());
    root.watcher().set(root.shared());
    shared.peer().set(root.maybe_shared());
    for (std::uint64_t k = 0; k < 300; ++k) root.by_id().insert_or_assign(k * 7, k);
    for (int k = 0; k < 90; ++k) {
      auto [node, made] = root.by_name().try_emplace(long_text("key" + std::to_string(k), k % 3 == 0 ? 5 : 26));
      node.set_name(std::to_string(k));
      node.values().push_back(k);
    }
    for (int k = 0; k < 5; ++k) {
      const std::string key = long_text("b" + std::to_string(k), 25);
      root.by_bytes().insert_or_assign(std::as_bytes(std::span(key)), long_text("value", 5 + 10 * k));
    }
    root.maybe_number().set(42);
    root.maybe_flag().set(true);
    root.by_flag().insert_or_assign(true, false);
    root.maybe_point().emplace().set_y(8);
    root.maybe_name().emplace().assign(long_text("maybe-name", 30));
  });
  // Freed blocks among the live ones.
  pool.transaction([](Damaged::Tx& tx) {
    auto root = tx.root();
    for (std::uint64_t k = 0; k < 300; k += 5) root.by_id().erase(k * 7);
    root.nodes().erase(2);
    root.maybe().reset();
    root.words().pop_back();
  });
  pool.close();
}

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(bytes.size());
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

void write_file(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

// The pristine pool, and what targeted damage aims at.
struct Sample {
  std::vector<std::byte> bytes;
  std::uint64_t root = 0;
  std::vector<format::HeapBlock> blocks;  // allocated ones
};

Sample load(const std::string& path) {
  Sample s;
  s.bytes = read_file(path);
  format::Superblock sb{};
  std::memcpy(&sb, s.bytes.data(), sizeof sb);
  s.root = sb.root_offset;
  format::HeapWalk walk(s.bytes, sb.heap_offset, sb.heap_offset + sb.heap_size);
  while (auto block = walk.next()) {
    if (block->allocated) s.blocks.push_back(*block);
  }
  return s;
}

// Values that a damaged pointer, length or count takes: far out, just
// past the end, misaligned, another object, zero, all ones.
std::uint64_t bad_value(Rng& rng, const Sample& s, std::uint64_t old) {
  switch (rng.below(9)) {
    case 0: return rng.next();
    case 1: return 0x1000000000ULL;
    case 2: return s.bytes.size() - rng.below(64);
    case 3: return old + 1 + rng.below(7);
    case 4: return rng.pick(s.blocks).payload() + 8 * rng.below(4);
    case 5: return 0;
    case 6: return ~std::uint64_t{0} - rng.below(4);
    case 7: return old ^ (std::uint64_t{1} << rng.below(64));
    default: return old + (std::uint64_t{1} << (32 + rng.below(28)));
  }
}

std::vector<std::byte> damage(Rng& rng, const Sample& s, std::string& how) {
  std::vector<std::byte> bytes = s.bytes;
  if (rng.percent(30)) {
    const std::size_t n = rng.between(1, 16);
    how = std::to_string(n) + " random bytes";
    for (std::size_t i = 0; i < n; ++i) bytes[rng.below(bytes.size())] = static_cast<std::byte>(rng.next());
    return bytes;
  }
  // Words inside objects: the root (which holds every container's field)
  // half of the time, else any allocated block (nodes, buffers, boxes).
  const std::size_t n = rng.between(1, 3);
  how = std::to_string(n) + " words in objects at";
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t begin = s.root, size = sizeof(damaged::Root::Layout);
    if (rng.percent(50)) {
      const format::HeapBlock& block = rng.pick(s.blocks);
      begin = block.payload();
      size = std::min<std::uint64_t>(block.payload_size(), 512);
    }
    const std::uint64_t at = begin + 8 * rng.below(size / 8);
    std::uint64_t old;
    std::memcpy(&old, bytes.data() + at, 8);
    std::uint64_t value = bad_value(rng, s, old);
    if (rng.percent(25)) value = (old & ~std::uint64_t{0xFFFFFFFF}) | (value & 0xFFFFFFFF);  // a u32 count
    std::memcpy(bytes.data() + at, &value, 8);
    how += " " + std::to_string(at);
  }
  return bytes;
}

// Reads everything reachable, as a program would (boxes and rc links are
// followed a bounded number of steps: damage can make them cyclic).
std::uint64_t checksum = 0;
void eat(std::uint64_t v) { checksum = checksum * 31 + v; }
void eat(std::string_view text) {
  for (char c : text) eat(static_cast<unsigned char>(c));
}
void eat(std::span<const std::byte> bytes) {
  for (std::byte b : bytes) eat(static_cast<std::uint64_t>(b));
}

void read_node(const damaged::Node::View& start) {
  std::optional<damaged::Node::View> node = start;
  for (int steps = 0; node && steps < 100; ++steps) {
    eat(node->name());
    for (std::int64_t v : node->values()) eat(static_cast<std::uint64_t>(v));
    pschema::rebind(node, node->next());
  }
}

void read_shared(const damaged::Shared::View& start) {
  std::optional<damaged::Shared::View> at = start;
  for (int steps = 0; at && steps < 100; ++steps) {
    eat(at->label());
    if (auto peer = at->peer().lock()) eat(peer->label());
    pschema::rebind(at, at->child());
  }
}

void read_all(const Damaged& pool) {
  pool.read([](const Damaged::Snapshot& s) {
    auto root = s.root();
    eat(root.flag() ? 1 : 2);
    eat(static_cast<std::uint64_t>(root.mood()));
    eat(static_cast<std::uint64_t>(root.point().x()));
    for (auto corner : root.corners()) eat(static_cast<std::uint64_t>(corner.y()));
    eat(root.title());
    eat(root.blob());
    for (std::uint64_t v : root.numbers()) eat(v);
    for (bool b : root.switches()) eat(b ? 3 : 4);
    for (auto [k, v] : root.by_flag()) eat(k == v ? 5 : 6);
    if (auto f = root.maybe_flag()) eat(*f ? 7 : 8);
    for (std::string_view w : root.words()) eat(w);
    for (auto p : root.points()) eat(static_cast<std::uint64_t>(p.x()) + static_cast<std::uint64_t>(p.y()));
    for (auto node : root.nodes()) read_node(node);
    read_node(root.head());
    if (auto maybe = root.maybe()) read_node(*maybe);
    read_shared(root.shared());
    if (auto shared = root.maybe_shared()) read_shared(*shared);
    if (auto watched = root.watcher().lock()) eat(watched->label());
    for (auto [k, v] : root.by_id()) eat(k + v);
    eat(root.by_id().contains(14) ? 1 : 0);
    if (auto v = root.by_id().find(21)) eat(*v);
    for (auto it = root.by_id().lower_bound(1000); it != root.by_id().end(); ++it) eat((*it).second);
    for (auto [k, node] : root.by_name()) {
      eat(k);
      read_node(node);
    }
    if (auto node = root.by_name().find("key7")) read_node(*node);
    for (auto [k, v] : root.by_bytes()) {
      eat(k);
      eat(v);
    }
    if (auto n = root.maybe_number()) eat(*n);
    if (auto p = root.maybe_point()) eat(static_cast<std::uint64_t>(p->y()));
    if (auto name = root.maybe_name()) eat(*name);
  });
}

// A small transaction touching every kind of container: appends and
// erases, string replacement, map inserts and erases (splits included),
// box and rc replacement (frees).
void change(Damaged& pool, std::uint64_t salt) {
  pool.transaction([salt](Damaged::Tx& tx) {
    auto root = tx.root();
    root.numbers().push_back(salt);
    if (!root.switches().empty()) root.switches().set(0, !root.switches()[0]);
    root.by_flag().insert_or_assign(false, true);
    if (!root.numbers().empty()) root.numbers().erase(0);
    root.words().emplace_back().assign(long_text("more", 30));
    root.set_title(long_text("new title", 20 + salt % 30));
    root.set_blob({});
    for (std::uint64_t k = 0; k < 40; ++k) root.by_id().insert_or_assign(k * 7 + salt % 7, k);
    root.by_id().erase(14);
    root.by_name().try_emplace(long_text("new key", 30)).first.set_name("new");
    root.by_name().erase("key4");
    root.by_bytes().clear();
    if (!root.nodes().empty()) root.nodes().pop_back();
    root.head().get().values().push_back(1);
    root.maybe().emplace().set_name("again");
    root.shared().get().child().reset();
    root.maybe_shared().reset();
    root.maybe_name().reset();
  });
}

// One case: what happened, or an exit for what must never happen.
std::string run_case(const std::string& path) {
  try {
    {
      Damaged pool = Damaged::open(path, options);
      read_all(pool);
      change(pool, checksum);
      read_all(pool);
      pool.close();
    }
    Damaged again = Damaged::open(path, options);
    read_all(again);
    return "ok";
  } catch (const pschema::error& e) {
    return std::string("error: ") + e.what();
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = 300;
  std::string dir = std::filesystem::temp_directory_path() / ("damaged_pool_fuzz." + std::to_string(getpid()));
  if (const char* text = std::getenv("PSCHEMA_RUNTIME_FUZZ_RUNS")) runs = std::stoul(text);
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--runs") {
      runs = std::stoul(argv[i + 1]);
    } else if (arg == "--dir") {
      dir = argv[i + 1];
    } else {
      std::cerr << "usage: damaged_pool_fuzz [--runs N] [--dir DIR]\n";
      return 2;
    }
  }
  std::uint64_t seed = 0;
  if (const char* text = std::getenv("PSCHEMA_RUNTIME_FUZZ_SEED")) {
    seed = std::stoull(text);
  } else {
    seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  std::cout << "damaged_pool_fuzz: seed " << seed << ", " << runs << " cases" << std::endl;

  std::filesystem::create_directories(dir);
  const std::string pristine = dir + "/pristine.pool";
  std::filesystem::remove(pristine);
  build(pristine);
  const Sample sample = load(pristine);
  // The pristine pool must read and change without error, else the test
  // could pass by failing everywhere.
  if (run_case(pristine) != "ok") {
    std::cerr << "the undamaged pool failed: " << run_case(pristine) << "\n";
    return 1;
  }

  std::size_t ok = 0, errors = 0;
  const std::string path = dir + "/case.pool";
  for (std::size_t n = 0; n < runs; ++n) {
    Rng rng(seed * 1000003 + n);
    std::string how;
    write_file(path, damage(rng, sample, how));
    std::string outcome;
    try {
      outcome = run_case(path);
    } catch (const std::exception& e) {
      std::cerr << "case " << n << " (seed " << seed << ", " << how << "): not a pschema::error: " << e.what() << "\n";
      return 1;
    }
    if (outcome == "ok") {
      ++ok;
    } else {
      ++errors;
    }
    if (std::getenv("PSCHEMA_RUNTIME_FUZZ_VERBOSE") != nullptr) {
      std::cout << "case " << n << " (" << how << "): " << outcome << "\n";
    }
  }
  std::filesystem::remove_all(dir);
  std::cout << runs << " cases: " << ok << " read and changed, " << errors << " refused with a pschema::error"
            << std::endl;
  return 0;
}
