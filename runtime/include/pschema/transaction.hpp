// A transaction's view of its pool. Everything written through it commits
// atomically or not at all: before a range is first written, its old
// contents go to the lane's undo journal (`add`), and allocations and
// frees only take effect at commit.
//
// Generated code writes through `write`; hand-written runtime code may
// call `add` and then store directly. A Transaction is only ever handed
// out by Pool::transaction, for the duration of the body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

#include "pschema/mapping.hpp"

namespace pschema {

namespace detail {
class Lane;
class PoolImpl;
// Its address tells threads apart (Transaction::on_this_thread): cheaper
// than std::this_thread::get_id.
inline constinit thread_local char this_thread = 0;
}  // namespace detail

class Transaction {
 public:
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  std::byte* base() const noexcept { return base_; }
  // The base and the heap's bounds, which offsets read from the pool are
  // checked against (pschema/mapping.hpp).
  const Mapping* mapping() const noexcept { return &mapping_; }
  // The T at `offset` (read from the pool at `from`, if not null); throws
  // corrupt_pool unless the whole T lies in the heap, aligned.
  template <class T>
  T* at(std::uint64_t offset, const void* from = nullptr) const {
    return mapping_.object<T>(offset, from);
  }
  std::uint64_t offset_of(const void* p) const noexcept {
    return static_cast<std::uint64_t>(static_cast<const std::byte*>(p) - base_);
  }

  // Makes [p, p + size) safe to write: logs its current contents unless
  // this transaction already did, or the range is inside an object it
  // allocated. Call before writing the range.
  void add(const void* p, std::size_t size) {
    const std::uint64_t offset = offset_of(p);
    if (offset - recent_begin_ < recent_end_ - recent_begin_ &&
        offset + size <= recent_end_) {  // inside the range logged or allocated last
      return;
    }
    add_slow(offset, size);
  }

  // add() for two ranges with one fence between logging and writing (a
  // vector's size and its new slot).
  void add(const void* first, std::size_t first_size, const void* second, std::size_t second_size);

  // Logs each range now, as one entry, all behind one fence, so that every
  // later write anywhere inside one costs nothing more (no entry, no
  // fence): for a transaction that changes much of a few objects, like
  // PMDK's TX_ADD of whole objects but with one fence for all of them.
  // Logging more than is written is always safe.
  struct Range {
    const void* p;
    std::size_t size;
  };
  void log_whole(std::initializer_list<Range> ranges);
  void log_whole(std::span<const Range> ranges);

  // Locks the mutex whose lock word is `word` until this transaction ends
  // (pschema/mutex.hpp). In a pool that is not concurrent the writer is
  // alone and this does nothing.
  // `container`: the map<K, mutex<T>> whose entry the mutex is, or null;
  // its lock is taken shared first (intention locking), and none is needed
  // for the entry while this transaction holds the map exclusively.
  void lock(std::uint64_t* word, const void* container = nullptr);
  // The same, shared: other transactions may hold it shared too, none
  // exclusively. lock() after lock_shared() upgrades (waiting for the
  // other readers); lock_shared() after lock() returns at once.
  void lock_shared(std::uint64_t* word, const void* container = nullptr);
  // The lock of a map<K, mutex<T>> (the map at `container`) until this
  // transaction ends: exclusive to insert or erase entries (which moves
  // them), shared to look entries up. Does nothing in a pool that is not
  // concurrent.
  void lock_container(const void* container);
  void lock_container_shared(const void* container);

  // Whether `p` lies inside an object this transaction allocated, or an
  // element a container added in it (where const fields may be set).
  bool allocated_here(const void* p) const;
  // Records that [p, p + size) is an element added by this transaction.
  void mark_new(const void* p, std::size_t size);

  // After writing directly into a range made writable with add() (memmove,
  // memset), tells an observing persistence backend (the crash simulator);
  // free otherwise.
  void written(const void* p, std::size_t size) {
    if (observed_) stored(p, size);
  }

