// `pschema pool` on pools damaged on purpose: each damage must be reported
// with the exact path and message, and the right exit status. The pools
// are written by generated code (sample_pools.cpp); offsets are learned
// from the pool (handles, the header, the runtime's own layouts), never
// hard-coded. Commands run in process through run_pool_command.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bank.pschema.h"
#include "containers.pschema.h"
#include "everything.pschema.h"
#include "pool/pool_commands.hpp"
#include "pool/pool_header.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/layout.hpp"
#include "pschema/format/log_layout.hpp"
#include "pschema/format/log_reader.hpp"
#include "pschema/format/uuid.hpp"
#include "pschema/unsafe.hpp"
#include "sample_pools.hpp"
#include "sorted_list.pschema.h"
#include "test_support.hpp"

using pschema::pool::hex;

namespace {

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int status = pschema::pool::run_pool_command(args, out, err);
  return {status, out.str(), err.str()};
}

template <class T>
T read_at(const std::string& path, std::uint64_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  T value{};
  in.read(reinterpret_cast<char*>(&value), sizeof value);
  REQUIRE(in);
  return value;
}

template <class T>
void write_at(const std::string& path, std::uint64_t offset, const T& value) {
  std::fstream io(path, std::ios::binary | std::ios::in | std::ios::out);
  io.seekp(static_cast<std::streamoff>(offset));
  io.write(reinterpret_cast<const char*>(&value), sizeof value);
  REQUIRE(io);
}

pschema::format::Superblock superblock(const std::string& path) {
  return read_at<pschema::format::Superblock>(path, 0);
}

// Payload offsets of the list's nodes, first to last.
std::vector<std::uint64_t> list_nodes(const std::string& path) {
  list::List l = list::List::open(path);
  return l.read([](const list::List::Snapshot& s) {
    std::vector<std::uint64_t> nodes;
    for (auto node = s.root().first(); node; pschema::rebind(node, node->next()))
      nodes.push_back(s.handle<list::Node>(*node).offset());
    return nodes;
  });
}

std::string problems(const std::string& path, int n) {
  return path + ": " + std::to_string(n) + (n == 1 ? " problem found\n" : " problems found\n");
}

}  // namespace

TEST_CASE("sample pools check clean, and check is read-only") {
  test_support::ScratchDir dir;
  sample_pools::make_all(dir.path().string());
  for (const char* name :
       {"bank.pool", "containers.pool", "everything.pool", "graphs.pool", "list.pool", "long_list.pool"}) {
    CAPTURE(name);
    const std::string path = dir.file(name);
    const auto before = std::filesystem::last_write_time(path);
    std::ifstream original(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(original)), std::istreambuf_iterator<char>());
    Run r = run({"check", path});
    CHECK(r.status == 0);
    CHECK(r.err == "");
    CHECK(r.out.find("no problems found") != std::string::npos);
    CHECK(run({"dump", path}).status == 0);
    CHECK(run({"dump", "--json", path}).status == 0);
    CHECK(run({"info", path}).status == 0);
    std::ifstream after_stream(path, std::ios::binary);
    const std::string after((std::istreambuf_iterator<char>(after_stream)), std::istreambuf_iterator<char>());
    CHECK(after == bytes);
    CHECK(std::filesystem::last_write_time(path) == before);
  }
}

TEST_CASE("a leaked block is reported with its size and type") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("list.pool");
  sample_pools::make_list(path, 3);
  std::uint64_t leaked = 0;
  {
    list::List l = list::List::open(path);
    leaked = l.transaction([](list::List::Tx& tx) {
      return pschema::unsafe::raw(tx).allocate(sizeof(list::Node::Layout), list::Node::type_id);
    });
  }
  Run r = run({"check", path});
  CHECK(r.status == 1);
  CHECK(r.out ==
        "leak: Node at " + hex(leaked) + ", a 32-byte block, is not reachable from the root\n" + problems(path, 1));
}

TEST_CASE("a dangling pointer to a freed object is reported at its path") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("list.pool");
  sample_pools::make_list(path, 3);
  const std::vector<std::uint64_t> nodes = list_nodes(path);
  REQUIRE(nodes.size() == 3);
  {
    list::List l = list::List::open(path);
    l.transaction([&](list::List::Tx& tx) { pschema::unsafe::raw(tx).free(nodes[2]); });  // still linked from nodes[1]
  }
  Run r = run({"check", path});
  CHECK(r.status == 1);
  CHECK(r.out ==
        "root.first.next.next: pointer " + hex(nodes[2]) + " points at a free block (dangling)\n" + problems(path, 1));
}

