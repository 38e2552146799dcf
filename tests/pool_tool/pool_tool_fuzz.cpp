// Robustness test of `pschema pool info/dump/check`: seeded random damage
// to real pools (bytes flipped, pointers and sizes overwritten, files cut
// short, headers and journal entries forged with valid checksums so the
// damage gets past the first check). A pool with a file engine log
// (`POOL.wal` next to it) has its log damaged too: bytes flipped, values
// overwritten, records and headers forged with valid checksums, the log cut
// short; and pools without one sometimes get another pool's log. Every run must end with exit status
// 0, 1 or 2 and never with a signal, an exception or a read outside the
// file (run it under ASan: the in-process runs make every read visible).
//
//   pool_tool_fuzz [--pschema PATH] [--runs N] [--exec-every K] POOL...
//
// Cases run in process on a copy of the pool in memory; every K-th case
// (default 25) also runs through the executable on a file. Everything is a
// function of the seed and the case number.
// Environment: PSCHEMA_POOL_FUZZ_SEED (default: random, printed),
// PSCHEMA_POOL_FUZZ_RUNS (default 400).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mutator.hpp"
#include "pool/heap_table.hpp"
#include "pool/pool_commands.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/format/log_reader.hpp"

namespace {

using pschema::fuzz::Rng;
namespace format = pschema::format;

struct Region {
  std::uint64_t begin;
  std::uint64_t end;
};

struct Sample {
  std::string path;
  std::vector<std::byte> bytes;
  format::Superblock sb{};
  Region used_heap{};  // from the heap start to past the last allocated block
  std::vector<std::uint64_t> payloads;  // of allocated blocks: plausible pointer values
  pschema::pool::SchemaCache cache;
  std::vector<std::byte> log;  // its `.wal`, if it has one
  bool has_log = false;
  std::uint64_t salt = 0;
  std::vector<std::uint64_t> records;  // where the log's valid records start
  std::uint64_t log_end = 0;           // and where they end
};

std::vector<std::byte> read_file(const std::string& path, bool& exists) {
  std::ifstream in(path, std::ios::binary);
  exists = static_cast<bool>(in);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(text.size());
  if (!text.empty()) std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

Sample load(const std::string& path) {
  Sample s;
  s.path = path;
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  s.bytes.resize(text.size());
  std::memcpy(s.bytes.data(), text.data(), text.size());
  std::memcpy(&s.sb, s.bytes.data(), sizeof s.sb);
  auto bytes = pschema::pool::PoolBytes::in_memory(path, s.bytes);
  auto header = pschema::pool::read_header(bytes);
  auto heap = pschema::pool::walk_heap(bytes, header);
  std::uint64_t last = s.sb.heap_offset + 64;
  for (const auto& b : heap.blocks) {
    if (!b.allocated) continue;
    s.payloads.push_back(b.payload());
    last = b.offset + b.size;
  }
  s.used_heap = {s.sb.heap_offset, std::min<std::uint64_t>(last + 64, s.bytes.size())};
  s.log = read_file(path + ".wal", s.has_log);
  if (s.has_log) {
    pschema::format::MemoryLogSource source(s.log);
    const auto check = pschema::format::check_log_header(source, s.sb.uuid, header.state.generation);
    s.salt = check.header.salt;
    pschema::format::LogReader reader(source, s.salt, s.sb.heap_offset, s.sb.heap_offset + s.sb.heap_size);
    while (const auto* record = reader.next()) s.records.push_back(record->log_offset);
    s.log_end = reader.end();
  }
  return s;
}

void store_u64(std::vector<std::byte>& bytes, std::uint64_t at, std::uint64_t value) {
  if (at + 8 <= bytes.size()) std::memcpy(bytes.data() + at, &value, 8);
}

void fix_superblock(std::vector<std::byte>& bytes) {
  format::Superblock sb;
  std::memcpy(&sb, bytes.data(), sizeof sb);
  if (sb.schema_text_offset == format::schema_text_offset &&
      sb.schema_text_size < bytes.size() - sb.schema_text_offset) {
    sb.schema_text_checksum = pschema::format::checksum64(bytes.data() + sb.schema_text_offset, sb.schema_text_size);
  }
  sb.checksum = pschema::format::checksum64(&sb, offsetof(format::Superblock, checksum), format::magic);
  std::memcpy(bytes.data(), &sb, sizeof sb);
}

// A journal entry in lane 0 that verifies for the transaction in flight,
// with whatever offset and size the case picked.
void forge_entry(std::vector<std::byte>& bytes, const Sample& s, Rng& rng) {
  const std::uint64_t lane = s.sb.lanes_offset;
  std::uint64_t committed;
  std::memcpy(&committed, bytes.data() + lane, 8);
  format::EntryHeader e{};
  const bool undo = rng.percent(70);
  e.kind = static_cast<std::uint32_t>(undo ? format::EntryKind::undo : format::EntryKind::continue_);
  e.offset = rng.percent(50) ? s.used_heap.begin + rng.below(s.used_heap.end - s.used_heap.begin) : rng.next();
  e.size = rng.percent(70) ? static_cast<std::uint32_t>(rng.below(64)) : static_cast<std::uint32_t>(rng.next());
  const std::uint64_t at = lane + sizeof(format::LaneHeader);
  const std::uint64_t seed = (committed + 1) * 0x9E3779B97F4A7C15ULL;  // lane 0
  const std::uint64_t h = pschema::format::checksum64(&e, offsetof(format::EntryHeader, checksum), seed);
  const std::uint64_t room = s.sb.lane_size - sizeof(format::LaneHeader) - sizeof e;
  if (undo && e.size <= room) {
    e.checksum = pschema::format::checksum64(bytes.data() + at + sizeof e, e.size, h);
  } else {
    e.checksum = h;
  }
  std::memcpy(bytes.data() + at, &e, sizeof e);
}

// Damages `bytes` (a copy of the sample); returns the length to use.
std::size_t mutate(std::vector<std::byte>& bytes, const Sample& s, Rng& rng, std::string& what) {
  const std::uint64_t text_end = format::schema_text_offset + s.sb.schema_text_size;
  const int count = static_cast<int>(rng.between(1, 8));
  bool header_touched = false;
  for (int i = 0; i < count; ++i) {
    const unsigned choice = static_cast<unsigned>(rng.below(100));
    Region r{};
    if (choice < 55) {
      r = s.used_heap;
    } else if (choice < 65) {
      r = {0, sizeof(format::Superblock)};
      header_touched = true;
    } else if (choice < 70) {
      r = {format::state_offset, format::state_offset + 2 * sizeof(format::PoolState)};
    } else if (choice < 75) {
      r = {format::schema_text_offset, text_end};
      header_touched = true;
    } else if (choice < 85) {
      r = {s.sb.lanes_offset, s.sb.lanes_offset + 256};
    } else if (choice < 92) {
      forge_entry(bytes, s, rng);
      what += " forged-entry";
      continue;
    } else {
      r = {0, bytes.size()};
    }
    if (r.end <= r.begin) continue;
    const std::uint64_t at = r.begin + rng.below(r.end - r.begin);
    if (rng.percent(60)) {
      bytes[at] ^= static_cast<std::byte>(1u << rng.below(8));
      what += " flip@" + std::to_string(at);
    } else {
      // A plausible but wrong value where a pointer, size or count may be.
      const std::uint64_t aligned = at & ~std::uint64_t{7};
      const std::uint64_t values[] = {0,
                                      1,
                                      s.sb.heap_offset,
                                      s.sb.heap_offset + s.sb.heap_size,
                                      s.sb.root_offset,
                                      s.payloads.empty() ? 0 : s.payloads[rng.below(s.payloads.size())],
                                      s.payloads.empty() ? 0 : s.payloads[rng.below(s.payloads.size())] + 8,
                                      ~std::uint64_t{0},
                                      rng.below(1 << 16),
                                      rng.next()};
      const std::uint64_t value = values[rng.below(std::size(values))];
      store_u64(bytes, aligned, value);
      what += " u64@" + std::to_string(aligned);
    }
  }
  if (header_touched && rng.percent(60)) {
    fix_superblock(bytes);
    what += " fixed-checksums";
  }
  if (rng.percent(5)) {
    const std::size_t length = rng.below(bytes.size());
    what += " truncated-to-" + std::to_string(length);
    return length;
  }
  return bytes.size();
}

namespace logformat = pschema::logformat;

void reseal_log_header(std::vector<std::byte>& log) {
  if (log.size() < sizeof(logformat::LogHeader)) return;
  logformat::LogHeader h;
  std::memcpy(&h, log.data(), sizeof h);
  h.checksum = pschema::format::log_header_checksum(h);
  std::memcpy(log.data(), &h, sizeof h);
}

// A record at `at` that verifies (salt, both checksums) with whatever
// sequence, size, ranges and durable_before the case picked: the damage
// gets past the checksums to the reader's other checks.
void forge_record(std::vector<std::byte>& log, const Sample& s, Rng& rng, std::uint64_t at) {
  const std::uint64_t heap_begin = s.sb.heap_offset, heap_end = s.sb.heap_offset + s.sb.heap_size;
  std::vector<std::byte> body;
  const std::uint32_t ranges = static_cast<std::uint32_t>(rng.below(4));
  for (std::uint32_t i = 0; i < ranges; ++i) {
    logformat::RangeHeader range{};
    range.offset = rng.percent(70)   ? heap_begin + rng.below(heap_end - heap_begin)
                   : rng.percent(50) ? heap_end - rng.below(16)
                                     : rng.next();
    range.size = rng.percent(80) ? rng.below(48) : rng.next();
    const std::uint64_t stored =
        std::min<std::uint64_t>(logformat::padded(std::min<std::uint64_t>(range.size, 48)), 48);
    const std::size_t pos = body.size();
    body.resize(pos + sizeof range + stored);
    std::memcpy(body.data() + pos, &range, sizeof range);
    for (std::uint64_t b = 0; b < stored; ++b) body[pos + sizeof range + b] = static_cast<std::byte>(rng.below(256));
  }
  logformat::RecordHeader h{};
  h.salt = s.salt;
  h.sequence = rng.percent(60) ? s.records.size() + 1 : rng.below(8);
  h.size = rng.percent(80) ? sizeof h + body.size() : rng.next() & ~std::uint64_t{7};
  h.durable_before = rng.percent(50) ? rng.below(at + 1) : rng.next();
  h.ranges = rng.percent(80) ? ranges : static_cast<std::uint32_t>(rng.below(6));
  h.maintenance_ranges = rng.percent(80) ? 0 : static_cast<std::uint32_t>(rng.below(3));
  h.maintenance_offset = rng.percent(80) ? sizeof h + body.size() : sizeof h + (rng.below(8) * 8);
  const std::uint64_t split = std::min<std::uint64_t>(h.maintenance_offset - sizeof h, body.size());
  const std::uint64_t first = pschema::format::checksum64(body.data(), split, s.salt);
  h.body_checksum = pschema::format::checksum64(body.data() + split, body.size() - split, first);
  h.header_checksum = pschema::format::log_record_header_checksum(h);
  if (at + sizeof h + body.size() > log.size()) log.resize(at + sizeof h + body.size());
  std::memcpy(log.data() + at, &h, sizeof h);
  if (!body.empty()) std::memcpy(log.data() + at + sizeof h, body.data(), body.size());
}

// Damages `log` (a copy of the sample's); returns the length to use.
std::size_t mutate_log(std::vector<std::byte>& log, const Sample& s, Rng& rng, std::string& what) {
  const std::uint64_t used = std::min<std::uint64_t>(log.size(), s.log_end + 256);
  const int count = static_cast<int>(rng.between(1, 4));
  for (int i = 0; i < count; ++i) {
    const unsigned choice = static_cast<unsigned>(rng.below(100));
    if (choice < 35 && used > 0) {
      const std::uint64_t at = rng.below(used);
      log[at] ^= static_cast<std::byte>(1u << rng.below(8));
      what += " log-flip@" + std::to_string(at);
    } else if (choice < 50 && used >= 8) {
      const std::uint64_t at = rng.below(used) & ~std::uint64_t{7};
      const std::uint64_t values[] = {
          0, s.salt, s.log_end, s.sb.heap_offset, ~std::uint64_t{0}, rng.below(1 << 16), rng.next()};
      store_u64(log, at, values[rng.below(std::size(values))]);
      what += " log-u64@" + std::to_string(at);
    } else if (choice < 65 && log.size() >= sizeof(logformat::LogHeader)) {
      logformat::LogHeader h;
      std::memcpy(&h, log.data(), sizeof h);
      const unsigned field = static_cast<unsigned>(rng.below(4));
      if (field == 0) h.pool_generation += rng.percent(50) ? 1 : ~std::uint64_t{0};  // newer or older
      if (field == 1) h.pool_uuid[rng.below(16)] ^= 1;
      if (field == 2) h.version = static_cast<std::uint32_t>(rng.below(3));
      if (field == 3) h.salt = rng.next();
      std::memcpy(log.data(), &h, sizeof h);
      reseal_log_header(log);
      what += " log-header-field-" + std::to_string(field);
    } else if (choice < 90) {
      // Over a valid record, at the end of the valid ones, or a little after.
      std::uint64_t at = s.log_end;
      if (!s.records.empty() && rng.percent(50)) at = s.records[rng.below(s.records.size())];
      if (rng.percent(20)) at += 8 * rng.between(1, 64);
      forge_record(log, s, rng, at);
      what += " log-forged-record@" + std::to_string(at);
    } else {
      const std::size_t length = rng.below(log.size() + 1);
      what += " log-truncated-to-" + std::to_string(length);
      return length;
    }
  }
  return log.size();
}

bool ok_status(int status) { return status == 0 || status == 1 || status == 2; }

// Runs the executable; true when it exited with 0, 1 or 2 within 60 s.
bool run_executable(const std::string& pschema, const std::vector<std::string>& args, std::string& why) {
  const pid_t child = ::fork();
  if (child < 0) {
    why = "fork failed";
    return false;
  }
  if (child == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(pschema.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::FILE* null = std::freopen("/dev/null", "w", stdout);
    null = std::freopen("/dev/null", "w", stderr);
    (void)null;
    ::execv(pschema.c_str(), argv.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      why = "timed out";
      return false;
    }
    ::usleep(1000);
  }
  if (WIFSIGNALED(status)) {
    why = "killed by signal " + std::to_string(WTERMSIG(status));
    return false;
  }
  if (!WIFEXITED(status) || !ok_status(WEXITSTATUS(status))) {
    why = "exit status " + std::to_string(WEXITSTATUS(status));
    return false;
  }
  return true;
}

// A sample with a log, whose log other pools can be given.
const Sample* foreign_log(const std::vector<Sample>& samples) {
  for (const Sample& s : samples) {
    if (s.has_log) return &s;
  }
  return nullptr;
}

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 0) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pschema;
  std::uint64_t runs = env_number("PSCHEMA_POOL_FUZZ_RUNS", 400);
  std::uint64_t exec_every = 25;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--pschema" && i + 1 < argc) {
      pschema = argv[++i];
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--exec-every" && i + 1 < argc) {
      exec_every = std::strtoull(argv[++i], nullptr, 0);
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) {
    std::cerr << "usage: pool_tool_fuzz [--pschema PATH] [--runs N] [--exec-every K] POOL...\n";
    return 2;
  }
  const std::uint64_t seed = env_number("PSCHEMA_POOL_FUZZ_SEED", std::random_device{}());
  std::cout << "pool_tool_fuzz: seed " << seed << " (PSCHEMA_POOL_FUZZ_SEED), " << runs << " cases\n" << std::flush;

