#include "pool/embedded_schema.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <ostream>
#include <sstream>

#include "analyzer.hpp"
#include "parser.hpp"
#include "pschema/format/schema_bundle.hpp"
#include "pschema/format/type_ids.hpp"

namespace pschema::pool {

std::string qualified_name(const gen::PoolType& pool) {
  std::string name;
  for (const std::string& part : pool.module->namespace_parts) name += part + ".";
  return name + pool.name;
}

std::shared_ptr<const AnalyzedSchema> AnalyzedSchema::from_bundle(const std::string& bundle) {
  std::shared_ptr<AnalyzedSchema> schema(new AnalyzedSchema());
  const std::vector<format::SchemaFile> files = format::split_schema_bundle(bundle);
  auto fail = [&](const std::string& what) {
    std::ostringstream text;
    schema->diagnostics_.print(text);
    throw Unreadable("the schema stored in the pool " + what + (text.str().empty() ? "" : ":\n" + text.str()));
  };
  // Each file is parsed from memory; an import is found among the files
  // before it by file name (the bundle stores names, not directories).
  for (const format::SchemaFile& file : files) {
    auto source = std::make_unique<gen::SourceFile>(file.name, file.text);
    std::optional<gen::ast::File> ast = gen::parse_file(*source, schema->diagnostics_);
    if (!ast) {
      std::vector<std::unique_ptr<gen::SourceFile>> keep;
      keep.push_back(std::move(source));
      schema->diagnostics_.keep_alive(std::move(keep));
      fail("does not parse");
    }
    gen::LoadedFile loaded;
    for (const gen::ast::Import& import : ast->imports) {
      const std::string wanted = std::filesystem::path(import.path).filename().string();
      std::optional<std::size_t> found;
      for (std::size_t i = 0; i < schema->loaded_.files.size(); ++i) {
        if (schema->loaded_.files[i].source->path() == wanted) found = i;
      }
      if (!found) {
        std::vector<std::unique_ptr<gen::SourceFile>> keep;
        keep.push_back(std::move(source));
        schema->diagnostics_.keep_alive(std::move(keep));
        fail("imports '" + import.path + "', which it does not contain");
      }
      loaded.imports.push_back(*found);
    }
    loaded.source = std::move(source);
    loaded.ast = std::move(*ast);
    schema->loaded_.files.push_back(std::move(loaded));
  }
  schema->model_ = gen::analyze(schema->loaded_, schema->diagnostics_);
  if (!schema->model_ || schema->diagnostics_.has_errors()) fail("has errors");
  return schema;
}

std::shared_ptr<const AnalyzedSchema> AnalyzedSchema::from_files(const std::vector<std::string>& paths,
                                                                 std::ostream& err) {
  std::shared_ptr<AnalyzedSchema> schema(new AnalyzedSchema());
  schema->loaded_ = gen::load_schemas(paths, schema->diagnostics_);
  schema->model_ = gen::analyze(schema->loaded_, schema->diagnostics_);
  schema->diagnostics_.print(err);
  if (!schema->model_ || schema->diagnostics_.has_errors()) return nullptr;
  return schema;
}

const gen::PoolType* AnalyzedSchema::find_pool(std::string_view name) const {
  if (!model_) return nullptr;
  const gen::PoolType* plain = nullptr;
  int plain_matches = 0;
  for (const auto& module : model_->modules) {
    for (const auto& pool : module->pools) {
      if (qualified_name(*pool) == name) return pool.get();
      if (pool->name == name) {
        plain = pool.get();
        ++plain_matches;
      }
    }
  }
  return plain_matches == 1 ? plain : nullptr;
}

std::vector<std::string> AnalyzedSchema::pool_names() const {
  std::vector<std::string> names;
  if (!model_) return names;
  for (const auto& module : model_->modules) {
    for (const auto& pool : module->pools) names.push_back(qualified_name(*pool));
  }
  return names;
}

PoolSchema::PoolSchema(std::shared_ptr<const AnalyzedSchema> schema, const gen::PoolType& pool)
    : schema_(std::move(schema)), pool_(&pool) {}

const gen::StructType* PoolSchema::struct_with_id(std::uint32_t type_id) const {
  for (const gen::StructType* s : pool_->reachable) {
    if (s->type_id == type_id) return s;
  }
  return nullptr;
}

std::string PoolSchema::type_name(std::uint32_t type_id) const {
  switch (type_id) {
    case format::type_ids::no_type: return "no type";
    case format::type_ids::string_buffer: return "string buffer";
    case format::type_ids::vec_buffer: return "vec buffer";
    case format::type_ids::map_leaf: return "map leaf";
    case format::type_ids::map_inner: return "map inner node";
    default: break;
  }
  if (!format::type_ids::is_runtime_block(type_id)) {
    if (const gen::StructType* s = struct_with_id(type_id)) return s->name;
    if (format::type_ids::is_shared_block(type_id)) {
      if (const gen::StructType* s = struct_with_id(format::type_ids::struct_id_of_shared(type_id))) {
        return "shared " + s->name;
      }
    }
  }
  return "unknown type " + hex(type_id);
}

PoolSchema load_embedded_schema(const PoolHeader& header, SchemaCache* cache) {
  std::shared_ptr<const AnalyzedSchema> schema;
  if (cache != nullptr && cache->schema && cache->text == header.schema_text) {
    schema = cache->schema;
  } else {
    schema = AnalyzedSchema::from_bundle(header.schema_text);
    if (cache != nullptr) *cache = SchemaCache{header.schema_text, schema};
  }
  const gen::PoolType* pool = schema->find_pool(header.schema_name);
  if (pool == nullptr || qualified_name(*pool) != header.schema_name) {
    throw Unreadable("the schema stored in the pool declares no pool type '" + header.schema_name + "'");
  }
  const format::Superblock& sb = header.superblock;
  if (pool->fingerprint != sb.schema_fingerprint) {
    throw Unreadable(fmt::format(
        "the schema stored in the pool has fingerprint {}, but the header says {}: the layouts it describes cannot be "
        "trusted",
        hex16(pool->fingerprint), hex16(sb.schema_fingerprint)));
  }
  if (pool->root->type_id != sb.root_type_id || pool->root->layout.size > sb.root_size) {
    throw Unreadable(
        fmt::format("the header's root object (type {} of {} bytes) is not the schema's root {} (type {} "
                    "of {} bytes)",
                    sb.root_type_id, sb.root_size, pool->root->name, pool->root->type_id, pool->root->layout.size));
  }
  return PoolSchema(std::move(schema), *pool);
}

}  // namespace pschema::pool