TEST_CASE("a pointer out of the heap is reported, and what it held is one leak") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("list.pool");
  sample_pools::make_list(path, 3);
  const std::vector<std::uint64_t> nodes = list_nodes(path);
  const auto sb = superblock(path);
  const std::uint64_t heap_end = sb.heap_offset + sb.heap_size;
  const std::uint64_t wild = heap_end + 4096;
  write_at(path, sb.root_offset + offsetof(list::Head::Layout, first), wild);
  Run r = run({"check", path});
  CHECK(r.status == 1);
  CHECK(r.out == "root.first: pointer " + hex(wild) + " is out of bounds (the heap is " + hex(sb.heap_offset) + " to " +
                     hex(heap_end) + ")\n" + "leak: Node at " + hex(nodes[0]) +
                     ", a 32-byte block, is not reachable from the root (nor are 2 blocks it owns, 64 bytes)\n" +
                     problems(path, 2));
  Run dump = run({"dump", path});
  CHECK(dump.status == 1);
  CHECK(dump.out.find("  first: box<Node>? <unreadable>\n") != std::string::npos);
  CHECK(dump.err == "pschema: problem: root.first: pointer " + hex(wild) + " is out of bounds (the heap is " +
                        hex(sb.heap_offset) + " to " + hex(heap_end) + ")\n");
}

TEST_CASE("a block with the wrong type id is reported where it is pointed at") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("list.pool");
  sample_pools::make_list(path, 3);
  const std::vector<std::uint64_t> nodes = list_nodes(path);
  const std::uint64_t header = nodes[2] - sizeof(pschema::format::BlockHeader);
  write_at(path, header + offsetof(pschema::format::BlockHeader, type_id), list::Head::type_id);
  Run r = run({"check", path});
  CHECK(r.status == 1);
  CHECK(r.out == "root.first.next.next: pointer " + hex(nodes[2]) + " points at a block of type Head, expected Node\n" +
                     problems(path, 1));
}

TEST_CASE("a damaged block header stops the heap walk and is reported") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("list.pool");
  sample_pools::make_list(path, 3);
  const std::vector<std::uint64_t> nodes = list_nodes(path);
  const std::uint64_t header = nodes[1] - sizeof(pschema::format::BlockHeader);
  write_at(path, header + offsetof(pschema::format::BlockHeader, tag), std::uint32_t{0});
  Run r = run({"check", path});
  CHECK(r.status == 1);
  CHECK(r.out.find("heap block " + hex(header) +
                   ": damaged header (tag does not match its position); the rest of the heap (") == 0);
  // The allocator carves from the end of a free block, so later nodes may
  // lie before or after the damaged one: the first node in list order
  // beyond it is reported where it is pointed at.
  std::string where = "root.first";
  std::size_t k = 0;
  while (k < nodes.size() && nodes[k] <= header) {
    where += ".next";
    ++k;
  }
  REQUIRE(k < nodes.size());
  CHECK(r.out.find(where + ": pointer " + hex(nodes[k]) + " points past the damaged block header at " + hex(header) +
                   "\n") != std::string::npos);
  Run info = run({"info", path});
  CHECK(info.status == 1);
  CHECK(info.out.find("damaged at " + hex(header)) != std::string::npos);
}

