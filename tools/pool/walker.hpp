// Walks a pool's objects from the root with the pool's own schema,
// interpreting every kind of field the way the runtime's typed layer lays
// it out (layouts.hpp), and verifying as it goes: every pointer must be in
// the heap, aligned, at the payload of an allocated block of the declared
// type; every container consistent (lengths, capacities, map order and
// node structure). `dump` and `check` both run this walk; a visitor
// receives the values (dump) and the problems (both).
//
// The walk never recurses along pointers without limit: a value nested
// deeper than `inline_depth` levels (a long linked list) is continued in a
// chunk of its own, walked after the current one, so the C++ stack and the
// nesting of the output stay bounded. Each kind of field is one case of
// the switch in Walker::value.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model.hpp"
#include "pool/embedded_schema.hpp"
#include "pool/heap_table.hpp"
#include "pool/pool_file.hpp"
#include "pool/pool_header.hpp"
#include "pool/values.hpp"

namespace pschema::pool {

// An object with a block of its own: the root, or the target of box/rc.
struct ObjectInfo {
  std::uint64_t offset = 0;  // of the object's bytes
  std::uint64_t block = 0;   // of its block header
  std::uint64_t block_size = 0;
  bool shared = false;  // in an rc block: counts below
  std::uint64_t strong = 0;
  std::uint64_t weak = 0;
};

// Receives the walk in order. Each value inside a struct, list or map is
// announced first by field(), index() or key(); then comes exactly one
// value event (scalar, text, null, reference, deferred, elided,
// unreadable, or a begin_/end_ pair).
class WalkVisitor {
 public:
  virtual ~WalkVisitor() = default;
  virtual void problem(const std::string& /*path*/, const std::string& /*message*/) {}
  // Chunk 0 is the root; `from` says where a later chunk hangs off its
  // parent ("#0.first.next").
  virtual void begin_chunk(std::uint64_t /*id*/, const std::string& /*from*/) {}
  virtual void end_chunk() {}
  virtual void field(const gen::Field&) {}
  virtual void index(std::uint64_t) {}
  virtual void key(const MapKey&) {}
  virtual void scalar(const gen::Type&, const ScalarValue&) {}
  virtual void text(const gen::Type&, std::string_view) {}
  virtual void null(const gen::Type&) {}
  virtual void begin_struct(const gen::StructType&, const ObjectInfo*) {}
  virtual void end_struct() {}
  virtual void begin_list(const gen::Type&, std::uint64_t /*size*/) {}
  virtual void end_list() {}
  virtual void begin_map(const gen::Type&, std::uint64_t /*size*/) {}
  virtual void end_map() {}
  // A weak pointer, or an rc object already shown where it was first reached.
  virtual void reference(const gen::Type&, std::uint64_t /*target*/, std::string_view /*state*/) {}
  virtual void deferred(const gen::Type&, std::uint64_t /*chunk*/) {}
  virtual void elided(const gen::Type&) {}
  virtual void unreadable(const gen::Type&) {}
};

struct WalkOptions {
  std::uint64_t max_depth = UINT64_MAX;  // values nested deeper are elided (dump --max-depth)
  std::uint64_t inline_depth = 40;       // deeper values continue in a chunk of their own
};

// What the walk found about a shared (rc) block.
// A position in the walk, kept cheaply (shared prefixes) until a message
// needs it as text.
struct PathNode {
  std::shared_ptr<const PathNode> parent;
  std::vector<std::string> segments;
};
std::string render_path(const std::shared_ptr<const PathNode>& path);

// What the walk found about a shared (rc) block.
struct SharedTally {
  std::uint64_t rc_fields = 0;    // rc and rc? fields that point at it
  std::uint64_t weak_fields = 0;  // weak fields that point at it
  std::shared_ptr<const PathNode> first_path;
  bool content_walked = false;
};

class Walker {
 public:
  Walker(const PoolBytes& bytes, const PoolHeader& header, const HeapTable& heap, const PoolSchema& schema,
         WalkVisitor& visitor, WalkOptions options = {});