  std::vector<Sample> samples;
  for (const std::string& path : paths) samples.push_back(load(path));

  std::uint64_t statuses[3] = {0, 0, 0};
  std::uint64_t log_outcomes[3] = {0, 0, 0};  // with a log: unread or unnoticed, refused, read
  for (std::uint64_t number = 0; number < runs; ++number) {
    Rng rng(seed * 0x9E3779B97F4A7C15ULL + number);
    Sample& sample = samples[rng.below(samples.size())];
    std::vector<std::byte> bytes = sample.bytes;
    std::string what;
    // A case damages the pool, its log, or both.
    const bool damage_pool = !sample.has_log || rng.percent(40);
    const std::size_t length = damage_pool ? mutate(bytes, sample, rng, what) : bytes.size();
    const std::span<const std::byte> view(bytes.data(), length);
    pschema::pool::PoolInput input{sample.path, view, &sample.cache, std::nullopt};
    std::vector<std::byte> log;
    std::size_t log_length = 0;
    if (sample.has_log) {
      log = sample.log;
      log_length = !damage_pool || rng.percent(50) ? mutate_log(log, sample, rng, what) : log.size();
    } else if (const Sample* other = foreign_log(samples); other != nullptr && rng.percent(10)) {
      log = other->log;  // another pool's log next to this one
      log_length = log.size();
      what += " foreign-log";
    }
    const bool with_log = sample.has_log || log_length > 0;
    if (with_log) input.log_memory = std::span<const std::byte>(log.data(), log_length);
    const std::vector<std::vector<std::string>> commands = {
        {"info", sample.path}, {"check", sample.path}, {"dump", sample.path}, {"dump", "--json", sample.path}};
    auto fail = [&](const std::string& why) {
      const std::string saved = "pool-fuzz-failure-" + std::to_string(number) + ".pool";
      std::ofstream(saved, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(length));
      if (with_log) {
        std::ofstream(saved + ".wal", std::ios::binary)
            .write(reinterpret_cast<const char*>(log.data()), static_cast<std::streamsize>(log_length));
      }
      std::cerr << "pool_tool_fuzz: case " << number << " (seed " << seed << ", from " << sample.path << ":" << what
                << "): " << why << "; input saved as " << saved << "\n";
      return 1;
    };
    for (const auto& args : commands) {
      std::ostringstream out, err;
      int status = -1;
      try {
        status = pschema::pool::run_pool_command(args, out, err, &input);
      } catch (const std::exception& e) {
        return fail("pschema pool " + args[0] + " threw: " + e.what());
      }
      if (!ok_status(status)) return fail("pschema pool " + args[0] + " exited with " + std::to_string(status));
      if (args[0] == "check") ++statuses[status];
      if (args[0] == "check" && with_log) {
        // How far the damage got into the log: refused (damage the reader
        // found), or records laid over the pool.
        const std::string text = out.str();
        if (text.find("log " + sample.path + ".wal: ") == std::string::npos) {
          ++log_outcomes[0];
        } else if (text.find("the runtime refuses to open the pool") != std::string::npos) {
          ++log_outcomes[1];
        } else {
          ++log_outcomes[2];
        }
      }
    }
    if (!pschema.empty() && exec_every != 0 && number % exec_every == 0) {
      const std::string file = "pool-fuzz-case.pool";
      std::ofstream(file, std::ios::binary | std::ios::trunc)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(length));
      const std::string log_file = file + ".wal";
      std::remove(log_file.c_str());
      if (with_log) {
        std::ofstream(log_file, std::ios::binary | std::ios::trunc)
            .write(reinterpret_cast<const char*>(log.data()), static_cast<std::streamsize>(log_length));
      }
      for (const char* command : {"check", "dump", "info"}) {
        std::string why;
        if (!run_executable(pschema, {"pool", command, file}, why))
          return fail(std::string("pschema pool ") + command + ": " + why);
      }
      std::remove(file.c_str());
      std::remove(log_file.c_str());
    }
  }
  std::cout << "pool_tool_fuzz: all " << runs << " cases ended with 0, 1 or 2 (check: " << statuses[0] << " clean, "
            << statuses[1] << " with problems, " << statuses[2] << " unreadable; with a log: " << log_outcomes[1]
            << " refused, " << log_outcomes[2] << " read, " << log_outcomes[0] << " not reached)\n";
  return 0;
}
