#include "file_medium.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "io_support.hpp"

namespace crash_sim {

namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string DiskChoice::describe() const {
  switch (kind) {
    case Kind::none: return "nothing pending persisted";
    case Kind::all: return "everything pending persisted";
    case Kind::single_kept: return "only pending sector #" + std::to_string(sector) + " persisted";
    case Kind::single_dropped: return "all but pending sector #" + std::to_string(sector) + " persisted";
    case Kind::random_subset:
      return "random subset of pending sectors, sizes and names (seed " + std::to_string(seed) + ")";
  }
  return "?";
}

// What a crash keeps of the pending state, for one choice: whether the new
// state of a name or size survives, and which content of a pending sector
// (if any) reached the disk. Random choices hash what they decide about,
// so that each decision is independent of the others and of their order.
struct FileMedium::Resolution {
  DiskChoice choice;
  std::size_t single_file = SIZE_MAX;
  std::uint64_t single_sector = 0;

  bool keeps_new(std::uint64_t what) const {
    switch (choice.kind) {
      case DiskChoice::Kind::none:
      case DiskChoice::Kind::single_kept: return false;
      case DiskChoice::Kind::all:
      case DiskChoice::Kind::single_dropped: return true;
      case DiskChoice::Kind::random_subset: return (mix(choice.seed ^ what) & 1) != 0;
    }
    return false;
  }
  // The index of the content that persisted, or none (the durable bytes stay).
  std::optional<std::size_t> content(std::size_t file, std::uint64_t sector, std::size_t contents) const {
    const bool single = file == single_file && sector == single_sector;
    switch (choice.kind) {
      case DiskChoice::Kind::none: return std::nullopt;
      case DiskChoice::Kind::all: return contents - 1;
      case DiskChoice::Kind::single_kept: return single ? std::optional(contents - 1) : std::nullopt;
      case DiskChoice::Kind::single_dropped: return single ? std::nullopt : std::optional(contents - 1);
      case DiskChoice::Kind::random_subset: {
        const std::uint64_t h = mix(choice.seed ^ mix(file << 40 ^ sector));
        if ((h & 1) == 0) return std::nullopt;
        return (h >> 1) % contents;
      }
    }
    return std::nullopt;
  }
};

FileMedium::FileMedium(std::string pool_path, std::optional<pschema::SyncSite> drop_site)
    : pool_path_(std::move(pool_path)), drop_site_(drop_site) {
  if (std::filesystem::exists(pool_path_)) {
    const std::size_t index = new_file(io_support::read_file(pool_path_));
    names_[pool_path_] = durable_names_[pool_path_] = index;
  }
}

std::size_t FileMedium::new_file(std::vector<char> durable) {
  File file;
  file.size = durable.size();
  file.durable = std::move(durable);
  files_.push_back(std::move(file));
  return files_.size() - 1;
}

std::size_t FileMedium::pool_file() {
  auto it = names_.find(pool_path_);
  if (it != names_.end()) return it->second;
  // Being created (outside the FileIo): nothing of it is durable yet, not
  // even its name.
  const std::size_t index = new_file({});
  names_[pool_path_] = index;
  return index;
}

std::size_t FileMedium::file_of(int fd) {
  auto it = descriptors_.find(fd);
  // The engine is handed one descriptor it did not open: the pool file's.
  return it != descriptors_.end() ? it->second : pool_file();
}

int FileMedium::open(const char* path, int flags, mode_t mode) {
  const bool existed = std::filesystem::exists(path);
  const int fd = ::open(path, flags, mode);
  if (fd < 0) return fd;
  if ((flags & O_DIRECTORY) != 0) {
    directories_[fd] = path;
    return fd;
  }
  auto it = names_.find(path);
  if (it != names_.end()) {
    descriptors_[fd] = it->second;
  } else if (existed) {
    // A file the medium has not seen (a log in an image being opened):
    // durable as it is.
    const std::size_t index = new_file(io_support::read_file(path));
    names_[path] = durable_names_[path] = index;
    descriptors_[fd] = index;
  } else {
    const std::size_t index = new_file({});
    names_[path] = index;  // durable once its directory is synced
    descriptors_[fd] = index;
  }
  return fd;
}

int FileMedium::close(int fd) {
  descriptors_.erase(fd);
  directories_.erase(fd);
  return ::close(fd);
}

int FileMedium::unlink(const char* path) {
  const int rc = ::unlink(path);
  if (rc == 0) names_.erase(path);  // the durable name stays until the directory is synced
  return rc;
}

ssize_t FileMedium::pread(int fd, void* buffer, std::size_t size, std::uint64_t offset) {
  return ::pread(fd, buffer, size, static_cast<off_t>(offset));
}

ssize_t FileMedium::pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) {
  const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
  if (n > 0) {
    File& file = files_[file_of(fd)];
    const std::uint64_t end = offset + static_cast<std::uint64_t>(n);
    file.size = std::max(file.size, end);
    read_back(fd, file, offset, end);
    crash_point(std::nullopt);
  }
  return n;
}

