// The schema bundle: files joined imports first, each after its marker
// line, and split back into the same files.
#include <doctest/doctest.h>

#include "pschema/format/schema_bundle.hpp"

namespace format = pschema::format;

TEST_CASE("a bundle splits into the files it was joined from") {
  const std::vector<format::SchemaFile> files = {
      {"units.pschema", "package units;\nstruct Meters { value: f64; }\n"},
      {"main.pschema", "package main;\nimport \"units.pschema\";\n// no newline at the end"},
      {"empty.pschema", ""},
  };
  const std::string bundle = format::join_schema_bundle(files);
  CHECK(bundle ==
        "//@file units.pschema\npackage units;\nstruct Meters { value: f64; }\n"
        "//@file main.pschema\npackage main;\nimport \"units.pschema\";\n// no newline at the end\n"
        "//@file empty.pschema\n");
  const std::vector<format::SchemaFile> split = format::split_schema_bundle(bundle);
  REQUIRE(split.size() == 3);
  CHECK(split[0].name == "units.pschema");
  CHECK(split[0].text == files[0].text);
  CHECK(split[1].name == "main.pschema");
  CHECK(split[1].text == files[1].text + "\n");  // the newline the join added
  CHECK(split[2].name == "empty.pschema");
  CHECK(split[2].text.empty());
}

TEST_CASE("text stored without markers is one unnamed file") {
  const std::vector<format::SchemaFile> split = format::split_schema_bundle("package p;\r\nstruct S { x: u8; }");
  REQUIRE(split.size() == 1);
  CHECK(split[0].name == "schema.pschema");
  CHECK(split[0].text == "package p;\r\nstruct S { x: u8; }");
  CHECK(format::split_schema_bundle("//@file a.pschema\r\nx")[0].name == "a.pschema");
}