  // Logs and writes one value (converted to the destination's type: a
  // bool into a BoolRep).
  template <class T>
  void write(T& destination, const std::type_identity_t<T>& value) {
    static_assert(std::is_trivially_copyable_v<T>, "only trivially copyable values live in a pool");
    add(&destination, sizeof(T));
    destination = value;
    if (observed_) stored(&destination, sizeof(T));
  }
  // Logs and writes raw bytes.
  void write_bytes(void* destination, const void* source, std::size_t size) {
    add(destination, size);
    std::memmove(destination, source, size);
    if (observed_) stored(destination, size);
  }

  // Allocates `size` zeroed bytes for an object of type `type_id` and
  // returns the offset of its first byte. The allocation is undone if the
  // transaction aborts. Throws pool_full (the transaction must then abort:
  // the exception does that when it leaves the body).
  std::uint64_t allocate(std::size_t size, std::uint32_t type_id);
  // Frees the object at `offset` when the transaction commits.
  void free(std::uint64_t offset);
  // The usable size and type id of the allocated object at `offset`.
  std::size_t allocation_size(std::uint64_t offset) const;
  std::uint32_t allocation_type(std::uint64_t offset) const;

  std::uint64_t root_offset() const noexcept { return root_offset_; }
  // Whether the pool is concurrent (transactions of other threads run
  // at the same time; its data is reached through mutexes).
  bool concurrent() const noexcept { return concurrent_; }
  // Pool::instance_id() of the pool this transaction runs on.
  std::uint64_t pool_instance() const noexcept { return pool_instance_; }
  // Whether `offset` is a live object of type `type_id` (never throws: for
  // checking handles).
  bool holds_object(std::uint64_t offset, std::uint32_t type_id) const noexcept;
  // The generation of the object at `offset` for handles: it advances when
  // the block there is freed (pschema/handle.hpp). `track`: the offset a
  // handle is being taken of (else an untracked offset reads as 0).
  std::uint64_t handle_generation(std::uint64_t offset, bool track) const;
  // Unique per lane and transaction; increases with every transaction of a lane.
  std::uint64_t sequence() const noexcept;

  // What references made through this transaction check on each use
  // (pschema/detail/tx_ref.hpp). The version is odd while a transaction
  // runs; it advances when one begins or ends and when a container moves
  // or removes elements (`moved`).
  std::uint64_t version() const noexcept { return version_; }
  bool on_this_thread() const noexcept { return thread_ == &detail::this_thread; }
  // Records that the elements in [p, p + size) moved or were removed (a
  // vec grew, shrank, inserted or erased; a block was freed), or, for a
  // one-byte range at a map's marker, that the map inserted or erased:
  // element references to any address in it taken before now go stale.
  void moved(const void* p, std::size_t size) {
    version_ += 2;
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    moved_.push_back(Moved{version_, begin, begin + size});
  }
  // The slow path of a reference check: throws stale_reference if the
  // reference (made at `version`, to the element at `element` or null)
  // may not be used now, else brings `version` up to date.
  void check_reference(std::uint64_t& version, const void* element) const;

 private:
  friend class detail::Lane;
  explicit Transaction(detail::Lane& lane) : lane_(lane) {}

  void add_slow(std::uint64_t offset, std::size_t size);
  void stored(const void* p, std::size_t size);

  detail::Lane& lane_;
  std::byte* base_ = nullptr;
  Mapping mapping_;
  std::uint64_t root_offset_ = 0;
  std::uint64_t pool_instance_ = 0;
  bool observed_ = false;
  bool concurrent_ = false;
  // The range most recently logged or allocated: the common case of
  // several writes to one object then costs one comparison each.
  std::uint64_t recent_begin_ = 0;
  std::uint64_t recent_end_ = 0;
  // Reference checks (see version()): the version at which the running
  // transaction began, the thread running it, and what moved since then.
  struct Moved {
    std::uint64_t version;
    std::uintptr_t begin, end;
  };
  std::uint64_t version_ = 0;
  std::uint64_t begin_version_ = 0;
  const char* thread_ = nullptr;
  std::vector<Moved> moved_;
};

}  // namespace pschema