int FileMedium::ftruncate(int fd, std::uint64_t size) {
  const int rc = ::ftruncate(fd, static_cast<off_t>(size));
  if (rc == 0) files_[file_of(fd)].size = size;
  return rc;
}

std::int64_t FileMedium::size(int fd) {
  struct stat st{};
  if (::fstat(fd, &st) != 0) return -1;
  return st.st_size;
}

int FileMedium::fdatasync(int fd, pschema::SyncSite site) {
  const std::size_t index = file_of(fd);
  // Only the pool file is mapped (the one descriptor the engine did not open).
  if (descriptors_.count(fd) == 0) observe_mapping(fd);
  if (!crash_point(site)) return 0;
  // The whole file as it is now, including its size (fdatasync writes the
  // metadata needed to read the data back).
  File& file = files_[index];
  std::vector<char> now = file.durable;
  now.resize(file.size, '\0');
  for (const auto& [sector, contents] : file.pending) {
    const std::uint64_t at = sector * sector_size;
    if (at < now.size())
      std::memcpy(now.data() + at, contents.back().data(), std::min<std::uint64_t>(sector_size, now.size() - at));
  }
  file.durable = std::move(now);
  file.pending.clear();
  return 0;
}

int FileMedium::fsync(int fd, pschema::SyncSite site) {
  auto dir = directories_.find(fd);
  if (dir == directories_.end()) return fdatasync(fd, site);  // a file: its data (names need the directory)
  if (!crash_point(site)) return 0;
  // Every name in the directory is now as it is on the file system.
  std::set<std::string> paths;
  for (const auto& [path, file] : names_) paths.insert(path);
  for (const auto& [path, file] : durable_names_) paths.insert(path);
  for (const std::string& path : paths) {
    if (parent_of(path) != dir->second) continue;
    auto now = names_.find(path);
    if (now != names_.end()) {
      durable_names_[path] = now->second;
    } else {
      durable_names_.erase(path);
    }
  }
  return 0;
}

bool FileMedium::crash_point(std::optional<pschema::SyncSite> sync) {
  ++points_;
  if (sync) {
    ++syncs_;
    ++by_site_[static_cast<std::size_t>(*sync)];
    if (stop_at_ && *stop_at_ == syncs_) throw StopHere{};
  }
  if (crash_point_ && !in_crash_point_) {
    in_crash_point_ = true;
    try {
      crash_point_(points_, sync);
    } catch (...) {
      in_crash_point_ = false;
      throw;
    }
    in_crash_point_ = false;
  }
  return !(sync && drop_site_ == *sync);  // the mutation: this sync does nothing
}

FileMedium::Sector FileMedium::known(const File& file, std::uint64_t sector) const {
  auto it = file.pending.find(sector);
  if (it != file.pending.end()) return it->second.back();
  Sector out{};
  const std::uint64_t at = sector * sector_size;
  if (at < file.durable.size()) {
    std::memcpy(out.data(), file.durable.data() + at, std::min<std::uint64_t>(sector_size, file.durable.size() - at));
  }
  return out;
}

void FileMedium::add_content(File& file, std::uint64_t sector, const Sector& content) {
  if (known(file, sector) == content) return;  // the same bytes again: nothing a crash could tell apart
  file.pending[sector].push_back(content);
}

void FileMedium::read_back(int fd, File& file, std::uint64_t begin, std::uint64_t end) {
  // The sectors as the file system now holds them (a partial write keeps
  // the rest of its sectors).
  for (std::uint64_t sector = begin / sector_size; sector * sector_size < end; ++sector) {
    Sector content{};
    const ssize_t n = ::pread(fd, content.data(), sector_size, static_cast<off_t>(sector * sector_size));
    if (n < 0) continue;  // the engine's own read will fail and report it
    add_content(file, sector, content);
  }
}

