// Creating, opening (validation + recovery) and closing pools.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <span>
#include <variant>

#include "file_io_util.hpp"
#include "pool_impl.hpp"
#include "pool_mapping.hpp"
#include "pschema/errors.hpp"
#include "pschema/format/checksum.hpp"
#include "pschema/format/header_check.hpp"
#include "pschema/format/layout_plan.hpp"
#include "pschema/format/log_reader.hpp"
#include "pschema/format/type_ids.hpp"
#include "pschema/format/uuid.hpp"
#include "redo_log.hpp"
#include "writer_lock.hpp"

namespace pschema {

namespace detail {

namespace {

std::atomic<std::uint64_t> next_instance_id{1};

std::string errno_text(int err) { return std::strerror(err); }

std::string hex64(std::uint64_t value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%016" PRIx64, value);
  return buffer;
}

// Owns a file descriptor until released.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// A pool file with holes (copied with `cp --sparse`, restored from an
// archive, or made by ftruncate) would get its blocks only when a store
// first touches a page; on a full disk that store dies with SIGBUS. So the
// blocks are reserved now, while a failure is still an error.
void back_sparse_file(int fd, const struct stat& st, const std::string& path) {
  if (static_cast<std::uint64_t>(st.st_blocks) * 512 >= static_cast<std::uint64_t>(st.st_size)) return;
  const int err = ::posix_fallocate(fd, 0, st.st_size);
  if (err == 0 || err == EOPNOTSUPP || err == EINVAL) return;  // (a file system that cannot reserve: as before)
  throw io_error(path, "the pool file has holes, and reserving its " + std::to_string(st.st_size) +
                           " bytes on the disk failed: " + errno_text(err) +
                           " (a store into a hole would otherwise crash the process when the disk is full)");
}

// A new file's name is durable only once its directory is synced: without
// this, a power cut after create returned could leave no pool at all (the
// file engine's log gets the same when it is made, redo_log.cpp).
void sync_parent_directory(const std::string& path) {
  FileDescriptor dir_fd(::open(parent_directory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    throw io_error(path, "cannot make the new pool's directory entry durable: " + errno_text(errno));
  }
}

void read_exactly(int fd, void* buffer, std::size_t size, std::uint64_t offset, const std::string& path) {
  auto* out = static_cast<char*>(buffer);
  while (size > 0) {
    ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw io_error(path, "cannot read: " + errno_text(errno));
    if (n == 0) throw truncated_pool(path, "the file ends at byte " + std::to_string(offset));
    out += n;
    offset += static_cast<std::uint64_t>(n);
    size -= static_cast<std::size_t>(n);
  }
}

// The exception open throws for a header the format's checks refuse.
[[noreturn]] void throw_header_error(const std::string& path, const format::HeaderError& problem) {
  switch (problem.fault) {
    case format::HeaderFault::not_a_pool: throw not_a_pool(path, problem.message);
    case format::HeaderFault::truncated: throw truncated_pool(path, problem.message);
    case format::HeaderFault::version_too_new: throw version_too_new(path, problem.message);
    case format::HeaderFault::damaged: throw checksum_mismatch(path, problem.message);
    case format::HeaderFault::corrupt: break;
  }
  throw corrupt_pool(path, problem.message);
}

// A read-only pool's persistence: its memory is a private copy that never
// reaches the file, so recovery's flushes and fences have nothing to do.
class PrivateCopyPersistence final : public Persistence {
 public:
  std::size_t flush(const void*, std::size_t, Site) override { return 0; }
  void fence(Site) override {}
  std::string_view name() const noexcept override { return "read-only"; }
};

// What open checks before anything is mapped: the superblock, the schema
// and the schema text, read with pread, so that a damaged file fails here
// with an exception, never with an access outside the file.
struct CheckedHeader {
  format::Superblock superblock{};
  std::string schema_text;
};

CheckedHeader read_checked_header(int fd, const std::string& path, const SchemaInfo& schema, std::uint64_t file_size) {
  CheckedHeader out;
  format::Superblock& sb = out.superblock;
  {
    std::byte head[sizeof(format::Superblock)];
    const auto head_size = static_cast<std::size_t>(std::min<std::uint64_t>(file_size, sizeof head));
    read_exactly(fd, head, head_size, 0, path);
    if (auto problem = format::check_superblock(std::span(head, head_size), file_size)) {
      throw_header_error(path, *problem);
    }
    std::memcpy(&sb, head, sizeof sb);
  }
  const std::string found_name(sb.schema_name);
  if (found_name != schema.name || sb.schema_fingerprint != schema.fingerprint) {
    throw schema_mismatch(path, "the pool holds schema '" + found_name + "' (fingerprint " +
                                    hex64(sb.schema_fingerprint) + "), expected '" + std::string(schema.name) +
                                    "' (fingerprint " + hex64(schema.fingerprint) + ")");
  }
  if (sb.root_size < schema.root_size || sb.root_type_id != schema.root_type_id) {
    throw schema_mismatch(path, "root object is type " + std::to_string(sb.root_type_id) + " of " +
                                    std::to_string(sb.root_size) + " bytes, expected type " +
                                    std::to_string(schema.root_type_id) + " of " + std::to_string(schema.root_size));
  }
  out.schema_text.assign(sb.schema_text_size, '\0');
  read_exactly(fd, out.schema_text.data(), out.schema_text.size(), sb.schema_text_offset, path);
  if (auto problem = format::check_schema_text(sb, std::as_bytes(std::span(out.schema_text)))) {
    throw_header_error(path, *problem);
  }
  return out;
}

// The current copy of the pool state, read with pread.
format::PoolState read_current_state(int fd, const std::string& path) {
  format::PoolState states[2];
  read_exactly(fd, states, sizeof states, format::state_offset, path);
  const int current = format::check_state_copies(states).current;
  if (current < 0) throw checksum_mismatch(path, "both copies of the pool state are damaged");
  return states[current];
}

// The first `size` bytes of the file in anonymous private memory: a
// snapshot that later writes to the file cannot change (pages of a private
// file mapping that were never written still show the file as it changes).
std::byte* copy_pool_file(int fd, std::uint64_t size, const std::string& path) {
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    throw io_error(path, "cannot allocate " + std::to_string(size) +
                             " bytes for a read-only copy of the pool: " + errno_text(errno));
  }
  auto* base = static_cast<std::byte*>(memory);
  try {
    read_exactly(fd, base, size, 0, path);
  } catch (...) {
    ::munmap(memory, size);
    throw;
  }
  return base;
}

}  // namespace

PoolImpl::~PoolImpl() {
  unregister_shared_mapping(base_);
  unmap_pool_file(base_, mapped_size_);
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // last: the next writer may open the file now
}

std::unique_ptr<PoolImpl> PoolImpl::create(const std::string& path, std::size_t size, const SchemaInfo& schema,
                                           const PoolOptions& options) {
  if (options.read_only) throw usage_error(path, "cannot create a pool read-only (PoolOptions::read_only)");
  const format::LayoutRequest request{size, schema.name.size(), schema.text.size(), options.lanes, schema.root_size};
  const auto planned = format::plan_layout(request);
  if (const auto* refusal = std::get_if<format::LayoutRefusal>(&planned)) throw usage_error(path, refusal->message);
  const format::LayoutPlan& plan = std::get<format::LayoutPlan>(planned);

  format::Superblock sb = format::superblock_from_plan(request, plan, schema.name, schema.text);
  std::random_device random;
  for (auto& byte : sb.uuid) byte = static_cast<std::uint8_t>(random());
  sb.uuid[6] = static_cast<std::uint8_t>((sb.uuid[6] & 0x0F) | 0x40);  // version 4 (random)
  sb.uuid[8] = static_cast<std::uint8_t>((sb.uuid[8] & 0x3F) | 0x80);
  sb.creation_time = static_cast<std::uint64_t>(std::time(nullptr));
  sb.schema_fingerprint = schema.fingerprint;
  sb.root_type_id = schema.root_type_id;
  sb.checksum = format::superblock_checksum(sb);

  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, options.create_mode));
  if (fd.get() < 0) {
    if (errno == EEXIST) throw io_error(path, "cannot create the pool: the file already exists");
    throw io_error(path, "cannot create the pool: " + errno_text(errno));
  }
  // From here on a failure removes the half-made file.
  struct RemoveOnFailure {
    const std::string& path;
    bool armed = true;
    ~RemoveOnFailure() {
      if (armed) ::unlink(path.c_str());
    }
  } remove_on_failure{path};