TEST_CASE("broken map nodes are reported precisely") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("containers.pool");
  sample_pools::make_containers(path);
  using nodes = pschema::detail::MapNodes<std::uint64_t, std::uint64_t>;
  const auto sb = superblock(path);
  const auto rep = read_at<pschema::MapRep>(path, sb.root_offset + offsetof(containers::Bag::Layout, by_id));
  const auto root = read_at<nodes::Header>(path, rep.root);
  REQUIRE(root.leaf == 0);  // 90 keys: an inner node over several leaves
  const auto leaf = read_at<std::uint64_t>(path, rep.root + offsetof(nodes::Inner, children));
  const auto leaf_header = read_at<nodes::Header>(path, leaf);
  REQUIRE(leaf_header.leaf == 1);
  REQUIRE(leaf_header.count >= 2);
  const std::uint64_t keys = leaf + offsetof(nodes::Leaf, keys);
  const auto k0 = read_at<std::uint64_t>(path, keys);
  const auto k1 = read_at<std::uint64_t>(path, keys + 8);

  SUBCASE("keys out of order") {
    write_at(path, keys, k1);
    write_at(path, keys + 8, k0);
    Run r = run({"check", path});
    CHECK(r.status == 1);
    CHECK(r.out == "root.by_id: map leaf " + hex(leaf) + ": key [" + std::to_string(k0) +
                       "] is out of order (it comes after [" + std::to_string(k1) + "])\n" + problems(path, 1));
  }
  SUBCASE("a leaf that says it is an inner node") {
    write_at(path, leaf + offsetof(nodes::Header, leaf), std::uint32_t{0});
    Run r = run({"check", path});
    CHECK(r.status == 1);
    CHECK(r.out == "root.by_id: map node " + hex(leaf) + " has leaf flag 0, but its block is a map leaf\n" +
                       "root.by_id: map size is " + std::to_string(rep.size) + " but its leaves hold " +
                       std::to_string(rep.size - leaf_header.count) + " entries\n" + problems(path, 2));
  }
  SUBCASE("a leaf with more entries than it can hold") {
    write_at(path, leaf + offsetof(nodes::Header, count), std::uint32_t{nodes::leaf_capacity + 1});
    Run r = run({"check", path});
    CHECK(r.status == 1);
    CHECK(r.out.find("root.by_id: map leaf " + hex(leaf) + " holds " + std::to_string(nodes::leaf_capacity + 1) +
                     " entries; a leaf holds 1 to " + std::to_string(nodes::leaf_capacity) + "\n") == 0);
  }
}

TEST_CASE("reference counts must match the rc fields that share an object") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("graphs.pool");
  sample_pools::make_graphs(path);
  const auto sb = superblock(path);
  const auto shared = read_at<std::uint64_t>(path, sb.root_offset + offsetof(all::Graph::Layout, first));
  CHECK(read_at<std::uint64_t>(path, shared) == 2);  // first and second
  write_at(path, shared, std::uint64_t{3});
  Run r = run({"check", path});
  CHECK(r.status == 1);
  CHECK(r.out == "root.first: shared Shared at " + hex(shared) + " has strong count 3, but 2 rc fields refer to it\n" +
                     problems(path, 1));
}

TEST_CASE("an interrupted transaction needs recovery, and --recover runs it and says so") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("list.pool");
  sample_pools::make_list(path, 3);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The undo journal (Backend::msync) leaves the interrupted transaction
    // in the file; the file engine would leave the file untouched.
    pschema::PoolOptions options;
    options.backend = pschema::Backend::msync;
    list::List l = list::List::open(path, options);
    l.transaction([](list::List::Tx& tx) {
      tx.root().set_length(99);
      ::_exit(0);  // dies inside the transaction: its undo entry stays in the journal
    });
    ::_exit(1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  Run r = run({"check", path});
  CHECK(r.status == 1);
  CHECK(r.out ==
        "journal lane 0: an interrupted transaction left 1 undo entry (8 bytes) to roll back; run `pschema "
        "pool check --recover`\n" +
            problems(path, 1));
  CHECK(run({"info", path}).out.find("recovery:    needed: 1 undo entry of an interrupted transaction\n") !=
        std::string::npos);

  Run recovered = run({"check", "--recover", path});
  CHECK(recovered.status == 0);
  CHECK(recovered.out.find("recovery: the runtime opened the pool and rolled back an interrupted transaction\n") == 0);
  CHECK(recovered.out.find("no problems found") != std::string::npos);
  list::List l = list::List::open(path);
  CHECK(l.read([](const list::List::Snapshot& s) { return s.root().length(); }) == 3);
}

TEST_CASE("a pool open in another process is reported by info and check") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("bank.pool");
  sample_pools::make_bank(path);
  CHECK(run({"info", path}).out.find("open:        no\n") != std::string::npos);
  bank::Ledger ledger = bank::Ledger::open(path);  // the runtime's writer mark: held like another process would
  Run info = run({"info", path});
  CHECK(info.status == 0);
  CHECK(info.out.find("open:        yes (another process has it open)\n") != std::string::npos);
  CHECK(info.out.find("state:       not closed cleanly") != std::string::npos);
  Run check = run({"check", path});
  CHECK(check.status == 0);
  CHECK(check.err ==
        "pschema: warning: " + path + " is open in another process; it may change while it is being checked\n");
  Run recover = run({"check", "--recover", path});
  CHECK(recover.status == 2);
  CHECK(recover.err.find("pschema: error: recovery failed: ") == 0);
}

