#include "pschema/format/schema_bundle.hpp"

namespace pschema::format {

namespace {

constexpr std::string_view file_marker = "//@file ";

}  // namespace

std::string join_schema_bundle(std::span<const SchemaFile> files) {
  std::string bundle;
  for (const SchemaFile& file : files) {
    bundle += std::string(file_marker) + file.name + "\n" + file.text;
    // The next marker must start a line of its own.
    if (!file.text.empty() && file.text.back() != '\n') bundle += "\n";
  }
  return bundle;
}

std::vector<SchemaFile> split_schema_bundle(std::string_view bundle) {
  std::vector<SchemaFile> files;
  if (bundle.substr(0, file_marker.size()) != file_marker) files.push_back({"schema.pschema", ""});
  std::size_t at = 0;
  while (at < bundle.size()) {
    const std::size_t end = bundle.find('\n', at);
    const std::size_t next = end == std::string_view::npos ? bundle.size() : end + 1;
    std::string_view line = bundle.substr(at, next - at);
    if (line.substr(0, file_marker.size()) == file_marker) {
      std::string_view name = line.substr(file_marker.size());
      while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.remove_suffix(1);
      files.push_back({std::string(name), ""});
    } else {
      files.back().text += line;
    }
    at = next;
  }
  return files;
}

}  // namespace pschema::format