  FileDescriptor lock(lock_writers(path, fd.get()));
  mark_writer(fd.get());
  int err = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(size));
  if (err == EOPNOTSUPP || err == EINVAL) err = ::ftruncate(fd.get(), static_cast<off_t>(size)) == 0 ? 0 : errno;
  if (err != 0) throw io_error(path, "cannot size the file to " + std::to_string(size) + " bytes: " + errno_text(err));

  auto pool = std::unique_ptr<PoolImpl>(new PoolImpl());
  pool->path_ = path;
  pool->fd_ = fd.release();
  pool->lock_fd_ = lock.release();
  pool->superblock_ = sb;
  pool->schema_text_ = std::string(schema.text);
  pool->generation_ = 1;
  pool->concurrent_ = schema.concurrent;
  pool->file_io_ = options.file_io ? options.file_io : make_posix_file_io();
  pool->map_and_start(options, false);

  // The new file is all zeros: lanes start at sequence 0, nothing to log.
  // Write the layout, make it durable, then the magic number last, so an
  // interrupted create leaves a file that is plainly not a pool.
  std::byte* base = pool->base_;
  Persistence& p = *pool->persistence_;
  std::memcpy(base + format::schema_text_offset, schema.text.data(), schema.text.size());
  p.stored(base + format::schema_text_offset, schema.text.size());
  p.flush(base + format::schema_text_offset, schema.text.size(), Site::create_pool);

  const std::uint64_t root_block = plan.root_block_size;
  auto* root = reinterpret_cast<format::BlockHeader*>(base + sb.heap_offset);
  *root =
      format::BlockHeader{root_block | format::allocated_bit, schema.root_type_id, format::block_tag(sb.heap_offset)};
  auto* rest = reinterpret_cast<format::BlockHeader*>(base + sb.heap_offset + root_block);
  *rest = format::BlockHeader{sb.heap_size - root_block, format::type_ids::no_type,
                              format::block_tag(sb.heap_offset + root_block)};
  p.stored(root, sizeof *root);
  p.stored(rest, sizeof *rest);
  p.flush(root, sizeof *root, Site::create_pool);
  p.flush(rest, sizeof *rest, Site::create_pool);

  format::Superblock without_magic = sb;
  without_magic.magic = 0;
  std::memcpy(base, &without_magic, sizeof sb);
  p.stored(base, sizeof sb);
  p.flush(base, sizeof sb, Site::create_pool);
  pool->write_state(false);  // fences, covering everything above
  pool->heap_->rebuild();
  if (schema.initialize_root != nullptr) {
    TransactionScope scope(*pool);
    schema.initialize_root(scope.transaction(), sb.root_offset);
    scope.commit();
  }
  std::memcpy(base, &sb.magic, sizeof sb.magic);
  p.stored(base, sizeof sb.magic);
  p.flush(base, sizeof sb.magic, Site::create_commit);
  p.fence(Site::create_commit);
  sync_parent_directory(path);
  pool->start_engine();
  remove_on_failure.armed = false;
  return pool;
}