TEST_CASE("create makes the pool the generated code makes") {
  test_support::ScratchDir dir;
  SUBCASE("bank: the generated code opens it and finds its own schema text") {
    const std::string path = dir.file("bank.pool");
    Run r = run(
        {"create", "--schema", PSCHEMA_SOURCE_DIR "/schemas/bank.pschema", "--pool", "Ledger", "--size", "4M", path});
    CHECK(r.status == 0);
    CHECK(r.out.find("created " + path + ": an empty bank.Ledger pool of 4194304 bytes") == 0);
    bank::Ledger ledger = bank::Ledger::open(path);
    CHECK(ledger.pool().info().schema_text == bank::Ledger::schema_info().text);
    CHECK(ledger.total() == 0);
  }
  SUBCASE("everything (an import, a box made at creation): byte for byte what Store::create makes") {
    const std::string made_here = dir.file("a/store.pool"), made_by_code = dir.file("b/store.pool");
    std::filesystem::create_directories(dir.file("a"));
    std::filesystem::create_directories(dir.file("b"));
    Run r = run({"create", "--schema", PSCHEMA_SOURCE_DIR "/tests/generated/schemas/everything.pschema", "--pool",
                 "all.Store", "--size", "2m", made_here});
    CHECK(r.status == 0);
    all::Store::create(made_by_code, 2 << 20).close();
    auto after_first_line = [](const std::string& text) { return text.substr(text.find('\n')); };
    Run a = run({"dump", made_here}), b = run({"dump", made_by_code});
    CHECK(a.status == 0);
    CHECK(after_first_line(a.out) == after_first_line(b.out));
    CHECK(a.out.find("leaf: Leaf @") != std::string::npos);
    CHECK(run({"check", made_here}).status == 0);
    all::Store store = all::Store::open(made_here);
    CHECK(store.pool().info().schema_text == all::Store::schema_info().text);
  }
  SUBCASE("graphs (an rc made at creation): the shared block Graphs::create makes") {
    const std::string made_here = dir.file("a/graphs.pool"), made_by_code = dir.file("b/graphs.pool");
    std::filesystem::create_directories(dir.file("a"));
    std::filesystem::create_directories(dir.file("b"));
    Run r = run({"create", "--schema", PSCHEMA_SOURCE_DIR "/tests/generated/schemas/everything.pschema", "--pool",
                 "all.Graphs", "--size", "2m", made_here});
    CHECK(r.status == 0);
    all::Graphs::create(made_by_code, 2 << 20).close();
    auto after_first_line = [](const std::string& text) { return text.substr(text.find('\n')); };
    Run a = run({"dump", made_here}), b = run({"dump", made_by_code});
    CHECK(a.status == 0);
    CHECK(after_first_line(a.out) == after_first_line(b.out));
    CHECK(a.out.find("first: Shared @") != std::string::npos);
    CHECK(a.out.find("(shared: 1 rc, 0 weak)") != std::string::npos);
    CHECK(run({"check", made_here}).status == 0);
  }
  SUBCASE("errors") {
    const std::string path = dir.file("x.pool");
    Run none =
        run({"create", "--schema", PSCHEMA_SOURCE_DIR "/schemas/bank.pschema", "--pool", "Nope", "--size", "4M", path});
    CHECK(none.status == 1);
    CHECK(none.err == "pschema: error: " PSCHEMA_SOURCE_DIR
                      "/schemas/bank.pschema declares no pool 'Nope' (it declares: bank.Ledger)\n");
    Run size = run({"create", "--schema", "s.pschema", "--pool", "P", "--size", "12X", path});
    CHECK(size.status == 2);
    CHECK(size.err.find("pschema: --size needs a size such as 4194304, 64M or 1G, not '12X'\n") == 0);
    CHECK(run({"create", "--schema", PSCHEMA_SOURCE_DIR "/schemas/bank.pschema", "--pool", "Ledger", "--size", "4M",
               path})
              .status == 0);
    Run exists = run(
        {"create", "--schema", PSCHEMA_SOURCE_DIR "/schemas/bank.pschema", "--pool", "Ledger", "--size", "4M", path});
    CHECK(exists.status == 1);
    CHECK(exists.err == "pschema: error: " + path + ": cannot create the pool: the file already exists\n");
  }
}