void FileMedium::observe_mapping(int fd) {
  File& file = files_[file_of(fd)];
  struct stat st{};
  if (::fstat(fd, &st) != 0) return;
  file.size = static_cast<std::uint64_t>(st.st_size);
  std::vector<char> now(file.size);
  if (::pread(fd, now.data(), now.size(), 0) != static_cast<ssize_t>(now.size())) return;
  for (std::uint64_t sector = 0; sector * sector_size < now.size(); ++sector) {
    Sector content{};
    const std::uint64_t at = sector * sector_size;
    std::memcpy(content.data(), now.data() + at, std::min<std::uint64_t>(sector_size, now.size() - at));
    add_content(file, sector, content);
  }
}

std::size_t FileMedium::pending_sectors() const {
  std::size_t n = 0;
  for (const File& file : files_) n += file.pending.size();
  return n;
}

std::vector<DiskChoice> FileMedium::choices(std::size_t random_subsets, std::size_t max_singles,
                                            std::uint64_t seed) const {
  std::vector<DiskChoice> out;
  out.push_back({DiskChoice::Kind::none});
  out.push_back({DiskChoice::Kind::all});  // also new names and sizes with nothing pending
  const std::size_t pending = pending_sectors();
  // Singles spread over the pending sectors (a log record and a checkpoint
  // range are many sectors: the first few would all be alike).
  const std::size_t singles = std::min(max_singles, pending);
  for (std::size_t i = 0; i < singles; ++i) {
    const std::size_t sector = singles == pending ? i : mix(seed + i) % pending;
    out.push_back({DiskChoice::Kind::single_kept, sector});
    out.push_back({DiskChoice::Kind::single_dropped, sector});
  }
  for (std::size_t i = 0; i < random_subsets; ++i) {
    DiskChoice c{DiskChoice::Kind::random_subset};
    c.seed = mix(seed * 1000003 + i);
    out.push_back(c);
  }
  return out;
}

std::vector<char> FileMedium::contents(const File& file, std::size_t index, const Resolution& resolution) const {
  std::uint64_t size = resolution.keeps_new(mix(index) | 1) ? file.size : file.durable.size();
  if (index == resolution.single_file && resolution.choice.kind == DiskChoice::Kind::single_kept) {
    // The size grown by the write of the kept sector may persist with it.
    size = std::max(size, std::min(file.size, (resolution.single_sector + 1) * sector_size));
  }
  std::vector<char> out = file.durable;
  out.resize(size, '\0');
  for (const auto& [sector, versions] : file.pending) {
    const std::uint64_t at = sector * sector_size;
    if (at >= out.size()) continue;
    if (auto which = resolution.content(index, sector, versions.size())) {
      std::memcpy(out.data() + at, versions[*which].data(), std::min<std::uint64_t>(sector_size, out.size() - at));
    }
  }
  return out;
}

void FileMedium::write_image(const DiskChoice& choice, const std::string& target) const {
  Resolution resolution{choice};
  if (choice.kind == DiskChoice::Kind::single_kept || choice.kind == DiskChoice::Kind::single_dropped) {
    std::size_t left = choice.sector;
    for (std::size_t i = 0; i < files_.size() && resolution.single_file == SIZE_MAX; ++i) {
      for (const auto& [sector, versions] : files_[i].pending) {
        if (left-- == 0) {
          resolution.single_file = i;
          resolution.single_sector = sector;
          break;
        }
      }
    }
  }
  std::set<std::string> paths;
  for (const auto& [path, file] : names_) paths.insert(path);
  for (const auto& [path, file] : durable_names_) paths.insert(path);
  for (const std::string& path : paths) {
    if (path.compare(0, pool_path_.size(), pool_path_) != 0) continue;
    const std::string out_path = target + path.substr(pool_path_.size());
    auto now = names_.find(path);
    auto durable = durable_names_.find(path);
    const bool changed = (now == names_.end()) != (durable == durable_names_.end()) ||
                         (now != names_.end() && now->second != durable->second);
    const auto chosen = changed && resolution.keeps_new(mix(std::hash<std::string>{}(path))) ? now : durable;
    const bool exists = chosen == now ? now != names_.end() : durable != durable_names_.end();
    if (!exists) {
      std::filesystem::remove(out_path);
      continue;
    }
    const std::size_t index = chosen->second;
    const std::vector<char> bytes = contents(files_[index], index, resolution);
    io_support::write_file(out_path, bytes);
  }
}

}  // namespace crash_sim
