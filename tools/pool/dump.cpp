#include "pool/dump.hpp"

#include <fmt/format.h>

#include <ostream>
#include <vector>

#include "pool/heap_table.hpp"
#include "pool/layouts.hpp"
#include "pool/progress.hpp"
#include "pool/walker.hpp"

namespace pschema::pool {

namespace {

struct Problem {
  std::string path;
  std::string message;
};

// Indented text: one line per value, "label: value"; structs, lists and
// maps open a block of deeper lines.
class TextDump : public WalkVisitor {
 public:
  explicit TextDump(std::ostream& out) : out_(out) {}
  std::vector<Problem> problems;

  void problem(const std::string& path, const std::string& message) override { problems.push_back({path, message}); }
  void begin_chunk(std::uint64_t id, const std::string& from) override {
    if (id == 0) {
      label_ = "root: ";
    } else {
      out_ << "\n";
      label_ = fmt::format("#{} = {}: ", id, from);
    }
  }
  void field(const gen::Field& f) override { label_ = f.name + ": "; }
  void index(std::uint64_t i) override { label_ = fmt::format("[{}]: ", i); }
  void key(const MapKey& k) override { label_ = key_segment(k) + ": "; }
  void scalar(const gen::Type&, const ScalarValue& v) override { line(scalar_text(v)); }
  void text(const gen::Type& type, std::string_view bytes) override {
    if (type.kind == gen::Kind::bytes) {
      line(bytes.empty() ? "0 bytes" : fmt::format("{} bytes 0x{}", bytes.size(), hex_bytes(bytes)));
    } else {
      line(quoted(bytes));
    }
  }
  void null(const gen::Type&) override { line("none"); }
  void begin_struct(const gen::StructType& s, const ObjectInfo* object) override {
    std::string head = s.name;
    if (object != nullptr) head += " @" + hex(object->offset);
    if (object != nullptr && object->shared)
      head += fmt::format(" (shared: {} rc, {} weak)", object->strong, object->weak);
    line(head);
    ++indent_;
  }
  void end_struct() override { --indent_; }
  void begin_list(const gen::Type& type, std::uint64_t size) override {
    line(fmt::format("{} ({} element{})", gen::describe(type), size, size == 1 ? "" : "s"));
    ++indent_;
  }
  void end_list() override { --indent_; }
  void begin_map(const gen::Type& type, std::uint64_t size) override {
    line(fmt::format("{} ({} entr{})", gen::describe(type), size, size == 1 ? "y" : "ies"));
    ++indent_;
  }
  void end_map() override { --indent_; }
  void reference(const gen::Type& type, std::uint64_t target, std::string_view state) override {
    const gen::Type& pointer = type.kind == gen::Kind::optional ? *type.element : type;
    const std::string& name = pointer.element->structure->name;
    if (pointer.kind == gen::Kind::weak) {
      line(fmt::format("weak -> {} @{} ({})", name, hex(target + layouts::rc_value_offset), state));
    } else if (state == "shared") {
      line(fmt::format("{} @{} (shared, shown above)", name, hex(target + layouts::rc_value_offset)));
    } else {
      line(fmt::format("{} @{} ({})", name, hex(target + layouts::rc_value_offset), state));
    }
  }
  void deferred(const gen::Type& type, std::uint64_t chunk) override {
    line(fmt::format("{} ... (continued in #{})", gen::describe(type), chunk));
  }
  void elided(const gen::Type& type) override { line(gen::describe(type) + " ..."); }
  void unreadable(const gen::Type& type) override { line(gen::describe(type) + " <unreadable>"); }

 private:
  void line(const std::string& text) {
    out_ << std::string(static_cast<std::size_t>(indent_) * 2, ' ') << label_ << text << "\n";
    label_.clear();
  }
  std::ostream& out_;
  int indent_ = 0;
  std::string label_;
};

// Pretty-printed JSON. Structs are objects (with "$type", and "$offset"
// for objects with a block of their own), vecs and arrays are arrays, maps
// are arrays of {"key", "value"} objects (jq's from_entries reads them).
class JsonDump : public WalkVisitor {
 public:
  // `log_records`: committed transactions of the pool's log laid over the
  // pool file's bytes (docs/tools.md).
  JsonDump(std::ostream& out, const std::string& name, const std::string& schema, std::uint64_t log_records)
      : out_(out) {
    out_ << "{";
    stack_.push_back(Level{true});
    key_ = "pool";
    atom(json_string(name));
    key_ = "schema";
    atom(json_string(schema));
    key_ = "log_records";
    atom(std::to_string(log_records));
  }
  std::vector<Problem> problems;

  void finish() {
    if (in_continued_) close(']');
    key_ = "problems";
    open('[', false);
    for (const Problem& p : problems) atom(json_string(p.path + ": " + p.message));
    close(']');
    close('}');
    out_ << "\n";
  }