std::unique_ptr<PoolImpl> PoolImpl::open(const std::string& path, const SchemaInfo& schema,
                                         const PoolOptions& options) {
  if (options.read_only) return open_read_only(path, schema, options);
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) throw io_error(path, "cannot open the pool: " + errno_text(errno));
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) throw io_error(path, "cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) throw not_a_pool(path, "not a regular file");
  FileDescriptor lock(lock_writers(path, fd.get()));
  mark_writer(fd.get());
  CheckedHeader header = read_checked_header(fd.get(), path, schema, static_cast<std::uint64_t>(st.st_size));
  back_sparse_file(fd.get(), st, path);
  const format::Superblock& sb = header.superblock;

  auto pool = std::unique_ptr<PoolImpl>(new PoolImpl());
  pool->path_ = path;
  pool->fd_ = fd.release();
  pool->lock_fd_ = lock.release();
  pool->superblock_ = sb;
  pool->schema_text_ = std::move(header.schema_text);

  const format::PoolState state = read_current_state(pool->fd_, path);
  pool->state_sequence_ = state.sequence;
  pool->generation_ = state.generation;
  const bool expects_log = format::log_required(state);
  pool->concurrent_ = schema.concurrent;

  // Transactions the file engine committed before a crash are in its log,
  // not yet in the pool file: whichever backend opens the pool now, they
  // go into the file first, before undo recovery and the heap walk see it.
  pool->file_io_ = options.file_io ? options.file_io : make_posix_file_io();
  const ReplayResult replay = replay_log(*pool->file_io_, pool->fd_, path, sb, pool->generation_, pool->file_syncs_);
  if (expects_log && !replay.found && !options.discard_missing_log) throw_missing_log(path);
  pool->replayed_ = replay.records;
  pool->recovered_ = replay.records > 0;

  pool->map_and_start(options, true);
  pool->start_engine();
  return pool;
}

