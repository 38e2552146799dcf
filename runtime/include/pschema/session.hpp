// What a generated pool hands to transaction and read bodies: typed access
// to the root, object creation, handles. `TxBase` exists only inside a
// transaction and gives mutable views; `SnapshotBase` gives read-only ones.
#pragma once

#include <optional>

#include "pschema/access.hpp"
#include "pschema/box.hpp"
#include "pschema/detail/concurrency_checks.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/handle.hpp"
#include "pschema/pool.hpp"
#include "pschema/returnable.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

template <class Derived, schema_struct Root>
class TypedPool;

// `Pool` is the generated pool class: two pools never share a Tx type, even
// with the same root, so an operation of one cannot run on the other.
template <class Pool, schema_struct Root>
class TxBase {
 public:
  TxBase(const TxBase&) = delete;
  TxBase& operator=(const TxBase&) = delete;

  typename Root::Mut root() const {
    return access::mut<Root>(*tx_, tx_->at<typename Root::Layout>(tx_->root_offset()));
  }

  // A new object, freed at commit unless it is stored in the pool.
  template <schema_struct T>
  Owned<T> make() const {
    return pschema::make<T>(*tx_);
  }

  // A handle to an object with a block of its own: the root, or one held
  // by box<T> or rc<T> (also inside vecs and maps). Elements stored by
  // value move when their container changes, so they have none: store
  // them as box<T> to keep handles to them.
  template <schema_struct T>
  Handle<T> handle(const typename T::View& view) const {
    return checked_handle<T>(tx_->offset_of(unsafe::layout_of(view)));
  }
  template <schema_struct T>
  Handle<T> handle(const typename T::Mut& mut) const {
    return checked_handle<T>(tx_->offset_of(unsafe::layout_of(mut)));
  }
  // The object, if the handle still refers to a live T of this pool.
  template <schema_struct T>
  std::optional<typename T::Mut> resolve(const Handle<T>& handle) const {
    detail::refuse_in_concurrent_pool(tx_->concurrent());
    if (handle.empty() || handle.pool_instance() != tx_->pool_instance() ||
        !tx_->holds_object(handle.offset(), T::type_id) ||
        handle.generation() != tx_->handle_generation(handle.offset(), false)) {
      return std::nullopt;
    }
    auto* object = tx_->at<typename T::Layout>(handle.offset());
    return access::mut<T>(tx_.element(object), object);
  }

 private:
  // The untyped transaction underneath is reached only through
  // pschema::unsafe::raw(tx): it writes pool memory with no check.
  friend struct unsafe::gate;
  template <schema_struct T>
  Handle<T> checked_handle(std::uint64_t offset) const {
    if (!tx_->holds_object(offset, T::type_id)) {
      throw usage_error("",
                        "only an object with a block of its own (the root, or one held by box<T> or rc<T>) "
                        "can have a handle; store the element as box<T>");
    }
    return Handle<T>(tx_->pool_instance(), offset, tx_->handle_generation(offset, true));
  }

  // Only the pool makes one, around a transaction of that very pool.
  friend class TypedPool<Pool, Root>;
  explicit TxBase(Transaction& tx) : tx_(tx) {}
  detail::TxRef tx_;
};

template <class Pool, schema_struct Root>
class SnapshotBase {
 public:
  SnapshotBase(const SnapshotBase&) = delete;
  SnapshotBase& operator=(const SnapshotBase&) = delete;

  typename Root::View root() const {
    return access::view<Root>(view_->mapping(), view_->at<typename Root::Layout>(view_->root_offset()));
  }
  template <schema_struct T>
  Handle<T> handle(const typename T::View& view) const {
    const auto offset =
        static_cast<std::uint64_t>(reinterpret_cast<const std::byte*>(unsafe::layout_of(view)) - view_->base());
    if (!view_->holds_object(offset, T::type_id)) {
      throw usage_error("",
                        "only an object with a block of its own (the root, or one held by box<T> or rc<T>) "
                        "can have a handle; store the element as box<T>");
    }
    return Handle<T>(view_->pool_instance(), offset, view_->handle_generation(offset, true));
  }
  template <schema_struct T>
  std::optional<typename T::View> resolve(const Handle<T>& handle) const {
    detail::refuse_in_concurrent_pool(view_->concurrent());
    if (handle.empty() || handle.pool_instance() != view_->pool_instance() ||
        !view_->holds_object(handle.offset(), T::type_id) ||
        handle.generation() != view_->handle_generation(handle.offset(), false)) {
      return std::nullopt;
    }
    return access::view<T>(view_->mapping(), view_->at<typename T::Layout>(handle.offset()));
  }
  const ReadView& raw() const { return *view_; }