TEST_CASE("files that are not readable pools exit with 2 and say why") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("bank.pool");
  sample_pools::make_bank(path);
  SUBCASE("truncated") {
    std::filesystem::resize_file(path, 100000);
    Run r = run({"check", path});
    CHECK(r.status == 2);
    CHECK(r.err ==
          "pschema: error: " + path + ": the header says the pool is 4194304 bytes, but the file is only 100000\n");
  }
  SUBCASE("damaged header") {
    write_at(path, offsetof(pschema::format::Superblock, heap_size), std::uint64_t{12345});
    Run r = run({"dump", path});
    CHECK(r.status == 2);
    CHECK(r.err.find("pschema: error: " + path + ": pool header checksum is ") == 0);
  }
  SUBCASE("a schema whose layouts differ from the fingerprint in the header") {
    auto sb = superblock(path);
    std::string text(sb.schema_text_size, '\0');
    {
      std::ifstream in(path, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(sb.schema_text_offset));
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
    }
    const std::size_t at = text.find("cents: i64");
    REQUIRE(at != std::string::npos);
    text.replace(at, 10, "cents: u64");  // same length, another layout
    {
      std::fstream io(path, std::ios::binary | std::ios::in | std::ios::out);
      io.seekp(static_cast<std::streamoff>(sb.schema_text_offset));
      io.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    sb.schema_text_checksum = pschema::format::checksum64(text.data(), text.size());
    sb.checksum =
        pschema::format::checksum64(&sb, offsetof(pschema::format::Superblock, checksum), pschema::format::magic);
    write_at(path, 0, sb);
    Run r = run({"check", path});
    CHECK(r.status == 2);
    CHECK(r.err.find("pschema: error: " + path + ": the schema stored in the pool has fingerprint ") == 0);
    CHECK(r.err.find(", but the header says " + pschema::pool::hex16(sb.schema_fingerprint) +
                     ": the layouts it describes cannot be trusted\n") != std::string::npos);
    CHECK(run({"schema", path}).out == text);  // the text itself is still shown
  }
}

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Everything after the first line (a dump's title names the file).
std::string after_first_line(const std::string& text) { return text.substr(text.find('\n') + 1); }

// The file engine's log of a sample pool, to damage on purpose: where its
// records start, and rewriting them or its header with checksums that
// verify again (so that the damage gets past the checksums).
struct LogFile {
  std::string path;
  std::string bytes;
  pschema::logformat::LogHeader header{};
  std::vector<std::uint64_t> records;

  explicit LogFile(std::string log_path) : path(std::move(log_path)), bytes(file_bytes(path)) {
    REQUIRE(bytes.size() >= pschema::logformat::records_begin);
    std::memcpy(&header, bytes.data(), sizeof header);
    for (std::uint64_t at = pschema::logformat::records_begin; at + 64 <= bytes.size();) {
      const auto h = record(at);
      if (h.salt != header.salt || h.sequence != records.size() + 1) break;
      records.push_back(at);
      at += h.size;
    }
  }
  pschema::logformat::RecordHeader record(std::uint64_t at) const {
    pschema::logformat::RecordHeader h;
    std::memcpy(&h, bytes.data() + at, sizeof h);
    return h;
  }
  void set_header(pschema::logformat::LogHeader h) {
    h.checksum = pschema::format::log_header_checksum(h);
    std::memcpy(bytes.data(), &h, sizeof h);
  }
  // Seals the record at `at` again after its body changed.
  void reseal(std::uint64_t at) {
    auto h = record(at);
    const char* body = bytes.data() + at + sizeof h;
    const std::uint64_t split = h.maintenance_offset - sizeof h;
    const std::uint64_t first = pschema::format::checksum64(body, split, h.salt);
    h.body_checksum = pschema::format::checksum64(body + split, h.size - h.maintenance_offset, first);
    h.header_checksum = pschema::format::log_record_header_checksum(h);
    std::memcpy(bytes.data() + at, &h, sizeof h);
  }
  void save() const { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }
};

}  // namespace

