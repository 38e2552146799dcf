#include "diagnostics.hpp"

#include <algorithm>
#include <ostream>

namespace pschema::gen {

namespace {

const char* severity_word(Severity severity) {
  switch (severity) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

}  // namespace

void Diagnostics::add(Severity severity, Span span, std::string message) {
  if (severity == Severity::error) ++errors_;
  items_.push_back({severity, span, std::move(message)});
}

void Diagnostics::error(Span span, std::string message) {
  add(Severity::error, span, std::move(message));
}
void Diagnostics::warning(Span span, std::string message) {
  add(Severity::warning, span, std::move(message));
}
void Diagnostics::note(Span span, std::string message) {
  add(Severity::note, span, std::move(message));
}
void Diagnostics::error_without_location(std::string message) {
  add(Severity::error, Span{}, std::move(message));
}

std::string format_diagnostic(const Diagnostic& d) {
  std::string out;
  if (d.span.file == nullptr) {
    out = "pschema: ";
    out += severity_word(d.severity);
    out += ": " + d.message + "\n";
    return out;
  }
  const SourceFile& file = *d.span.file;
  SourceLocation loc = file.locate(d.span.begin);
  out = file.path() + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": " +
        severity_word(d.severity) + ": " + d.message + "\n";
  std::string_view line = file.line_text(loc.line);
  out += "  ";
  out += line;
  out += "\n  ";
  // Tabs stay tabs so the caret lines up with the echoed line.
  for (std::uint32_t i = 1; i < loc.column && i - 1 < line.size(); ++i) {
    out += line[i - 1] == '\t' ? '\t' : ' ';
  }
  out += '^';
  std::size_t last_on_line = line.size() + 1;  // columns are 1-based
  std::size_t span_end_column = loc.column + (d.span.end > d.span.begin ? d.span.end - d.span.begin : 1);
  for (std::size_t col = loc.column + 1; col < std::min(span_end_column, last_on_line); ++col) out += '~';
  out += "\n";
  return out;
}

void Diagnostics::print(std::ostream& out) const {
  // Files keep the order in which they first reported; within a file,
  // messages are sorted by position so the output reads top to bottom.
  std::vector<const SourceFile*> file_order;
  auto rank = [&](const SourceFile* f) {
    auto it = std::find(file_order.begin(), file_order.end(), f);
    return static_cast<std::size_t>(it - file_order.begin());
  };
  for (const auto& d : items_) {
    if (std::find(file_order.begin(), file_order.end(), d.span.file) == file_order.end()) {
      file_order.push_back(d.span.file);
    }
  }
  std::vector<const Diagnostic*> sorted;
  sorted.reserve(items_.size());
  for (const auto& d : items_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Diagnostic* a, const Diagnostic* b) {
    std::size_t ra = rank(a->span.file), rb = rank(b->span.file);
    if (ra != rb) return ra < rb;
    return a->span.begin < b->span.begin;
  });
  for (const Diagnostic* d : sorted) out << format_diagnostic(*d);
}

}  // namespace pschema::gen