  void problem(const std::string& path, const std::string& message) override { problems.push_back({path, message}); }
  void begin_chunk(std::uint64_t id, const std::string& from) override {
    chunk_ = id;
    if (id == 0) {
      key_ = "root";
      return;
    }
    if (!in_continued_) {
      key_ = "continued";
      open('[', false);
      in_continued_ = true;
    }
    open('{', true);
    key_ = "id";
    atom(std::to_string(id));
    key_ = "from";
    atom(json_string(from));
    key_ = "value";
  }
  void end_chunk() override {
    if (chunk_ != 0) close('}');
  }
  void field(const gen::Field& f) override { key_ = f.name; }
  void key(const MapKey& k) override {
    begin_value();
    out_ << "{";
    stack_.push_back(Level{true, true, true});
    key_ = "key";
    begin_value();
    out_ << key_json(k);
    key_ = "value";
  }
  void scalar(const gen::Type&, const ScalarValue& v) override { atom(scalar_json(v)); }
  void text(const gen::Type& type, std::string_view bytes) override {
    atom(type.kind == gen::Kind::bytes ? json_string(hex_bytes(bytes)) : json_string(bytes));
  }
  void null(const gen::Type&) override { atom("null"); }
  void begin_struct(const gen::StructType& s, const ObjectInfo* object) override {
    open('{', true);
    key_ = "$type";
    atom(json_string(s.name));
    if (object != nullptr) {
      key_ = "$offset";
      atom(json_string(hex(object->offset)));
    }
    if (object != nullptr && object->shared) {
      key_ = "$rc";
      atom(fmt::format("{{\"strong\": {}, \"weak\": {}}}", object->strong, object->weak));
    }
  }
  void end_struct() override { close('}'); }
  void begin_list(const gen::Type&, std::uint64_t) override { open('[', false); }
  void end_list() override { close(']'); }
  void begin_map(const gen::Type&, std::uint64_t) override { open('[', false); }
  void end_map() override { close(']'); }
  void reference(const gen::Type& type, std::uint64_t target, std::string_view state) override {
    const std::uint64_t object = target + layouts::rc_value_offset;
    atom(fmt::format("{{\"$ref\": {}, \"$state\": {}}}", json_string(hex(object)), json_string(std::string(state))));
    (void)type;
  }
  void deferred(const gen::Type&, std::uint64_t chunk) override { atom(fmt::format("{{\"$continued\": {}}}", chunk)); }
  void elided(const gen::Type& type) override {
    atom(fmt::format("{{\"$elided\": {}}}", json_string(gen::describe(type))));
  }
  void unreadable(const gen::Type& type) override {
    atom(fmt::format("{{\"$unreadable\": {}}}", json_string(gen::describe(type))));
  }

 private:
  struct Level {
    bool object;
    bool first = true;
    bool entry = false;  // a map entry: closes after its value
  };

  void newline() { out_ << "\n" << std::string(stack_.size() * 2, ' '); }
  void begin_value() {
    Level& level = stack_.back();
    if (!level.first) out_ << ",";
    level.first = false;
    newline();
    if (level.object) out_ << json_string(key_) << ": ";
  }
  void after_value() {
    if (!stack_.empty() && stack_.back().entry) {
      stack_.pop_back();
      newline();
      out_ << "}";
    }
  }
  void atom(const std::string& text) {
    begin_value();
    out_ << text;
    after_value();
  }
  void open(char c, bool object) {
    begin_value();
    out_ << c;
    stack_.push_back(Level{object});
  }
  void close(char c) {
    const bool empty = stack_.back().first;
    stack_.pop_back();
    if (!empty) newline();
    out_ << c;
    after_value();
  }

  std::ostream& out_;
  std::vector<Level> stack_;
  std::string key_;
  std::uint64_t chunk_ = 0;
  bool in_continued_ = false;
};

}  // namespace

int run_dump(const PoolInput& input, const DumpOptions& options, std::ostream& out, std::ostream& err) {
  try {
    OpenedPool pool = open_pool(input, true);
    const bool show_progress = !input.memory && Progress::wanted(pool.header.superblock.heap_size);
    HeapTable heap;
    {
      Progress progress(err, "dump: heap   ", pool.header.superblock.heap_size, show_progress);
      heap = walk_heap(pool.bytes, pool.header, &progress);
    }
    WalkOptions walk_options;
    walk_options.max_depth = options.max_depth;
    std::vector<Problem> problems;
    if (options.json) {
      JsonDump dump(out, input.name, pool.header.schema_name, pool.log.records);
      if (pool.log.refused()) dump.problem("log " + pool.log.path, pool.log.refusal());
      Walker walker(pool.bytes, pool.header, heap, *pool.schema, dump, walk_options);
      {
        Progress progress(err, "dump: objects", heap.allocated_blocks, show_progress);
        walker.walk_root(&progress);
      }
      dump.finish();
      problems = dump.problems;
    } else {
      out << fmt::format("pool {} ({})", input.name, pool.header.schema_name);
      if (pool.log.records > 0) {
        out << fmt::format(", with {} committed transaction{} from its log", pool.log.records,
                           pool.log.records == 1 ? "" : "s");
      }
      out << "\n";
      TextDump dump(out);
      if (pool.log.refused()) dump.problem("log " + pool.log.path, pool.log.refusal());
      Walker walker(pool.bytes, pool.header, heap, *pool.schema, dump, walk_options);
      {
        Progress progress(err, "dump: objects", heap.allocated_blocks, show_progress);
        walker.walk_root(&progress);
      }
      problems = dump.problems;
    }
    out << std::flush;
    for (const Problem& p : problems) err << "pschema: problem: " << p.path << ": " << p.message << "\n";
    if (heap.damaged) {
      err << "pschema: problem: heap block " << hex(heap.damaged_at) << ": " << heap.damage << "\n";
    }
    return problems.empty() && !heap.damaged ? 0 : 1;
  } catch (const Unreadable& e) {
    err << "pschema: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace pschema::pool
