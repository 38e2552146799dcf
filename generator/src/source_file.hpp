// A schema file's text and the mapping from byte offsets to line/column.
// Spans everywhere else are byte offsets; line and column are computed only
// when a diagnostic is printed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pschema::gen {

struct SourceLocation {
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based, in bytes
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  SourceLocation locate(std::size_t offset) const;
  // ANTLR counts positions in code points; spans are byte offsets.
  std::size_t byte_offset_of_code_point(std::size_t code_point) const;
  // The text of a 1-based line, without its line terminator.
  std::string_view line_text(std::uint32_t line) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
  std::vector<std::size_t> code_point_starts_;  // empty when the text is ASCII
};

}  // namespace pschema::gen
