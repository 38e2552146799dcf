// `string` and `bytes`: owned byte sequences. Up to 22 bytes live inside
// the 24-byte field itself (no allocation, one cache line to log); longer
// ones in a heap buffer the field owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "pschema/detail/no_rebind.hpp"
#include "pschema/detail/string_storage.hpp"
#include "pschema/detail/tx_ref.hpp"
#include "pschema/traits.hpp"
#include "pschema/transaction.hpp"

namespace pschema {

// The mutable side of a `string` field.
class StringMut : detail::NoRebind {
 public:
  StringMut(detail::TxRef tx, StringRep* rep) : tx_(tx), rep_(rep) {}
  // Spelled out (detail::NoRebind deletes it too) so that `a = b` picks
  // this one, not operator=(std::string_view): copy text with assign(b).
  StringMut(const StringMut&) = default;
  StringMut& operator=(const StringMut&) = delete;

  std::string_view view() const {
    const auto bytes = rep_->contents(tx_->mapping());
    return {reinterpret_cast<const char*>(bytes.data), bytes.size};
  }
  operator std::string_view() const { return view(); }
  std::size_t size() const { return rep_->size(); }
  bool empty() const { return size() == 0; }
  friend bool operator==(const StringMut& a, std::string_view b) { return a.view() == b; }

  void assign(std::string_view text) { detail::assign_string(*tx_, rep_, text.data(), text.size()); }
  StringMut& operator=(std::string_view text) {
    assign(text);
    return *this;
  }
  void clear() { assign({}); }
  void append(std::string_view more) {
    std::string joined(view());
    joined += more;
    assign(joined);
  }

 private:
  detail::TxRef tx_;
  StringRep* rep_;
};

// The mutable side of a `bytes` field.
class BytesMut : detail::NoRebind {
 public:
  BytesMut(detail::TxRef tx, StringRep* rep) : tx_(tx), rep_(rep) {}
  BytesMut(const BytesMut&) = default;
  BytesMut& operator=(const BytesMut&) = delete;  // as StringMut's

  std::span<const std::byte> view() const {
    const auto bytes = rep_->contents(tx_->mapping());
    return {reinterpret_cast<const std::byte*>(bytes.data), bytes.size};
  }
  operator std::span<const std::byte>() const { return view(); }
  std::size_t size() const { return rep_->size(); }
  bool empty() const { return size() == 0; }

  void assign(std::span<const std::byte> data) { detail::assign_string(*tx_, rep_, data.data(), data.size()); }
  BytesMut& operator=(std::span<const std::byte> data) {
    assign(data);
    return *this;
  }
  void clear() { assign({}); }

 private:
  detail::TxRef tx_;
  StringRep* rep_;
};

template <>
struct traits<string_t> {
  using layout = StringRep;
  using view = std::string_view;
  using mut = StringMut;
  static view make_view(const Mapping* base, const layout* p) {
    const auto bytes = p->contents(base);
    return {reinterpret_cast<const char*>(bytes.data), bytes.size};
  }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) { detail::destroy_string(tx, p); }
};

template <>
struct traits<bytes_t> {
  using layout = StringRep;
  using view = std::span<const std::byte>;
  using mut = BytesMut;
  static view make_view(const Mapping* base, const layout* p) {
    const auto bytes = p->contents(base);
    return {reinterpret_cast<const std::byte*>(bytes.data), bytes.size};
  }
  static mut make_mut(detail::TxRef tx, layout* p) { return mut(tx, p); }
  static void init(Transaction&, layout*) {}
  static void destroy(Transaction& tx, layout* p) { detail::destroy_string(tx, p); }
};

}  // namespace pschema