[[noreturn]] void PoolImpl::throw_missing_log(const std::string& path) {
  throw corrupt_pool(path, "the pool was not closed cleanly and its log " + log_path_for(path) +
                               ", which holds its latest committed transactions, is missing: put the log back next "
                               "to the pool file (a copy of an open or crashed pool needs both files), or open "
                               "with PoolOptions::discard_missing_log to go on without those transactions");
}

std::unique_ptr<PoolImpl> PoolImpl::open_read_only(const std::string& path, const SchemaInfo& schema,
                                                   const PoolOptions& options) {
  // O_RDONLY: read permission is enough. No lock is taken: a lock a reader
  // can take is one that could keep the pool's owner out (writer_lock.hpp).
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw io_error(path, "cannot open the pool for reading: " + errno_text(errno));
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) throw io_error(path, "cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) throw not_a_pool(path, "not a regular file");
  CheckedHeader header = read_checked_header(fd.get(), path, schema, static_cast<std::uint64_t>(st.st_size));

  auto pool = std::unique_ptr<PoolImpl>(new PoolImpl());
  pool->path_ = path;
  pool->fd_ = fd.release();
  pool->read_only_ = true;
  pool->superblock_ = header.superblock;
  pool->schema_text_ = std::move(header.schema_text);
  pool->concurrent_ = schema.concurrent;
  pool->file_io_ = options.file_io ? options.file_io : make_posix_file_io();
  const format::Superblock& sb = pool->superblock_;

  // The copy is consistent if no writer changed the file while it was
  // taken. A writer open before is marked; one that opens meanwhile writes
  // the pool state (a new sequence number) before any transaction of its
  // own, and whatever it writes before that (replaying the log, rolling
  // back) is what this open applies to its copy too, from the same log and
  // journal. So: no mark before and after, and the same state, or again.
  constexpr int attempts = 3;
  for (int attempt = 1;; ++attempt) {
    if (writer_marked(pool->fd_, path)) {
      throw pool_in_use(path,
                        "the pool is open for writing in another process (or elsewhere in this one); "
                        "a read-only open reads a pool that no writer has open");
    }
    const format::PoolState before = read_current_state(pool->fd_, path);
    std::byte* copy = copy_pool_file(pool->fd_, sb.pool_size, path);
    struct Unmap {
      std::byte* base;
      std::uint64_t size;
      ~Unmap() {
        if (base != nullptr) ::munmap(base, size);
      }
    } unmap{copy, sb.pool_size};
    // The log's committed records, laid over the copy only.
    const ReplayResult replay =
        replay_log(*pool->file_io_, pool->fd_, path, sb, before.generation, pool->file_syncs_, copy);
    if (format::log_required(before) && !replay.found && !options.discard_missing_log) throw_missing_log(path);
    const format::PoolState after = read_current_state(pool->fd_, path);
    if (after.sequence == before.sequence && !writer_marked(pool->fd_, path)) {
      pool->base_ = std::exchange(unmap.base, nullptr);
      pool->mapped_size_ = sb.pool_size;
      pool->state_sequence_ = before.sequence;
      pool->generation_ = before.generation;
      pool->replayed_ = replay.records;
      pool->recovered_ = replay.records > 0;
      break;
    }
    if (attempt == attempts) {
      throw pool_in_use(path, "a writer opened the pool while it was being read (" + std::to_string(attempts) +
                                  " times); a read-only open reads a pool that no writer has open");
    }
  }
  pool->map_and_start(options, true);  // recovery, in the private copy
  return pool;
}