TEST_CASE("a pool whose log holds committed transactions: info, dump and check show them and write nothing") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("pending.pool");
  sample_pools::make_pending_list(path, 3, 4);
  const std::string pool_before = file_bytes(path), log_before = file_bytes(path + ".wal");
  const LogFile log(path + ".wal");
  REQUIRE(log.records.size() >= 4);  // one per insert, and perhaps heap maintenance

  Run dump = run({"dump", path});
  CHECK(dump.status == 0);
  CHECK(dump.err == "");
  CHECK(dump.out.find("pool " + path + " (list.List), with " + std::to_string(log.records.size()) +
                      " committed transactions from its log\n") == 0);
  Run check = run({"check", path});
  CHECK(check.status == 0);
  CHECK(check.out.find("note: log " + path + ".wal: " + std::to_string(log.records.size()) +
                       " committed transactions (") == 0);
  CHECK(check.out.find("no problems found") != std::string::npos);
  Run info = run({"info", path});
  CHECK(info.status == 0);
  CHECK(info.out.find("log:         " + path + ".wal (" + std::to_string(log_before.size()) + " bytes): session ") !=
        std::string::npos);
  CHECK(info.out.find(std::to_string(log.records.size()) + " committed transactions") != std::string::npos);
  CHECK(run({"dump", "--json", path}).status == 0);
  CHECK(run({"info", "--json", path}).status == 0);
  CHECK(file_bytes(path) == pool_before);
  CHECK(file_bytes(path + ".wal") == log_before);

  // What the tool shows is what the runtime's replay makes of the pool.
  const std::string replayed = dir.file("replayed.pool");
  std::filesystem::copy_file(path, replayed);
  std::filesystem::copy_file(path + ".wal", replayed + ".wal");
  {
    list::List l = list::List::open(replayed);
    CHECK(l.pool().info().replayed == log.records.size());
    CHECK(l.read([](const list::List::Snapshot& s) { return s.root().length(); }) == 7);
  }
  Run after = run({"dump", replayed});
  CHECK(after.status == 0);
  CHECK(after_first_line(after.out) == after_first_line(dump.out));

  // Without its log the pool file holds the first three nodes only, and
  // the pool state says a log was needed: the tool reports it missing, as
  // the runtime refuses the open.
  std::filesystem::remove(path + ".wal");
  Run without = run({"dump", path});
  CHECK(without.out.find("pool " + path + " (list.List)\n") == 0);
  CHECK(after_first_line(without.out) != after_first_line(dump.out));
  const std::string missing = "is missing, but session ";
  Run info_without = run({"info", path});
  CHECK(info_without.status == 1);
  CHECK(info_without.out.find("log:         none: the log " + missing) != std::string::npos);
  Run check_without = run({"check", path});
  CHECK(check_without.status != 0);
  CHECK(check_without.out.find("log " + path + ".wal: " + missing) != std::string::npos);
  CHECK(run({"info", "--json", path}).out.find("\"problem\": \"" + missing) != std::string::npos);
  CHECK_THROWS_AS(list::List::open(path), pschema::corrupt_pool);
}

