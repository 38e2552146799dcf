// One collector for every message the generator reports: syntax errors from
// ANTLR, semantic errors from the checks. Messages are kept, sorted by
// position and printed in the format compilers use:
//
//   bank.pschema:12:9: error: field 'owner' has type 'std::string', ...
//     owner: std::string;
//            ^~~~~~~~~~~
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "source_file.hpp"

namespace pschema::gen {

enum class Severity { error, warning, note };

// A half-open byte range [begin, end) in one source file.
struct Span {
  const SourceFile* file = nullptr;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The source text `span` covers, as written (for quoting it in messages).
std::string text_of(const Span& span);

struct Diagnostic {
  Severity severity = Severity::error;
  Span span;
  std::string message;
};

class Diagnostics {
 public:
  void error(Span span, std::string message);
  void warning(Span span, std::string message);
  void note(Span span, std::string message);
  // An error not tied to a source position (unreadable file, bad usage).
  void error_without_location(std::string message);

  std::size_t error_count() const { return errors_; }
  bool has_errors() const { return errors_ > 0; }
  const std::vector<Diagnostic>& all() const { return items_; }

  // Prints every diagnostic, in source order within each file.
  void print(std::ostream& out) const;

  // Keeps source files alive that diagnostics refer to but nothing else owns.
  void keep_alive(std::vector<std::unique_ptr<SourceFile>> files) {
    for (auto& f : files) kept_.push_back(std::move(f));
  }

 private:
  void add(Severity severity, Span span, std::string message);

  std::vector<Diagnostic> items_;
  std::size_t errors_ = 0;
  std::vector<std::unique_ptr<SourceFile>> kept_;
};

// Formats one diagnostic, with its source line and a caret under the span.
std::string format_diagnostic(const Diagnostic& diagnostic);

}  // namespace pschema::gen
