#include "pool/runtime_bridge.hpp"

#include <fmt/format.h>

#include <cctype>
#include <limits>
#include <ostream>

#include "emitter.hpp"
#include "pool/embedded_schema.hpp"
#include "pool/layouts.hpp"
#include "pool/opened_pool.hpp"
#include "pschema/errors.hpp"
#include "pschema/pool.hpp"

namespace pschema::pool {

namespace {

// Gives a new object its members as the generated `init` functions do
// (traits<T>::init in the runtime headers): a box<T> gets a new zeroed T,
// an rc<T> a new shared block with strong count 1, structs, arrays and
// mutexes initialise their members; everything else stays zero. Those
// templates need the C++ types; the tool has only the analysed schema, so
// it follows the same recursion over the schema's types here, making each
// block with the runtime's own untyped steps (Transaction::allocate,
// detail::new_shared_block). The tests compare the result with what the
// generated code makes.
void initialize(Transaction& tx, const gen::Type& type, std::uint64_t at);

void initialize_struct(Transaction& tx, const gen::StructType& s, std::uint64_t at) {
  for (const gen::Field& f : s.fields) initialize(tx, f.type, at + f.offset);
}

void initialize(Transaction& tx, const gen::Type& type, std::uint64_t at) {
  switch (type.kind) {
    case gen::Kind::structure: initialize_struct(tx, *type.structure, at); return;
    case gen::Kind::array: {
      const std::uint64_t size = gen::layout_of(*type.element).size;
      for (std::uint64_t i = 0; i < type.length; ++i) initialize(tx, *type.element, at + i * size);
      return;
    }
    case gen::Kind::box: {  // allocate_object<T>, then the box points at it
      const gen::StructType& s = *type.element->structure;
      const std::uint64_t object = tx.allocate(s.layout.size, s.type_id);
      initialize_struct(tx, s, object);
      tx.write(*tx.at<std::uint64_t>(at), object);
      return;
    }
    case gen::Kind::rc: {  // detail::new_rc_block<T>
      const gen::StructType& s = *type.element->structure;
      const std::uint64_t block = detail::new_shared_block(tx, layouts::rc_block_size(s.layout), s.type_id);
      initialize_struct(tx, s, block + layouts::rc_value_offset);
      tx.write(*tx.at<std::uint64_t>(at), block);
      return;
    }
    case gen::Kind::mutex:  // traits<mutex<T>>::init: the value's members
      initialize(tx, *type.element, at + layouts::mutex_value_offset(gen::layout_of(*type.element)));
      return;
    default: return;  // scalars, strings, vecs, maps, optionals, weak: zero is their initial value
  }
}

// SchemaInfo::initialize_root is a plain function pointer, so the root
// type it initialises is handed over here, for the one Pool::create call.
thread_local const gen::StructType* root_being_created = nullptr;

void initialize_root(Transaction& tx, std::uint64_t root_offset) {
  initialize_struct(tx, *root_being_created, root_offset);
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string_view unit = text.substr(i);
  if (unit.empty()) return value;
  unsigned shift = 0;
  switch (std::tolower(static_cast<unsigned char>(unit[0]))) {
    case 'k': shift = 10; break;
    case 'm': shift = 20; break;
    case 'g': shift = 30; break;
    default: return std::nullopt;
  }
  unit.remove_prefix(1);
  if (!unit.empty() && unit != "B" && unit != "iB" && unit != "b" && unit != "ib") return std::nullopt;
  if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
  return value << shift;
}

int create_pool(const CreateRequest& request, std::ostream& out, std::ostream& err) {
  std::shared_ptr<const AnalyzedSchema> schema = AnalyzedSchema::from_files({request.schema_path}, err);
  if (!schema) return 1;
  const gen::PoolType* pool = schema->find_pool(request.pool_name);
  if (pool == nullptr) {
    std::string names;
    for (const std::string& name : schema->pool_names()) names += (names.empty() ? "" : ", ") + name;
    err << "pschema: error: " << request.schema_path << " declares no pool '" << request.pool_name << "'"
        << (names.empty() ? std::string(" (it declares none)") : " (it declares: " + names + ")") << "\n";
    return 1;
  }
  if (pool->root->layout.size > std::numeric_limits<std::uint32_t>::max()) {
    err << "pschema: error: the root of pool '" << request.pool_name << "' is too large\n";
    return 1;
  }
  const std::string name = qualified_name(*pool);
  // What generated code stores: `create` must make the same pool.
  const std::string text = gen::schema_bundle(*pool->module);
  SchemaInfo info;
  info.name = name;
  info.fingerprint = pool->fingerprint;
  info.text = text;
  info.root_size = static_cast<std::uint32_t>(pool->root->layout.size);
  info.root_type_id = pool->root->type_id;
  info.concurrent = pool->concurrent;
  info.initialize_root = &initialize_root;
  root_being_created = pool->root;
  try {
    Pool created = Pool::create(request.path, request.size, info);
    created.close();
  } catch (const pschema::error& e) {
    root_being_created = nullptr;
    err << "pschema: error: " << e.what() << "\n";
    return 1;
  }
  root_being_created = nullptr;
  out << fmt::format("created {}: an empty {} pool of {} bytes (schema fingerprint {})\n", request.path, name,
                     request.size, hex16(pool->fingerprint));
  return 0;
}

std::string recover_pool(const std::string& path) {
  // The runtime checks name, fingerprint, root type and size against what
  // the program passes; the pool's own schema provides them.
  std::string name;
  std::uint64_t fingerprint = 0;
  std::uint32_t root_size = 0;
  std::uint32_t root_type_id = 0;
  bool concurrent = false;
  bool had_undo = false;
  {
    OpenedPool pool = open_pool(PoolInput{path, std::nullopt, nullptr, std::nullopt}, true);
    had_undo = pool.header.interrupted_transaction();
    name = pool.header.schema_name;
    fingerprint = pool.schema->pool().fingerprint;
    root_size = static_cast<std::uint32_t>(pool.schema->root().layout.size);
    root_type_id = pool.schema->root().type_id;
    concurrent = pool.schema->pool().concurrent;
  }  // closes the file before the runtime opens it
  SchemaInfo info;
  info.name = name;
  info.fingerprint = fingerprint;
  info.root_size = root_size;
  info.root_type_id = root_type_id;
  info.concurrent = concurrent;
  try {
    Pool opened = Pool::open(path, info);
    const PoolInfo opened_info = opened.info();
    opened.close();
    // `recovered` covers both: a replay of the file engine's log and an
    // undo rollback; `replayed` counts the log's transactions.
    const bool rolled_back = opened_info.recovered && (opened_info.replayed == 0 || had_undo);
    std::string done;
    if (opened_info.replayed > 0) {
      done = fmt::format("replayed {} committed transaction{} from its log", opened_info.replayed,
                         opened_info.replayed == 1 ? "" : "s");
    }
    if (rolled_back) done += std::string(done.empty() ? "" : " and ") + "rolled back an interrupted transaction";
    return done.empty() ? "recovery: the runtime opened the pool; there was nothing to replay or roll back"
                        : "recovery: the runtime opened the pool and " + done;
  } catch (const pschema::error& e) {
    throw Unreadable(std::string("recovery failed: ") + e.what());
  }
}

}  // namespace pschema::pool