TEST_CASE("damaged logs are reported with their kind, as the runtime refuses them") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("pending.pool");
  sample_pools::make_pending_list(path, 3, 4);
  LogFile log(path + ".wal");
  REQUIRE(log.records.size() >= 3);
  const auto sb = superblock(path);
  const std::string where = "log " + path + ".wal: ";
  const std::string refused = " (the runtime refuses to open the pool)\n";
  std::string expected;
  bool runtime_refuses = true;

  SUBCASE("another pool's log") {
    auto h = log.header;
    h.pool_uuid[0] = static_cast<std::uint8_t>(h.pool_uuid[0] ^ 0xff);
    log.set_header(h);
    expected = where + "belongs to another pool (uuid " + pschema::format::uuid_text(h.pool_uuid) +
               ", this pool's is " + pschema::format::uuid_text(sb.uuid) +
               "); move it away if this pool file is the right one" + refused;
  }
  SUBCASE("a log newer than the pool file") {
    auto h = log.header;
    h.pool_generation += 1;
    log.set_header(h);
    expected = where + "was written by session " + std::to_string(h.pool_generation) +
               ", but the pool file is at session " + std::to_string(log.header.pool_generation) +
               " (was the pool file replaced by an older copy?)" + refused;
  }
  SUBCASE("a verifying record with a range outside the heap") {
    const std::uint64_t at = log.records[1];
    const std::uint64_t outside = sb.heap_offset + sb.heap_size;
    // The first range of the record (its transaction section comes first).
    std::memcpy(log.bytes.data() + at + 64, &outside, 8);
    std::uint64_t size;
    std::memcpy(&size, log.bytes.data() + at + 72, 8);
    log.reseal(at);
    expected = where + "damaged (range outside the heap): log record at offset " + std::to_string(at) +
               ": range points outside the heap (offset " + std::to_string(outside) + ", size " + std::to_string(size) +
               ")" + refused;
  }
  SUBCASE("a record damaged after a later record showed it durable") {
    const std::uint64_t at = log.records[1];
    log.bytes[at + 64 + 16] =
        static_cast<char>(log.bytes[at + 64 + 16] ^ 0x01);  // a byte of its first range's data: the body checksum fails
    expected = where + "damaged (durable record damaged): the record at offset " + std::to_string(at) +
               " does not verify, but a later record shows it had been made durable" + refused;
  }
  SUBCASE("a torn last record is no problem: the pool shows the records before it") {
    const std::uint64_t at = log.records.back();
    log.bytes[at + 64 + 16] = static_cast<char>(log.bytes[at + 64 + 16] ^ 0x01);
    runtime_refuses = false;
  }
  log.save();

  Run check = run({"check", path});
  Run info = run({"info", path});
  Run dump = run({"dump", path});
  if (runtime_refuses) {
    CHECK(check.status == 1);
    CHECK(check.out.find(expected) != std::string::npos);
    CHECK(check.out.find("torn record") == std::string::npos);  // damage is not a crash's doing
    CHECK(info.status == 1);
    CHECK(info.err.find("pschema: error: " + path + ": " + expected.substr(0, expected.size() - refused.size()) +
                        "\n") == 0);
    CHECK(dump.status == 1);
    CHECK(dump.err.find("pschema: problem: " + expected.substr(0, expected.size() - refused.size()) + "\n") !=
          std::string::npos);
    CHECK_THROWS_AS(list::List::open(path), pschema::corrupt_pool);
  } else {
    CHECK(check.status == 0);
    CHECK(check.out.find("note: log " + path + ".wal: torn record at log offset " + std::to_string(log.records.back()) +
                         " (a crash while it was written: the open ignores it)\n") != std::string::npos);
    CHECK(info.status == 0);
    CHECK(info.out.find("torn record at log offset " + std::to_string(log.records.back())) != std::string::npos);
    CHECK(dump.status == 0);
    CHECK(dump.out.find(", with " + std::to_string(log.records.size() - 1) +
                        " committed transactions from its log\n") != std::string::npos);
    list::List l = list::List::open(path);
    CHECK(l.pool().info().replayed == log.records.size() - 1);
  }
}

TEST_CASE("a log of an earlier session is ignored, as the open ignores it") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("pending.pool");
  sample_pools::make_pending_list(path, 3, 4);
  LogFile log(path + ".wal");
  auto h = log.header;
  h.pool_generation -= 1;
  log.set_header(h);
  log.save();
  Run info = run({"info", path});
  CHECK(info.status == 0);
  CHECK(info.out.find("session " + std::to_string(h.pool_generation) + ", salt ") != std::string::npos);
  CHECK(info.out.find(": an earlier session's, already replayed: ignored\n") != std::string::npos);
  Run dump = run({"dump", path});
  CHECK(dump.out.find("pool " + path + " (list.List)\n") == 0);
  Run check = run({"check", path});
  CHECK(check.status == 0);
  CHECK(check.out.find("note: log") == std::string::npos);
  list::List l = list::List::open(path);
  CHECK(l.pool().info().replayed == 0);
  CHECK(l.read([](const list::List::Snapshot& s) { return s.root().length(); }) == 3);
}

TEST_CASE("check --recover replays the log and says so") {
  test_support::ScratchDir dir;
  const std::string path = dir.file("pending.pool");
  sample_pools::make_pending_list(path, 3, 4);
  const LogFile log(path + ".wal");
  Run recovered = run({"check", "--recover", path});
  CHECK(recovered.status == 0);
  CHECK(recovered.out.find("recovery: the runtime opened the pool and replayed " + std::to_string(log.records.size()) +
                           " committed transactions from its log\n") == 0);
  CHECK(recovered.out.find("no problems found") != std::string::npos);
  CHECK(recovered.out.find("note: log") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path + ".wal"));
}
