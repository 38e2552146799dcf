// The pieces of the pool tools: the analyzer's layouts against the
// runtime's structs, the embedded-schema bundle, JSON strings, sizes, path
// folding and the progress bar.
#include <doctest/doctest.h>

#include <sstream>

#include "emitter.hpp"
#include "everything.pschema.h"
#include "model.hpp"
#include "pool/embedded_schema.hpp"
#include "pool/layouts.hpp"
#include "pool/progress.hpp"
#include "pool/runtime_bridge.hpp"
#include "pool/values.hpp"
#include "pool/walker.hpp"
#include "pschema/format/schema_bundle.hpp"
#include "pschema/format/type_ids.hpp"

using namespace pschema::pool;
namespace gen = pschema::gen;

TEST_CASE("the analyzer's container layouts are the runtime's structs") {
  CHECK(gen::layout_of(gen::Type::scalar(gen::Kind::string)).size == sizeof(pschema::StringRep));
  CHECK(gen::layout_of(gen::Type::scalar(gen::Kind::bytes)).size == sizeof(pschema::StringRep));
  CHECK(gen::layout_of(gen::Type::scalar(gen::Kind::vec)).size == sizeof(pschema::VecRep));
  CHECK(gen::layout_of(gen::Type::scalar(gen::Kind::map)).size == sizeof(pschema::MapRep));
  CHECK(gen::layout_of(gen::Type::scalar(gen::Kind::box)).size == sizeof(std::uint64_t));
}

TEST_CASE("an embedded schema analyses to the generated code's fingerprint, type ids and layouts") {
  const pschema::SchemaInfo& info = all::Store::schema_info();
  const std::string text(info.text);
  const std::vector<pschema::format::SchemaFile> files = pschema::format::split_schema_bundle(text);
  REQUIRE(files.size() == 2);
  CHECK(files[0].name == "units.pschema");
  CHECK(files[1].name == "everything.pschema");
  auto schema = AnalyzedSchema::from_bundle(text);
  const gen::PoolType* pool = schema->find_pool("all.Store");
  REQUIRE(pool != nullptr);
  CHECK(schema->find_pool("Store") == pool);
  CHECK(pool->fingerprint == info.fingerprint);
  CHECK(pool->root->type_id == info.root_type_id);
  CHECK(pool->root->layout.size == info.root_size);
  CHECK(gen::schema_bundle(*pool->module) == text);
  const gen::PoolType* graphs = schema->find_pool("all.Graphs");
  REQUIRE(graphs != nullptr);
  CHECK(graphs->fingerprint == all::Graphs::schema_info().fingerprint);
  PoolSchema ps(schema, *graphs);
  CHECK(ps.type_name(all::Shared::type_id) == "Shared");
  CHECK(ps.type_name(pschema::format::type_ids::shared_block_id(all::Shared::type_id)) == "shared Shared");
  CHECK(ps.type_name(pschema::format::type_ids::map_leaf) == "map leaf");
  CHECK(ps.type_name(12345) == "unknown type 0x3039");
  CHECK(ps.type_name(all::Leaf::type_id) == "unknown type " + pschema::pool::hex(all::Leaf::type_id));  // not in Graphs
}

TEST_CASE("JSON strings are valid whatever the bytes") {
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string("a\"b\\c\n\t") == "\"a\\\"b\\\\c\\n\\t\"");
  CHECK(json_string("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(json_string("\xff\x01") == "\"\\u00ff\\u0001\"");
  CHECK(json_string("\xc3") == "\"\\u00c3\"");  // truncated sequence
  CHECK(json_string("\xed\xa0\x80") == "\"\\u00ed\\u00a0\\u0080\"");  // a surrogate is not UTF-8
  CHECK(quoted("tab\there") == "\"tab\\there\"");
  CHECK(quoted("caf\xc3\xa9 \xff") == "\"caf\xc3\xa9 \\xff\"");
  CHECK(hex_bytes(std::string("\x01\xfe", 2)) == "01fe");
}

TEST_CASE("sizes take K, M and G") {
  CHECK(parse_size("4096") == 4096u);
  CHECK(parse_size("4K") == 4096u);
  CHECK(parse_size("64M") == 64u << 20);
  CHECK(parse_size("2g") == 2ull << 30);
  CHECK(parse_size("1GiB") == 1ull << 30);
  CHECK(parse_size("8MB") == 8u << 20);
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("M"));
  CHECK_FALSE(parse_size("12X"));
  CHECK_FALSE(parse_size("4Kx"));
  CHECK_FALSE(parse_size("99999999999999999999"));
  CHECK_FALSE(parse_size("17179869184G"));  // overflows 64 bits
}

TEST_CASE("paths fold long runs of one step") {
  CHECK(render_path(std::vector<std::string>{"root", ".first", ".next", ".next"}) == "root.first.next.next");
  std::vector<std::string> deep{"root", ".first"};
  for (int i = 0; i < 98; ++i) deep.push_back(".next");
  deep.push_back(".value");
  CHECK(render_path(deep) == "root.first(.next)*98.value");
}

TEST_CASE("the progress bar is drawn only when enabled, and erased at the end") {
  CHECK(Progress::render("check", 45, 100) == "check [#############                 ]  45%");
  CHECK(Progress::render("check", 200, 100) == "check [##############################] 100%");
  std::ostringstream off;
  {
    Progress p(off, "x", 10, false);
    p.update(5);
  }
  CHECK(off.str().empty());
  std::ostringstream on;
  {
    Progress p(on, "x", 10, true);
    p.update(5);
    p.update(5);  // same percentage: not redrawn
    p.update(10);
  }
  const std::string drawn = on.str();
  CHECK(drawn.find(" 50%") != std::string::npos);
  CHECK(drawn.find("100%") != std::string::npos);
  CHECK(drawn.find(" 50%", drawn.find(" 50%") + 1) == std::string::npos);
  CHECK(drawn.back() == '\r');  // erased: the line is blanked and the cursor back at its start
}