void PoolImpl::map_and_start(const PoolOptions& options, bool run_recovery) {
  if (read_only_) {
    // open_read_only made the private copy (base_) already.
  } else {
    const PoolMapping mapping = map_pool_file(fd_, path_);
    base_ = mapping.base;
    mapped_size_ = mapping.size;
    is_pmem_ = mapping.is_pmem;
    register_shared_mapping(base_, mapped_size_, fd_);
    if (mapped_size_ < superblock_.pool_size) {
      throw truncated_pool(path_, "the file shrank to " + std::to_string(mapped_size_) + " bytes while opening");
    }
  }

  if (read_only_) {
    persistence_ = std::make_shared<PrivateCopyPersistence>();
  } else if (options.persistence) {
    persistence_ = options.persistence;
  } else if (options.backend == Backend::pmem || (options.backend == Backend::automatic && is_pmem_)) {
    persistence_ = make_pmem_persistence();
  } else if (options.backend == Backend::msync) {
    persistence_ = make_msync_persistence();
  } else {
    // Until start_engine() it runs the undo protocol on this shared mapping
    // (a fence is an fdatasync): recovery and pool creation as before.
    auto engine = std::make_shared<FileEngine>(*this, options, file_io_, file_syncs_);
    engine_ = engine.get();
    persistence_ = std::move(engine);
  }
  persistence_->attach(base_, superblock_.pool_size);
  instance_id_ = next_instance_id.fetch_add(1);

  const std::uint64_t heap_end = superblock_.heap_offset + superblock_.heap_size;
  heap_ = std::make_unique<Heap>(base_, superblock_.heap_offset, heap_end, *persistence_, path_);
  for (std::uint32_t i = 0; i < superblock_.lane_count; ++i) {
    lanes_.push_back(
        std::make_unique<Lane>(*this, i, superblock_.lanes_offset + i * superblock_.lane_size, superblock_.lane_size));
  }
  if (run_recovery) recover();
  // Lock words compare against the generation, final only now.
  locks_ = std::make_unique<LockTable>(superblock_.lane_count, generation_, options.lock_timeout);
}

void PoolImpl::recover() {
  const std::uint64_t heap_end = superblock_.heap_offset + superblock_.heap_size;
  for (auto& lane : lanes_) {
    recovered_ |= lane->journal().recover(superblock_.heap_offset, heap_end, path_);
  }
  heap_->rebuild();
  Block root;
  try {
    root = heap_->allocated_block_at(superblock_.root_offset);
  } catch (const usage_error&) {
    throw corrupt_pool(
        path_, "the root object at offset " + std::to_string(superblock_.root_offset) + " is not an allocated block");
  }
  const auto* root_header = reinterpret_cast<const format::BlockHeader*>(base_ + root.offset);
  if (root.payload_size() < superblock_.root_size || root_header->type_id != superblock_.root_type_id) {
    throw corrupt_pool(path_, "the root object's block header does not match the header");
  }
  ++generation_;
  if (!read_only_) write_state(false);  // a read-only pool's recovery stays in its private copy
}

