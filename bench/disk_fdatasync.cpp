// The physical floor of pschema_disk_bench (system fdatasync): no data
// structure at all, just what a durable commit cannot avoid on this file
// system. Every writer (thread) has its own file, written full of zeros
// and fsynced when the store is made (untimed), so that a commit changes
// no file metadata: a put is a pwrite of its 16 bytes (key, value) at the
// next record of the writer's file, and a transaction ends with one
// fdatasync, whatever its number of puts. It has no GET phase.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "disk_store.hpp"

namespace disk {

namespace {

struct Record {
  std::uint64_t key, value;
};

class File {
 public:
  File(const std::string& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC, 0600)) {
    if (fd_ < 0) fail_errno("cannot open " + path);
  }
  ~File() { ::close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

std::string log_path(const std::string& dir, unsigned writer) {
  return dir + "/log-" + std::to_string(writer) + ".dat";
}

class FdatasyncWriter final : public Writer {
 public:
  explicit FdatasyncWriter(const std::string& path) : file_(path, O_WRONLY) {}
  void put(std::span<const std::uint64_t> keys, std::span<const std::uint64_t> values) override {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const Record r{keys[i], values[i]};
      if (::pwrite(file_.fd(), &r, sizeof r, static_cast<off_t>(next_ * sizeof r)) != sizeof r) fail_errno("pwrite");
      ++next_;
    }
    if (::fdatasync(file_.fd()) != 0) fail_errno("fdatasync");
  }

 private:
  File file_;
  std::size_t next_ = 0;
};

class FdatasyncStore final : public Store {
 public:
  FdatasyncStore(const StoreSpec& spec, bool create) : spec_(spec) {
    if (create) {
      // One file per writer, all of it written before the timed phase.
      const std::vector<Record> zeros(spec.capacity);
      for (unsigned w = 0; w < spec.writers; ++w) {
        File f(log_path(spec.dir, w), O_WRONLY | O_CREAT | O_EXCL);
        const auto bytes = static_cast<ssize_t>(zeros.size() * sizeof(Record));
        if (::write(f.fd(), zeros.data(), static_cast<std::size_t>(bytes)) != bytes) fail_errno("write");
        if (::fsync(f.fd()) != 0) fail_errno("fsync");
      }
      const int dir = ::open(spec.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir < 0 || ::fsync(dir) != 0) fail_errno("fsync of " + spec.dir);
      ::close(dir);
    } else {
      load();
    }
  }

  std::unique_ptr<Writer> writer() override {
    if (writers_made_ == spec_.writers) throw std::logic_error("fdatasync: more writers than the store was made for");
    return std::make_unique<FdatasyncWriter>(log_path(spec_.dir, writers_made_++));
  }

  // Only for the verification, on a store opened after its phase: the
  // records read back from the files.
  std::optional<std::uint64_t> get(std::uint64_t key) override {
    const auto it = records_.find(key);
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }
  std::uint64_t count() override { return records_.size(); }

 private:
  void load() {
    for (unsigned w = 0; w < spec_.writers; ++w) {
      const std::string path = log_path(spec_.dir, w);
      File f(path, O_RDONLY);
      std::vector<Record> all(std::filesystem::file_size(path) / sizeof(Record));
      const auto bytes = static_cast<ssize_t>(all.size() * sizeof(Record));
      if (::pread(f.fd(), all.data(), static_cast<std::size_t>(bytes), 0) != bytes) fail_errno("pread " + path);
      for (const Record& r : all) {
        if (r.key == 0) break;  // keys are never 0: the first zero record ends the log
        if (!records_.emplace(r.key, r.value).second) {
          throw std::runtime_error("fdatasync: key " + std::to_string(r.key) + " written twice");
        }
      }
    }
  }

  StoreSpec spec_;
  unsigned writers_made_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> records_;
};

}  // namespace

System fdatasync_system() {
  return {"fdatasync", [](const StoreSpec& s) { return std::make_unique<FdatasyncStore>(s, true); },
          [](const StoreSpec& s) { return std::make_unique<FdatasyncStore>(s, false); },
          "no reads: it is the floor of a durable commit, not a store"};
}

}  // namespace disk
