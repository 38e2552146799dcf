// A file engine log (`<pool>.wal`) built in memory from the format alone,
// as RedoLog writes it: the tests of the log reader (and the pool tool's
// damaged-log cases) need no runtime and no file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "pschema/format/checksum.hpp"
#include "pschema/format/log_layout.hpp"
#include "pschema/format/log_reader.hpp"

namespace format_test {

namespace logformat = pschema::logformat;

struct MemoryLog {
  std::vector<std::byte> bytes;
  std::uint64_t salt = 0;
  std::uint64_t end = logformat::records_begin;  // where the next record goes
  std::uint64_t sequence = 1;
  std::uint64_t durable = logformat::records_begin;  // what the next record's durable_before says

  // A log generation for pool `uuid`, session `generation`.
  MemoryLog(const std::uint8_t (&uuid)[16], std::uint64_t generation, std::uint64_t log_salt = 0x5a17c0ffee0dd5ULL,
            std::size_t size = 64 * 1024)
      : bytes(size), salt(log_salt) {
    logformat::LogHeader header{};
    header.magic = logformat::magic;
    header.version = logformat::version;
    header.header_size = sizeof header;
    std::memcpy(header.pool_uuid, uuid, sizeof header.pool_uuid);
    header.pool_generation = generation;
    header.salt = salt;
    header.checksum = pschema::format::log_header_checksum(header);
    std::memcpy(bytes.data(), &header, sizeof header);
  }

  std::span<const std::byte> span() const { return bytes; }
  logformat::LogHeader header() const { return load<logformat::LogHeader>(0); }
  void store_header(logformat::LogHeader header) {
    header.checksum = pschema::format::log_header_checksum(header);
    std::memcpy(bytes.data(), &header, sizeof header);
  }

  // Appends a record of `ranges` ({pool offset, bytes}), after
  // `maintenance` ranges, and returns where it starts.
  using Ranges = std::vector<std::pair<std::uint64_t, std::string>>;
  std::uint64_t append(const Ranges& ranges, const Ranges& maintenance = {}) {
    std::vector<std::byte> record(sizeof(logformat::RecordHeader));
    auto put = [&](const Ranges& list) {
      for (const auto& [offset, data] : list) {
        const logformat::RangeHeader range{offset, data.size()};
        const std::size_t at = record.size();
        record.resize(at + sizeof range + logformat::padded(data.size()));
        std::memcpy(record.data() + at, &range, sizeof range);
        std::memcpy(record.data() + at + sizeof range, data.data(), data.size());
      }
    };
    put(ranges);
    const std::uint64_t maintenance_offset = record.size();
    put(maintenance);
    logformat::RecordHeader h{};
    h.salt = salt;
    h.sequence = sequence++;
    h.size = record.size();
    h.durable_before = durable;
    h.ranges = static_cast<std::uint32_t>(ranges.size());
    h.maintenance_ranges = static_cast<std::uint32_t>(maintenance.size());
    h.maintenance_offset = maintenance_offset;
    seal_body(h, record);
    h.header_checksum = pschema::format::log_record_header_checksum(h);
    std::memcpy(record.data(), &h, sizeof h);
    const std::uint64_t at = end;
    if (bytes.size() < at + record.size()) bytes.resize(at + record.size());
    std::memcpy(bytes.data() + at, record.data(), record.size());
    end += record.size();
    return at;
  }
  // Everything written so far is durable: later records say so.
  void sync() { durable = end; }

  // Rewrites the header of the record at `at` after `change`, with its
  // header checksum recomputed (a tampered record that still verifies).
  template <class Change>
  void rewrite_header(std::uint64_t at, Change change) {
    auto h = load<logformat::RecordHeader>(at);
    change(h);
    h.header_checksum = pschema::format::log_record_header_checksum(h);
    std::memcpy(bytes.data() + at, &h, sizeof h);
  }
  // Rewrites the body of the record at `at` (from byte `offset` of the
  // body) and seals it again, so that it still verifies.
  void rewrite_body(std::uint64_t at, std::size_t offset, const void* data, std::size_t size) {
    auto h = load<logformat::RecordHeader>(at);
    std::memcpy(bytes.data() + at + sizeof h + offset, data, size);
    std::vector<std::byte> record(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                                  bytes.begin() + static_cast<std::ptrdiff_t>(at + h.size));
    seal_body(h, record);
    h.header_checksum = pschema::format::log_record_header_checksum(h);
    std::memcpy(bytes.data() + at, &h, sizeof h);
  }

  template <class T>
  T load(std::uint64_t offset) const {
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
  }

 private:
  void seal_body(logformat::RecordHeader& h, const std::vector<std::byte>& record) const {
    const std::size_t header = sizeof(logformat::RecordHeader);
    const std::uint64_t first =
        pschema::format::checksum64(record.data() + header, h.maintenance_offset - header, salt);
    h.body_checksum =
        pschema::format::checksum64(record.data() + h.maintenance_offset, h.size - h.maintenance_offset, first);
  }
};

}  // namespace format_test