void PoolImpl::start_engine() {
  if (engine_ != nullptr) {
    engine_->start(generation_);
    redo_ = engine_;
    // Only now that the log exists and is durable may the pool file say
    // that an open needs it (a crash before leaves a pool that opens
    // without it, losing nothing: no transaction has committed yet).
    write_state(false);
    return;
  }
  // Replayed at open, stale, or an orphan: with another backend a log
  // would only mislead a later open of the file engine. (If the removal is
  // lost in a crash, the log names an older session and is ignored.)
  file_io_->unlink(log_path_for(path_).c_str());
}

void PoolImpl::write_state(bool clean) {
  const unsigned copy = static_cast<unsigned>((state_sequence_ + 1) % 2);
  format::PoolState state{};
  state.sequence = state_sequence_ + 1;
  state.generation = generation_;
  state.clean = clean ? 1 : 0;
  // A clean close checkpointed everything into the file first.
  state.log_generation = redo_ != nullptr && !clean ? generation_ : 0;
  state.checksum = format::state_checksum(state, copy);
  auto* target = reinterpret_cast<format::PoolState*>(base_ + format::state_offset) + copy;
  std::memcpy(target, &state, sizeof state);
  if (redo_ != nullptr) {
    redo_->write_through(target, sizeof state);  // the mapping is private: write the file itself
  } else {
    persistence_->stored(target, sizeof state);
    pool_counters_.lines_flushed.add(persistence_->flush(target, sizeof state, Site::state_update));
    persistence_->fence(Site::state_update);
    pool_counters_.fences.add(1);
  }
  state_sequence_ = state.sequence;
}

void PoolImpl::refuse_if_forked() const {
  if (!forked()) return;
  throw usage_error(path_,
                    "this process is a child forked from the process that opened the pool: the pool "
                    "belongs to the parent (a child must open it itself, after the parent closed it)");
}

void PoolImpl::close() {
  // A child's close lets go of its private copy only (fork_guard.hpp): the
  // file, its state and its log are the parent's.
  if (forked()) return;
  if (current_lane() != nullptr || reading_here()) {
    throw usage_error(path_, "cannot close the pool inside one of its own transactions or reads");
  }
  closing_.store(true);
  // Every transaction and read of a concurrent pool holds a lane, and so
  // does a committer of the file engine waiting for its sync outside the
  // gate (await_durable): taking the gate (a pool that is not concurrent)
  // and then every lane waits for the running ones and keeps new ones out.
  std::unique_lock gate(gate_, std::defer_lock);
  if (!concurrent_) gate.lock();
  for (auto& lane : lanes_) lane->in_use.lock();
  struct Release {
    std::vector<std::unique_ptr<Lane>>& lanes;
    ~Release() {
      for (auto& lane : lanes) lane->in_use.unlock();
    }
  } release{lanes_};
  if (!read_only_) shut_down();  // a read-only pool writes nothing, not even that it was closed
}

void PoolImpl::shut_down() {
  if (redo_ == nullptr) return write_state(true);
  // A broken pool leaves the file and its log as they are: the next open
  // replays whatever reached the disk.
  if (broken_.load()) return;
  try {
    redo_->checkpoint();  // the pool file holds everything; the log is empty
    write_state(true);
  } catch (...) {
    mark_broken();
    throw;
  }
  redo_->remove_log();  // a closed pool is one file
}

void PoolImpl::sync() {
  refuse_if_forked();
  if (redo_ == nullptr)
    return;  // (a read-only pool has nothing to make durable)  // every commit of the other backends is durable when it returns
  // Hold what a checkpoint waits for (it resets the log): a lane, or the
  // gate shared; this thread's own transaction or read already does.
  if (current_lane() != nullptr || reading_here()) return redo_->sync();
  if (concurrent_) {
    Lane& lane = acquire_lane();
    struct Release {
      const PoolImpl& pool;
      Lane& lane;
      ~Release() { pool.release_lane(lane); }
    } release{*this, lane};
    redo_->sync();
    return;
  }
  gate_.lock_shared();
  struct Release {
    Gate& gate;
    ~Release() { gate.unlock_shared(); }
  } release{gate_};
  if (broken_.load()) throw io_error(path_, "an earlier write or sync failed; close and reopen the pool to recover it");
  redo_->sync();
}

