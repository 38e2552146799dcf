// The power-failure simulator's second medium: a disk under the file
// engine, as a pschema::FileIo (PoolOptions::file_io). Every operation
// goes to the real files (so the engine reads what it wrote), and the
// medium keeps, per file, what a power cut would leave:
//
// - the durable contents: what the last fdatasync of the file made
//   durable (all of the file as it then was);
// - the pending 512-byte sectors: written since, each with every content
//   it had (a sector written twice may reach the disk with the first
//   write's bytes). They reach the disk in any order, any subset of them.
//   Writes through the pool's shared mapping (recovery and pool creation
//   run the undo protocol on it, each fence an fdatasync) are not seen as
//   pwrites: at each fdatasync of the pool file the medium compares the
//   file with what it knows and takes every differing sector as pending;
// - sizes: a size changed since the file's last sync may or may not
//   survive;
// - names: a file created or deleted since the last fsync of its
//   directory may or may not exist after a crash (the pool file itself is
//   created outside the FileIo; its name is durable once its directory is
//   synced, as the engine does for a new log).
//
// Every write and every sync (before it takes effect) is a crash point.
// There the medium builds crash images of the pool and its sidecar files.
// A named sync site can be dropped (the sync does nothing: what it should
// make durable stays pending), for the mutation check.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pschema/file_io.hpp"

namespace crash_sim {

constexpr std::size_t sector_size = 512;

// One way to resolve, at a crash, what is pending on the medium.
struct DiskChoice {
  enum class Kind { none, all, single_kept, single_dropped, random_subset } kind = Kind::none;
  std::size_t sector = 0;  // single_kept / single_dropped: index into the pending sectors (all files)
  std::uint64_t seed = 0;  // random_subset: which sectors, which of their contents, which sizes and names
  std::string describe() const;
};

class FileMedium final : public pschema::FileIo {
 public:
  // Called at every write (after it, `sync` empty) and every sync (before
  // it takes effect), with the crash point's number.
  using CrashPoint = std::function<void(std::uint64_t point, std::optional<pschema::SyncSite> sync)>;
  struct StopHere {};

  // `pool_path`: the pool file the engine is handed as a descriptor; if it
  // exists, it is durable as it is. `drop_site`: a sync site whose calls
  // do nothing (the mutation check).
  explicit FileMedium(std::string pool_path, std::optional<pschema::SyncSite> drop_site = std::nullopt);

  int open(const char* path, int flags, mode_t mode) override;
  int close(int fd) override;
  int unlink(const char* path) override;
  ssize_t pread(int fd, void* buffer, std::size_t size, std::uint64_t offset) override;
  ssize_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) override;
  int fdatasync(int fd, pschema::SyncSite site) override;
  int fsync(int fd, pschema::SyncSite site) override;
  int ftruncate(int fd, std::uint64_t size) override;
  std::int64_t size(int fd) override;

  void on_crash_point(CrashPoint callback) { crash_point_ = std::move(callback); }
  // Throws StopHere at sync number `sync` (counted from 1), before it takes effect.
  void stop_at_sync(std::uint64_t sync) { stop_at_ = sync; }

  std::uint64_t points() const { return points_; }
  std::uint64_t syncs() const { return syncs_; }
  // Syncs made at `site` so far (dropped ones included).
  std::uint64_t syncs_at(pschema::SyncSite site) const { return by_site_[static_cast<std::size_t>(site)]; }
  std::size_t pending_sectors() const;

  // Every choice worth trying now (`max_singles` single-sector images of
  // each kind, `random_subsets` random ones).
  std::vector<DiskChoice> choices(std::size_t random_subsets, std::size_t max_singles, std::uint64_t seed) const;
  // Writes what a power cut now would leave, for `choice`, as the pool
  // file `target` and its sidecars (`target` + what follows the pool's
  // path in theirs, e.g. ".wal"); a file the cut would not leave is
  // removed.
  void write_image(const DiskChoice& choice, const std::string& target) const;

 private:
  using Sector = std::array<char, sector_size>;
  struct File {
    std::vector<char> durable;  // survives a power cut; its size is the durable size
    std::uint64_t size = 0;     // the size now
    std::map<std::uint64_t, std::vector<Sector>> pending;  // sector -> its contents since the last sync, oldest first
  };
  // What a crash keeps, decided per pending sector, file size and name.
  struct Resolution;

  std::size_t file_of(int fd);
  std::size_t pool_file();
  std::size_t new_file(std::vector<char> durable);
  Sector known(const File& file, std::uint64_t sector) const;
  void add_content(File& file, std::uint64_t sector, const Sector& content);
  void read_back(int fd, File& file, std::uint64_t begin, std::uint64_t end);
  // Takes the sectors of the pool file that differ from what the medium
  // knows (writes through the shared mapping) as pending.
  void observe_mapping(int fd);
  // A crash point; returns whether the sync goes ahead (not dropped).
  bool crash_point(std::optional<pschema::SyncSite> sync);
  std::vector<char> contents(const File& file, std::size_t index, const Resolution& resolution) const;

  std::string pool_path_;
  std::optional<pschema::SyncSite> drop_site_;
  std::vector<File> files_;  // never shrinks: indexes stay valid
  std::map<std::string, std::size_t> names_;  // path -> file, now
  std::map<std::string, std::size_t> durable_names_;  // path -> file, as a power cut leaves the directory
  std::map<int, std::size_t> descriptors_;  // open files
  std::map<int, std::string> directories_;  // open directories
  CrashPoint crash_point_;
  bool in_crash_point_ = false;
  std::uint64_t points_ = 0, syncs_ = 0;
  std::optional<std::uint64_t> stop_at_;
  std::array<std::uint64_t, static_cast<std::size_t>(pschema::SyncSite::count_)> by_site_{};
};

}  // namespace crash_sim
