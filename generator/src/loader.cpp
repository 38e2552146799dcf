#include "loader.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "parser.hpp"

namespace pschema::gen {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_text(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class Loader {
 public:
  explicit Loader(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  // Returns the index of the loaded file, or nullopt.
  std::optional<std::size_t> load(const std::string& display_path, const fs::path& path, const Span* imported_at) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(path, ec);
    if (ec) key = path;
    if (auto it = index_.find(key); it != index_.end()) {
      if (it->second == in_progress) {
        if (imported_at != nullptr)
          diagnostics_.error(*imported_at,
                             "import cycle: '" + display_path + "' imports itself, directly or through other files");
        return std::nullopt;
      }
      if (it->second == failed) return std::nullopt;
      return it->second;
    }
    std::optional<std::string> text = read_text(path);
    if (!text) {
      if (imported_at != nullptr) {
        diagnostics_.error(*imported_at, "cannot read imported file '" + display_path + "'");
      } else {
        diagnostics_.error_without_location("cannot read '" + display_path + "'");
      }
      index_[key] = failed;
      return std::nullopt;
    }
    auto source = std::make_unique<SourceFile>(display_path, std::move(*text));
    std::optional<ast::File> file = parse_file(*source, diagnostics_);
    sources_.push_back(std::move(source));  // diagnostics point into it: keep it alive
    if (!file) {
      index_[key] = failed;
      return std::nullopt;
    }
    index_[key] = in_progress;
    std::vector<std::size_t> imports;
    bool imports_ok = true;
    for (const ast::Import& import : file->imports) {
      fs::path target = path.parent_path() / import.path;
      std::string shown = (fs::path(display_path).parent_path() / import.path).lexically_normal().string();
      auto loaded = load(shown, target, &import.span);
      if (loaded) {
        imports.push_back(*loaded);
      } else {
        imports_ok = false;
      }
    }
    if (!imports_ok) {
      index_[key] = failed;
      return std::nullopt;
    }
    LoadedFile loaded;
    loaded.source = std::move(sources_.back());
    sources_.pop_back();
    loaded.ast = std::move(*file);
    loaded.imports = std::move(imports);
    result_.files.push_back(std::move(loaded));
    index_[key] = result_.files.size() - 1;
    return result_.files.size() - 1;
  }

  LoadedSchemas finish() { return std::move(result_); }
  std::vector<std::unique_ptr<SourceFile>> failed_sources() { return std::move(sources_); }

 private:
  static constexpr std::size_t in_progress = static_cast<std::size_t>(-1);
  static constexpr std::size_t failed = static_cast<std::size_t>(-2);

  Diagnostics& diagnostics_;
  std::map<fs::path, std::size_t> index_;
  // Sources of files that failed: diagnostics still refer to them.
  std::vector<std::unique_ptr<SourceFile>> sources_;
  LoadedSchemas result_;
};

}  // namespace

LoadedSchemas load_schemas(const std::vector<std::string>& paths, Diagnostics& diagnostics) {
  Loader loader(diagnostics);
  for (const std::string& path : paths) loader.load(path, fs::path(path), nullptr);
  LoadedSchemas schemas = loader.finish();
  diagnostics.keep_alive(loader.failed_sources());
  return schemas;
}

}  // namespace pschema::gen