Counters PoolImpl::counters() const {
  Counters out;
  for (const auto& lane : lanes_) lane->counters().add_to(out);
  pool_counters_.add_to(out);
  heap_->add_maintenance_counters(out);
  out.syncs += file_syncs_.get();
  if (engine_ != nullptr) engine_->add_counters(out);
  return out;
}

PoolInfo PoolImpl::info() const {
  PoolInfo info;
  info.path = path_;
  info.schema_name = superblock_.schema_name;
  info.schema_fingerprint = superblock_.schema_fingerprint;
  info.schema_text = schema_text_;
  info.size = superblock_.pool_size;
  info.heap_size = superblock_.heap_size;
  HeapUsage usage = heap_->usage();
  info.allocated_bytes = usage.allocated_bytes;
  info.allocated_objects = usage.allocated_blocks;
  info.generation = generation_;
  info.creation_time = superblock_.creation_time;
  info.uuid = format::uuid_text(superblock_.uuid);
  info.lanes = superblock_.lane_count;
  info.recovered = recovered_;
  info.replayed = replayed_;
  info.backend = persistence_->name();
  return info;
}

}  // namespace detail

Pool::Pool(std::unique_ptr<detail::PoolImpl> impl) : impl_(std::move(impl)) {}
Pool::Pool(Pool&&) noexcept = default;
Pool& Pool::operator=(Pool&& other) noexcept {
  if (this != &other) {
    if (impl_) {
      try {
        close();
      } catch (...) {
        // The old pool stays dirty and recovers at its next open.
      }
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Pool::~Pool() {
  if (!impl_) return;
  try {
    close();
  } catch (...) {
    // Closing only marks the pool clean; if that fails it recovers at the
    // next open. A destructor must not throw.
  }
}

Pool Pool::create(const std::string& path, std::size_t size, const SchemaInfo& schema, const PoolOptions& options) {
  return Pool(detail::PoolImpl::create(path, size, schema, options));
}

Pool Pool::open(const std::string& path, const SchemaInfo& schema, const PoolOptions& options) {
  return Pool(detail::PoolImpl::open(path, schema, options));
}

Pool Pool::open_or_create(const std::string& path, std::size_t size, const SchemaInfo& schema,
                          const PoolOptions& options) {
  if (options.read_only) return open(path, schema, options);
  // Creating with O_EXCL first makes the choice race-free: if another
  // process creates the file in between, we open what it made.
  try {
    return create(path, size, schema, options);
  } catch (const io_error&) {
    if (::access(path.c_str(), F_OK) != 0) throw;
  }
  return open(path, schema, options);
}

void Pool::close() {
  if (!impl_) return;
  impl_->close();
  impl_.reset();
}

detail::PoolImpl& Pool::checked_impl() const {
  if (!impl_) throw usage_error("", "the pool is not open");
  return *impl_;
}

const std::string& Pool::path() const { return checked_impl().path(); }
std::uint64_t Pool::root_offset() const { return checked_impl().root_offset(); }
std::byte* Pool::base() const { return checked_impl().base(); }
std::byte* unsafe::base(const Pool& pool) { return pool.base(); }
std::size_t Pool::size() const { return checked_impl().size(); }
Counters Pool::counters() const { return checked_impl().counters(); }
PoolInfo Pool::info() const { return checked_impl().info(); }
std::uint64_t Pool::generation() const { return checked_impl().generation(); }
std::uint64_t Pool::instance_id() const { return checked_impl().instance_id(); }
void Pool::sync() { checked_impl().sync(); }
std::uint64_t Pool::commit_count() const { return checked_impl().commit_count(); }
bool Pool::wait_for_commit(std::uint64_t after, std::chrono::nanoseconds timeout) const {
  return checked_impl().wait_for_commit(after, timeout);
}
bool Pool::read_only() const { return checked_impl().read_only(); }
bool Pool::in_transaction() const { return checked_impl().current_lane() != nullptr; }
bool Pool::in_read_or_transaction() const { return in_transaction() || checked_impl().reading_here(); }

}  // namespace pschema