 private:
  friend class TypedPool<Pool, Root>;
  explicit SnapshotBase(const ReadView& view) : view_(&view) {}
  const ReadView* view_;
};

// The base of every generated pool class: opening, closing, transactions
// and reads with typed bodies. `Derived` supplies `schema_info()`.
template <class Derived, schema_struct Root>
class TypedPool {
 public:
  using Tx = TxBase<Derived, Root>;
  using Snapshot = SnapshotBase<Derived, Root>;

  static Derived create(const std::string& path, std::size_t size, const PoolOptions& options = {}) {
    return Derived(Pool::create(path, size, Derived::schema_info(), options));
  }
  static Derived open(const std::string& path, const PoolOptions& options = {}) {
    return Derived(Pool::open(path, Derived::schema_info(), options));
  }
  static Derived open_or_create(const std::string& path, std::size_t size, const PoolOptions& options = {}) {
    return Derived(Pool::open_or_create(path, size, Derived::schema_info(), options));
  }

  // Runs `body(Tx&)` as one atomic, durable transaction (see Pool::transaction).
  template <class Body>
  auto transaction(Body&& body) {
    return pool_.transaction(on_tx(body));
  }
  // The same, retrying on deadlock and with the durability `options` says.
  template <class Body>
  auto transaction(const TransactionOptions& options, Body&& body) {
    return pool_.transaction(options, on_tx(body));
  }
  // Makes every committed transaction durable (see Pool::sync).
  void sync() { pool_.sync(); }
  // Runs `body(const Snapshot&)` on committed data.
  template <class Body>
  auto read(Body&& body) const {
    return pool_.read(on_snapshot(body));
  }
  // The same, retrying on deadlock as `options` says (concurrent pools).
  template <class Body>
  auto read(const TransactionOptions& options, Body&& body) const {
    return pool_.read(options, on_snapshot(body));
  }

  void close() { pool_.close(); }
  Pool& pool() { return pool_; }
  const Pool& pool() const { return pool_; }

 protected:
  explicit TypedPool(Pool pool) : pool_(std::move(pool)) {}

 private:
  // A body on Tx (Snapshot) as the untyped Pool runs it, on a Transaction
  // (ReadView); what it returns must be returnable (pschema/returnable.hpp).
  template <class Body>
  static auto on_tx(Body& body) {
    static_assert(returnable<std::invoke_result_t<Body&, Tx&>>,
                  "a transaction body may return only values that cannot refer into the pool (pschema::returnable: "
                  "arithmetic, enums, std::string, generated Values, handles, void, and std::optional, pair, tuple, "
                  "vector, array of these); a View, Mut, container view or string_view would outlive the "
                  "transaction: copy out what you need (to_value(), std::string(...), a handle)");
    return [&body](Transaction& raw) {
      Tx tx(raw);
      return body(tx);
    };
  }
  template <class Body>
  static auto on_snapshot(Body& body) {
    static_assert(returnable<std::invoke_result_t<Body&, const Snapshot&>>,
                  "a read body may return only values that cannot refer into the pool (pschema::returnable: "
                  "arithmetic, enums, std::string, generated Values, handles, void, and std::optional, pair, tuple, "
                  "vector, array of these); a View, container view or string_view would outlive the read: copy out "
                  "what you need (to_value(), std::string(...), a handle)");
    return [&body](const ReadView& raw) {
      const Snapshot snapshot(raw);
      return body(snapshot);
    };
  }

  Pool pool_;
};

// Used as SchemaInfo::initialize_root: gives a new pool's root its members.
template <schema_struct Root>
void initialize_root(Transaction& tx, std::uint64_t root_offset) {
  access::init<Root>(tx, tx.at<typename Root::Layout>(root_offset));
}

}  // namespace pschema
