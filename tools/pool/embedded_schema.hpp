// The schema a pool carries (superblock schema text), run through the
// generator's own loader and analyzer in memory, so that the tools compute
// exactly the layouts and type ids the generated code used. Before any
// layout is trusted, the recomputed fingerprint must equal the one in the
// header.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.hpp"
#include "loader.hpp"
#include "model.hpp"
#include "pool/pool_header.hpp"

namespace pschema::pool {

// "bank.Ledger": the package and the pool's name, as in the superblock.
std::string qualified_name(const gen::PoolType& pool);

class AnalyzedSchema {
 public:
  // The schema files of an embedded bundle (pschema/format/schema_bundle.hpp).
  // Throws Unreadable with the generator's diagnostics when it does not
  // analyse.
  static std::shared_ptr<const AnalyzedSchema> from_bundle(const std::string& bundle);
  // Schema files on disk (and their imports); prints diagnostics to `err`
  // and returns null when there are errors.
  static std::shared_ptr<const AnalyzedSchema> from_files(const std::vector<std::string>& paths, std::ostream& err);

  // A pool type by qualified ("bank.Ledger") or plain ("Ledger") name.
  const gen::PoolType* find_pool(std::string_view name) const;
  std::vector<std::string> pool_names() const;
  // The analysed schema (`pschema diff POOL NEW` compares it with another).
  const gen::Model& model() const { return *model_; }

 private:
  AnalyzedSchema() = default;
  gen::LoadedSchemas loaded_;      // owns the sources the model points into
  gen::Diagnostics diagnostics_;   // keeps failed sources alive
  std::optional<gen::Model> model_;
};

// The schema of one pool: its pool type and what the heap's type ids mean.
class PoolSchema {
 public:
  PoolSchema(std::shared_ptr<const AnalyzedSchema> schema, const gen::PoolType& pool);
  const gen::PoolType& pool() const { return *pool_; }
  const gen::StructType& root() const { return *pool_->root; }
  // A struct the pool can hold, by type id (null for any other id).
  const gen::StructType* struct_with_id(std::uint32_t type_id) const;
  // What a block's type id means, for messages: "Account", "shared Node",
  // "string buffer", "unknown type 0x1234".
  std::string type_name(std::uint32_t type_id) const;

 private:
  std::shared_ptr<const AnalyzedSchema> schema_;
  const gen::PoolType* pool_;
};

// Analyses a pool's embedded schema and finds its pool type, then checks
// the recomputed fingerprint, root type id and root size against the
// header; throws Unreadable when any differs. `cache`, when given, keeps
// the last analysis and reuses it for the same text (the fuzz test checks
// thousands of copies of one pool).
struct SchemaCache {
  std::string text;
  std::shared_ptr<const AnalyzedSchema> schema;
};
PoolSchema load_embedded_schema(const PoolHeader& header, SchemaCache* cache = nullptr);

}  // namespace pschema::pool
