#include "pool/walker.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "pool/layouts.hpp"
#include "pschema/format/type_ids.hpp"

namespace pschema::pool {

namespace {

constexpr std::size_t npos = HeapTable::npos;
// A B+-tree of nodes with at least two children each holds 2^64 keys in 64
// levels: anything deeper is damage (or a loop through unclaimed nodes).
constexpr std::uint64_t max_map_height = 64;

struct NodeHeader {
  std::uint32_t count;
  std::uint32_t leaf;
};
static_assert(sizeof(NodeHeader) == layouts::map_node_header);

WalkVisitor silent;

}  // namespace

std::string render_path(const std::vector<std::string>& segments) {
  std::string out;
  for (std::size_t i = 0; i < segments.size();) {
    std::size_t run = 1;
    while (i + run < segments.size() && segments[i + run] == segments[i]) ++run;
    if (run >= 4) {
      out += "(" + segments[i] + ")*" + std::to_string(run);
    } else {
      for (std::size_t k = 0; k < run; ++k) out += segments[i];
    }
    i += run;
  }
  return out;
}

std::string render_path(const std::shared_ptr<const PathNode>& path) {
  std::vector<const PathNode*> chain;
  for (const PathNode* node = path.get(); node != nullptr; node = node->parent.get()) chain.push_back(node);
  std::vector<std::string> all;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    all.insert(all.end(), (*it)->segments.begin(), (*it)->segments.end());
  return render_path(all);
}

Walker::Walker(const PoolBytes& bytes, const PoolHeader& header, const HeapTable& heap, const PoolSchema& schema,
               WalkVisitor& visitor, WalkOptions options)
    : bytes_(bytes),
      header_(header),
      heap_(heap),
      schema_(schema),
      visitor_(&visitor),
      options_(options),
      reached_(heap.blocks.size(), 0) {}

void Walker::walk_root(Progress* progress) {
  progress_ = progress;
  const std::uint64_t root = header_.superblock.root_offset;
  const gen::StructType& type = schema_.root();
  const std::size_t block = locate(root);
  if (block == npos) return;
  const HeapBlock& b = heap_.blocks[block];
  if (b.type_id != type.type_id) {
    problem(fmt::format("the root block has type {}, expected {}", schema_.type_name(b.type_id), type.name));
    mark(block);
    return;
  }
  if (b.payload_size() < type.layout.size) {
    problem(fmt::format("the root block holds {} bytes, {} needs {}", b.payload_size(), type.name, type.layout.size));
    mark(block);
    return;
  }
  claim(block);
  chunks_.push_back(
      Chunk{next_chunk_++, std::make_shared<PathNode>(PathNode{nullptr, {"root"}}), "root", nullptr, block, root, 0});
  run_chunks();
  progress_ = nullptr;
}

std::vector<std::size_t> Walker::walk_unreachable(std::size_t block) {
  for (std::size_t i : touched_) reached_[i] = 0;
  touched_.clear();
  shared_.clear();
  chunks_.clear();
  quiet_ = true;
  visitor_ = &silent;
  mark(block);
  const std::string where = "heap block " + hex(heap_.blocks[block].offset);
  chunks_.push_back(Chunk{next_chunk_++, std::make_shared<PathNode>(PathNode{nullptr, {where}}), where, nullptr, block,
                          heap_.blocks[block].payload(), 0});
  run_chunks();
  return touched_;
}

void Walker::run_chunks() {
  while (!chunks_.empty()) {
    Chunk chunk = std::move(chunks_.front());
    chunks_.pop_front();
    chunk_ = &chunk;
    segments_.clear();
    visitor_->begin_chunk(chunk.id, chunk.from);
    if (chunk.object_block != npos) {
      object(chunk.object_block);
    } else {
      value(*chunk.type, chunk.at, chunk.depth);
    }
    visitor_->end_chunk();
  }
  chunk_ = nullptr;
}

void Walker::object(std::size_t block) {
  const HeapBlock& b = heap_.blocks[block];
  ObjectInfo info{b.payload(), b.offset, b.size, false, 0, 0};
  if (const gen::StructType* s = schema_.struct_with_id(b.type_id)) {
    if (b.payload_size() >= s->layout.size) structure(*s, b.payload(), 0, &info);
    return;
  }
  // A shared block (only leak walks start at one): its object, if alive.
  if (format::type_ids::is_shared_block(b.type_id)) {
    const gen::StructType* s = schema_.struct_with_id(format::type_ids::struct_id_of_shared(b.type_id));
    const auto counts = bytes_.load<layouts::RcCounts>(b.payload());
    if (s != nullptr && counts && counts->strong > 0 && b.payload_size() >= layouts::rc_value_offset + s->layout.size) {
      info.offset = b.payload() + layouts::rc_value_offset;
      info.shared = true;
      info.strong = counts->strong;
      info.weak = counts->weak;
      structure(*s, info.offset, 0, &info);
    }
  }
}

bool Walker::enter(const gen::Type& type, std::uint64_t at, std::uint64_t depth) {
  if (depth > options_.max_depth) {
    visitor_->elided(type);
    return false;
  }
  if (chunk_ != nullptr && depth - chunk_->depth >= options_.inline_depth) {
    const std::uint64_t id = next_chunk_++;
    std::vector<std::string> local = local_segments();
    std::string from = "#" + std::to_string(chunk_->id) + render_path(local);
    chunks_.push_back(Chunk{id, std::make_shared<PathNode>(PathNode{chunk_->base, std::move(local)}), std::move(from),
                            &type, npos, at, depth});
    visitor_->deferred(type, id);
    return false;
  }
  return true;
}

void Walker::value(const gen::Type& type, std::uint64_t at, std::uint64_t depth) {
  switch (type.kind) {
    case gen::Kind::boolean:
    case gen::Kind::u8:
    case gen::Kind::u16:
    case gen::Kind::u32:
    case gen::Kind::u64:
    case gen::Kind::i8:
    case gen::Kind::i16:
    case gen::Kind::i32:
    case gen::Kind::i64:
    case gen::Kind::f32:
    case gen::Kind::f64:
    case gen::Kind::enumeration: scalar(type, at); return;
    case gen::Kind::structure:
      if (enter(type, at, depth)) structure(*type.structure, at, depth, nullptr);
      return;
    case gen::Kind::array:
      if (enter(type, at, depth)) array(type, at, depth);
      return;
    case gen::Kind::string:
    case gen::Kind::bytes: string(type, at); return;
    case gen::Kind::vec:
      if (enter(type, at, depth)) vec(type, at, depth);
      return;
    case gen::Kind::map:
      if (enter(type, at, depth)) map(type, at, depth);
      return;
    case gen::Kind::box:
      if (enter(type, at, depth)) box(type, at, depth, false);
      return;
    case gen::Kind::rc:
      if (enter(type, at, depth)) rc(type, at, depth, false);
      return;
    case gen::Kind::weak: weak(type, at); return;
    case gen::Kind::optional: optional(type, at, depth); return;
    case gen::Kind::mutex:
      // A lock word (volatile state of whichever process has the pool
      // open), then the value in place.
      value(*type.element, at + layouts::mutex_value_offset(gen::layout_of(*type.element)), depth);
      return;
    case gen::Kind::handle:
      // The analyzer refuses handles in pool types; a schema that has one
      // was not made by it.
      problem("a handle<> field cannot be stored in a pool");
      visitor_->unreadable(type);
      return;
  }
  problem("a field of an unknown kind");
  visitor_->unreadable(type);
}

void Walker::scalar(const gen::Type& type, std::uint64_t at) {
  const gen::Kind kind = stored_kind(type);
  const std::uint64_t size = scalar_size(kind);
  const std::byte* p = bytes_.at(at, size);
  if (p == nullptr) {
    problem(fmt::format("the value at {} lies outside the file", hex(at)));
    visitor_->unreadable(type);
    return;
  }
  ScalarValue v{kind, type.kind == gen::Kind::enumeration ? type.enumeration : nullptr, 0};
  std::memcpy(&v.bits, p, size);  // little-endian, like the pool
  visitor_->scalar(type, v);
}

void Walker::structure(const gen::StructType& s, std::uint64_t at, std::uint64_t depth, const ObjectInfo* object) {
  visitor_->begin_struct(s, object);
  for (const gen::Field& f : s.fields) {
    with_segment(Segment{Segment::field, &f.name, 0, {}}, [&] {
      visitor_->field(f);
      value(f.type, at + f.offset, depth + 1);
    });
  }
  visitor_->end_struct();
}

void Walker::array(const gen::Type& type, std::uint64_t at, std::uint64_t depth) {
  const gen::Type& element = *type.element;
  const std::uint64_t size = gen::layout_of(element).size;
  visitor_->begin_list(type, type.length);
  for (std::uint64_t i = 0; i < type.length; ++i) {
    with_segment(Segment{Segment::index, nullptr, i, {}}, [&] {
      visitor_->index(i);
      value(element, at + i * size, depth + 1);
    });
  }
  visitor_->end_list();
}

bool Walker::read_text(std::uint64_t at, std::string& out) {
  const auto rep = bytes_.load<layouts::StringRep>(at);
  if (!rep) {
    problem(fmt::format("the value at {} lies outside the file", hex(at)));
    return false;
  }
  if (rep->is_inline()) {
    const std::size_t size = rep->raw[23] & 0x7F;
    if (size > layouts::StringRep::inline_capacity) {
      problem(fmt::format("inline string length {} is more than the {} bytes a field holds", size,
                          layouts::StringRep::inline_capacity));
      return false;
    }
    out.assign(reinterpret_cast<const char*>(rep->raw), size);
    return true;
  }
  const std::uint64_t offset = rep->word(0);
  const std::uint64_t size = rep->word(1);
  const std::uint64_t capacity = rep->word(2);
  if (offset == 0) {
    if (size != 0 || capacity != 0) {
      problem(fmt::format("empty string (no buffer) has length {} and capacity {}", size, capacity));
      return false;
    }
    out.clear();
    return true;
  }
  const std::size_t block = target(offset, format::type_ids::string_buffer, 0);
  if (block == npos || !claim(block)) return false;
  const std::uint64_t room = heap_.blocks[block].payload_size();
  if (size > capacity) {
    problem(fmt::format("string length {} exceeds its capacity {}", size, capacity));
    return false;
  }
  if (capacity > room) {
    problem(fmt::format("string capacity {} exceeds its buffer of {} bytes", capacity, room));
    return false;
  }
  const std::byte* p = bytes_.at(offset, size);  // inside the block: checked above
  out.assign(reinterpret_cast<const char*>(p), size);
  return true;
}

void Walker::string(const gen::Type& type, std::uint64_t at) {
  std::string text;
  if (read_text(at, text)) {
    visitor_->text(type, text);
  } else {
    visitor_->unreadable(type);
  }
}

void Walker::vec(const gen::Type& type, std::uint64_t at, std::uint64_t depth) {
  const auto rep = bytes_.load<layouts::VecRep>(at);
  if (!rep) {
    problem(fmt::format("the value at {} lies outside the file", hex(at)));
    visitor_->unreadable(type);
    return;
  }
  const gen::Type& element = *type.element;
  const std::uint64_t size = gen::layout_of(element).size;
  if (rep->offset == 0) {
    if (rep->size != 0 || rep->capacity != 0) {
      problem(fmt::format("empty vec (no buffer) has size {} and capacity {}", rep->size, rep->capacity));
      visitor_->unreadable(type);
      return;
    }
    visitor_->begin_list(type, 0);
    visitor_->end_list();
    return;
  }
  const std::size_t block = target(rep->offset, format::type_ids::vec_buffer, 0);
  if (block == npos || !claim(block)) {
    visitor_->unreadable(type);
    return;
  }
  const std::uint64_t room = heap_.blocks[block].payload_size();
  if (rep->size > rep->capacity) problem(fmt::format("vec size {} exceeds its capacity {}", rep->size, rep->capacity));
  if (size > 0 && rep->capacity > room / size) {
    problem(fmt::format("vec capacity {} needs more than its buffer of {} bytes", rep->capacity, room));
  }
  // Only the elements that lie in the buffer are read.
  const std::uint64_t count = size == 0 ? std::min<std::uint64_t>(rep->size, room) : std::min(rep->size, room / size);
  visitor_->begin_list(type, rep->size);
  for (std::uint64_t i = 0; i < count; ++i) {
    with_segment(Segment{Segment::index, nullptr, i, {}}, [&] {
      visitor_->index(i);
      value(element, rep->offset + i * size, depth + 1);
    });
  }
  visitor_->end_list();
}

std::optional<MapKey> Walker::read_key(const gen::Type& type, std::uint64_t at) {
  MapKey key;
  key.type = &type;
  if (type.kind == gen::Kind::string || type.kind == gen::Kind::bytes) {
    key.is_text = true;
    if (!read_text(at, key.text)) return std::nullopt;
    return key;
  }
  const gen::Kind kind = stored_kind(type);
  const std::byte* p = bytes_.at(at, scalar_size(kind));
  if (p == nullptr) {
    problem(fmt::format("the key at {} lies outside the file", hex(at)));
    return std::nullopt;
  }
  key.scalar = ScalarValue{kind, type.kind == gen::Kind::enumeration ? type.enumeration : nullptr, 0};
  std::memcpy(&key.scalar.bits, p, scalar_size(kind));
  return key;
}

void Walker::map(const gen::Type& type, std::uint64_t at, std::uint64_t depth) {
  ++maps_;
  const auto rep = bytes_.load<layouts::MapRep>(at);
  if (!rep) {
    problem(fmt::format("the value at {} lies outside the file", hex(at)));
    visitor_->unreadable(type);
    return;
  }
  const gen::Type& key_type = *type.key;
  const gen::Type& value_type = *type.element;
  const gen::Layout key_layout = gen::layout_of(key_type);
  const gen::Layout value_layout = gen::layout_of(value_type);
  const layouts::MapGeometry g = layouts::map_geometry(key_layout, value_layout);
  visitor_->begin_map(type, rep->size);
  if (rep->root == 0) {
    if (rep->size != 0) problem(fmt::format("empty map (no root node) has size {}", rep->size));
    visitor_->end_map();
    return;
  }
  // Depth first with an explicit stack, children pushed right to left so
  // that the leaves come out in key order. Each node gets the key range
  // its parent's separators allow: [lo, hi).
  struct Frame {
    std::uint64_t node;
    std::uint64_t level;
    std::optional<MapKey> lo;
    std::optional<MapKey> hi;
  };
  std::vector<Frame> stack;
  stack.push_back(Frame{rep->root, 0, std::nullopt, std::nullopt});
  std::optional<std::uint64_t> leaf_level;
  std::optional<MapKey> previous;
  std::uint64_t entries = 0;
  while (!stack.empty()) {
    Frame f = std::move(stack.back());
    stack.pop_back();
    const std::string node = hex(f.node);
    if (f.level > max_map_height) {
      problem(fmt::format("map node {} is more than {} levels deep", node, max_map_height));
      continue;
    }
    const std::size_t block = locate(f.node);
    if (block == npos) continue;
    const HeapBlock& b = heap_.blocks[block];
    if (b.type_id != format::type_ids::map_leaf && b.type_id != format::type_ids::map_inner) {
      problem(fmt::format("pointer {} points at a block of type {}, expected a map node", node,
                          schema_.type_name(b.type_id)));
      mark(block);
      continue;
    }
    if (!claim(block)) continue;
    const bool is_leaf = b.type_id == format::type_ids::map_leaf;
    const std::uint64_t need = is_leaf ? g.leaf_size : g.inner_size;
    if (b.payload_size() < need) {
      problem(fmt::format("map node {} has {} bytes, a {} needs {}", node, b.payload_size(),
                          is_leaf ? "leaf" : "inner node", need));
      continue;
    }
    const NodeHeader h = bytes_.load<NodeHeader>(f.node).value();  // inside the block
    if (h.leaf != (is_leaf ? 1u : 0u)) {
      problem(fmt::format("map node {} has leaf flag {}, but its block is a {}", node, h.leaf,
                          is_leaf ? "map leaf" : "map inner node"));
      continue;
    }
    if (is_leaf) {
      if (h.count == 0 || h.count > g.leaf_capacity) {
        problem(fmt::format("map leaf {} holds {} entries; a leaf holds 1 to {}", node, h.count, g.leaf_capacity));
        continue;
      }
      if (!leaf_level) {
        leaf_level = f.level;
      } else if (*leaf_level != f.level) {
        problem(fmt::format("map leaf {} is at depth {}, other leaves at depth {}: the tree is not balanced", node,
                            f.level, *leaf_level));
      }
      for (std::uint32_t i = 0; i < h.count; ++i) {
        std::optional<MapKey> key = read_key(key_type, f.node + g.leaf_keys + i * key_layout.size);
        ++entries;
        if (!key) continue;
        if (previous && !(*previous < *key)) {
          problem(fmt::format("map leaf {}: key {} is out of order (it comes after {})", node, key_segment(*key),
                              key_segment(*previous)));
        } else if ((f.lo && *key < *f.lo) || (f.hi && !(*key < *f.hi))) {
          problem(fmt::format("map leaf {}: key {} is outside the range its parent node gives it", node,
                              key_segment(*key)));
        }
        previous = key;
        with_segment(Segment{Segment::key, nullptr, 0, key_segment(*key)}, [&] {
          visitor_->key(*key);
          value(value_type, f.node + g.leaf_values + i * value_layout.size, depth + 1);
        });
      }
    } else {
      if (h.count > g.inner_capacity) {
        problem(fmt::format("map inner node {} holds {} keys; an inner node holds at most {}", node, h.count,
                            g.inner_capacity));
        continue;
      }
      std::vector<std::optional<MapKey>> separators(h.count);
      for (std::uint32_t i = 0; i < h.count; ++i) {
        separators[i] = read_key(key_type, f.node + g.inner_keys + i * key_layout.size);
        if (i > 0 && separators[i] && separators[i - 1] && !(*separators[i - 1] < *separators[i])) {
          problem(fmt::format("map inner node {}: key {} is out of order (it comes after {})", node,
                              key_segment(*separators[i]), key_segment(*separators[i - 1])));
        }
      }
      for (std::uint32_t c = h.count + 1; c-- > 0;) {
        const std::uint64_t child = bytes_.load<std::uint64_t>(f.node + g.inner_children + c * 8).value();
        std::optional<MapKey> lo = c == 0 ? f.lo : separators[c - 1];
        std::optional<MapKey> hi = c == h.count ? f.hi : separators[c];
        stack.push_back(Frame{child, f.level + 1, std::move(lo), std::move(hi)});
      }
    }
  }
  if (entries != rep->size) problem(fmt::format("map size is {} but its leaves hold {} entries", rep->size, entries));
  visitor_->end_map();
}

// The offset a box, rc or weak field holds; nullopt once it has been reported or
// visited as needing no object (the field lies outside the file, or is empty).
std::optional<std::uint64_t> Walker::object_offset(const gen::Type& declared, std::uint64_t at, bool nullable,
                                                   std::string_view kind, std::string_view article) {
  const auto pointer = bytes_.load<std::uint64_t>(at);
  if (!pointer) {
    problem(fmt::format("the value at {} lies outside the file", hex(at)));
    visitor_->unreadable(declared);
    return std::nullopt;
  }
  if (*pointer == 0) {
    if (nullable) {
      visitor_->null(declared);
    } else {
      problem(fmt::format("{} is empty ({} {}<T> always holds an object)", kind, article, kind));
      visitor_->unreadable(declared);
    }
    return std::nullopt;
  }
  return *pointer;
}

void Walker::box(const gen::Type& declared, std::uint64_t at, std::uint64_t depth, bool nullable) {
  const gen::Type& type = nullable ? *declared.element : declared;
  const std::optional<std::uint64_t> pointer = object_offset(declared, at, nullable, "box", "a");
  if (!pointer) return;
  const gen::StructType& s = *type.element->structure;
  const std::size_t block = target(*pointer, s.type_id, s.layout.size);
  if (block == npos || !claim(block)) {
    visitor_->unreadable(declared);
    return;
  }
  const HeapBlock& b = heap_.blocks[block];
  const ObjectInfo info{*pointer, b.offset, b.size, false, 0, 0};
  structure(s, *pointer, depth, &info);
}

void Walker::rc(const gen::Type& declared, std::uint64_t at, std::uint64_t depth, bool nullable) {
  const gen::Type& type = nullable ? *declared.element : declared;
  const std::optional<std::uint64_t> pointer = object_offset(declared, at, nullable, "rc", "an");
  if (!pointer) return;
  const gen::StructType& s = *type.element->structure;
  const std::size_t block =
      target(*pointer, format::type_ids::shared_block_id(s.type_id), layouts::rc_value_offset + s.layout.size);
  if (block == npos) {
    visitor_->unreadable(declared);
    return;
  }
  mark(block);
  SharedTally& tally = shared_[block];
  ++tally.rc_fields;
  if (!tally.first_path) tally.first_path = here();
  const layouts::RcCounts counts = bytes_.load<layouts::RcCounts>(*pointer).value();  // inside the block
  if (counts.strong == 0) {
    // Destroyed: what it owned is freed; check reports the count.
    visitor_->reference(declared, *pointer, "destroyed");
    return;
  }
  if (tally.content_walked) {
    visitor_->reference(declared, *pointer, "shared");
    return;
  }
  tally.content_walked = true;
  const HeapBlock& b = heap_.blocks[block];
  const ObjectInfo info{*pointer + layouts::rc_value_offset, b.offset, b.size, true, counts.strong, counts.weak};
  structure(s, info.offset, depth, &info);
}

void Walker::weak(const gen::Type& type, std::uint64_t at) {
  // Always nullable: an empty weak<T> is not a problem.
  const std::optional<std::uint64_t> pointer = object_offset(type, at, true, "weak", "a");
  if (!pointer) return;
  const gen::StructType& s = *type.element->structure;
  const std::size_t block =
      target(*pointer, format::type_ids::shared_block_id(s.type_id), layouts::rc_value_offset + s.layout.size);
  if (block == npos) {
    visitor_->unreadable(type);
    return;
  }
  mark(block);  // a weak pointer keeps the block (not the object) allocated
  SharedTally& tally = shared_[block];
  ++tally.weak_fields;
  if (!tally.first_path) tally.first_path = here();
  const layouts::RcCounts counts = bytes_.load<layouts::RcCounts>(*pointer).value();
  visitor_->reference(type, *pointer, counts.strong == 0 ? "expired" : "live");
}

void Walker::optional(const gen::Type& type, std::uint64_t at, std::uint64_t depth) {
  const gen::Type& element = *type.element;
  if (element.kind == gen::Kind::box || element.kind == gen::Kind::rc) {
    // box<T>? and rc<T>?: a nullable offset, no flag.
    if (!enter(type, at, depth)) return;
    if (element.kind == gen::Kind::box) {
      box(type, at, depth, true);
    } else {
      rc(type, at, depth, true);
    }
    return;
  }
  const auto flag = bytes_.load<std::uint8_t>(at + layouts::optional_flag_offset(gen::layout_of(element)));
  if (!flag) {
    problem(fmt::format("the value at {} lies outside the file", hex(at)));
    visitor_->unreadable(type);
    return;
  }
  if (*flag == 0) {
    visitor_->null(type);
    return;
  }
  if (*flag != 1) {
    problem(fmt::format("optional has presence flag {} (0 or 1 expected)", *flag));
    visitor_->unreadable(type);
    return;
  }
  value(element, at, depth);
}

std::size_t Walker::locate(std::uint64_t target) {
  const std::uint64_t begin = header_.heap_begin();
  const std::uint64_t end = header_.heap_end();
  if (target < begin + sizeof(format::BlockHeader) || target >= end) {
    problem(fmt::format("pointer {} is out of bounds (the heap is {} to {})", hex(target), hex(begin), hex(end)));
    return npos;
  }
  if (target % format::block_alignment != 0) {
    problem(fmt::format("pointer {} is not aligned to {} bytes", hex(target), format::block_alignment));
    return npos;
  }
  const std::size_t block = heap_.find_payload(target);
  if (block == npos) {
    if (heap_.damaged && target > heap_.damaged_at) {
      problem(fmt::format("pointer {} points past the damaged block header at {}", hex(target), hex(heap_.damaged_at)));
    } else {
      problem(fmt::format("pointer {} does not point at the start of an object", hex(target)));
    }
    return npos;
  }
  if (!heap_.blocks[block].allocated) {
    problem(fmt::format("pointer {} points at a free block (dangling)", hex(target)));
    return npos;
  }
  return block;
}

std::size_t Walker::target(std::uint64_t pointer, std::uint32_t type_id, std::uint64_t min_payload) {
  const std::size_t block = locate(pointer);
  if (block == npos) return npos;
  const HeapBlock& b = heap_.blocks[block];
  if (b.type_id != type_id) {
    problem(fmt::format("pointer {} points at a block of type {}, expected {}", hex(pointer),
                        schema_.type_name(b.type_id), schema_.type_name(type_id)));
    mark(block);  // referenced, if wrongly: not a leak
    return npos;
  }
  if (b.payload_size() < min_payload) {
    problem(fmt::format("pointer {} points at a block of {} bytes, too small for {} ({} bytes)", hex(pointer),
                        b.payload_size(), schema_.type_name(type_id), min_payload));
    mark(block);
    return npos;
  }
  return block;
}

bool Walker::claim(std::size_t block) {
  if (reached_[block] != 0) {
    const HeapBlock& b = heap_.blocks[block];
    problem(fmt::format("the {} at {} is owned twice (another field already holds it)", schema_.type_name(b.type_id),
                        hex(b.payload())));
    return false;
  }
  mark(block);
  return true;
}

void Walker::mark(std::size_t block) {
  if (reached_[block] != 0) return;
  reached_[block] = 1;
  touched_.push_back(block);
  ++reached_count_;
  if (progress_ != nullptr && reached_count_ % 4096 == 0) progress_->update(reached_count_);
}

void Walker::problem(const std::string& message) {
  ++problems_;
  if (!quiet_) visitor_->problem(render_path(here()), message);
}

std::vector<std::string> Walker::local_segments() const {
  std::vector<std::string> out;
  out.reserve(segments_.size());
  for (const Segment& s : segments_) {
    switch (s.kind) {
      case Segment::field: out.push_back("." + *s.name); break;
      case Segment::index: out.push_back("[" + std::to_string(s.number) + "]"); break;
      case Segment::key: out.push_back(s.key_text); break;
    }
  }
  return out;
}

std::shared_ptr<const PathNode> Walker::here() const {
  if (chunk_ == nullptr) return std::make_shared<PathNode>(PathNode{nullptr, {"root"}});
  return std::make_shared<PathNode>(PathNode{chunk_->base, local_segments()});
}

template <class F>
void Walker::with_segment(Segment segment, F&& body) {
  segments_.push_back(std::move(segment));
  body();
  segments_.pop_back();
}

}  // namespace pschema::pool