  // The whole pool from the root, chunk after chunk.
  void walk_root(Progress* progress = nullptr);
  // Only the object in block `block` (an unreachable one) and what it
  // owns, silently; returns the indexes of the blocks reached, `block`
  // included. Used to tell which leaked blocks belong to which.
  std::vector<std::size_t> walk_unreachable(std::size_t block);

  // Per heap block (HeapTable index): reached from where the walk started.
  const std::vector<std::uint8_t>& reached() const { return reached_; }
  // Per heap block index of a shared (rc) block that was reached.
  const std::unordered_map<std::size_t, SharedTally>& shared() const { return shared_; }
  std::uint64_t problems() const { return problems_; }
  std::uint64_t maps_checked() const { return maps_; }

 private:
  struct Segment {
    enum Kind { field, index, key } kind;
    const std::string* name;
    std::uint64_t number;
    std::string key_text;
  };
  struct Chunk {
    std::uint64_t id;
    std::shared_ptr<const PathNode> base;
    std::string from;
    const gen::Type* type;  // the value continued here, or
    std::size_t object_block;  // the object in this block (the root, a leaked object)
    std::uint64_t at;
    std::uint64_t depth;
  };

  void run_chunks();
  void object(std::size_t block);
  void value(const gen::Type& type, std::uint64_t at, std::uint64_t depth);
  bool enter(const gen::Type& type, std::uint64_t at, std::uint64_t depth);
  void scalar(const gen::Type& type, std::uint64_t at);
  void structure(const gen::StructType& s, std::uint64_t at, std::uint64_t depth, const ObjectInfo* object);
  void array(const gen::Type& type, std::uint64_t at, std::uint64_t depth);
  void string(const gen::Type& type, std::uint64_t at);
  void vec(const gen::Type& type, std::uint64_t at, std::uint64_t depth);
  void map(const gen::Type& type, std::uint64_t at, std::uint64_t depth);
  // `declared`: box<T> or rc<T>, or with `nullable` box<T>? or rc<T>?.
  std::optional<std::uint64_t> object_offset(const gen::Type& declared, std::uint64_t at, bool nullable,
                                             std::string_view kind, std::string_view article);
  void box(const gen::Type& declared, std::uint64_t at, std::uint64_t depth, bool nullable);
  void rc(const gen::Type& declared, std::uint64_t at, std::uint64_t depth, bool nullable);
  void weak(const gen::Type& type, std::uint64_t at);
  void optional(const gen::Type& type, std::uint64_t at, std::uint64_t depth);

  // Reads a string or bytes field into `out` (claiming its buffer); false
  // when it is damaged (the problem is reported).
  bool read_text(std::uint64_t at, std::string& out);
  std::optional<MapKey> read_key(const gen::Type& type, std::uint64_t at);
  // The block whose payload is at `target`, or npos after reporting why
  // there is none (out of bounds, misaligned, not a block, free).
  std::size_t locate(std::uint64_t target);
  // locate() and then the type id and payload size.
  std::size_t target(std::uint64_t target, std::uint32_t type_id, std::uint64_t min_payload);
  // Marks an owned block reached; false (with a problem) if it already was.
  bool claim(std::size_t block);
  void mark(std::size_t block);

  void problem(const std::string& message);
  std::shared_ptr<const PathNode> here() const;
  std::vector<std::string> local_segments() const;
  template <class F>
  void with_segment(Segment segment, F&& body);

  const PoolBytes& bytes_;
  const PoolHeader& header_;
  const HeapTable& heap_;
  const PoolSchema& schema_;
  WalkVisitor* visitor_;
  WalkOptions options_;
  bool quiet_ = false;

  std::vector<std::uint8_t> reached_;
  std::vector<std::size_t> touched_;
  std::unordered_map<std::size_t, SharedTally> shared_;
  std::uint64_t problems_ = 0;
  std::uint64_t maps_ = 0;
  std::uint64_t reached_count_ = 0;
  Progress* progress_ = nullptr;

  std::deque<Chunk> chunks_;
  std::uint64_t next_chunk_ = 0;
  const Chunk* chunk_ = nullptr;
  std::vector<Segment> segments_;
};

// Renders a path, folding runs of one repeated step: "root.first(.next)×98".
std::string render_path(const std::vector<std::string>& segments);

}  // namespace pschema::pool
