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

std::string text_of(const Span& span) {
  if (span.file == nullptr || span.end <= span.begin) return {};
  return span.file->text().substr(span.begin, span.end - span.begin);
}

void Diagnostics::add(Severity severity, Span span, std::string message) {
  if (severity == Severity::error) ++errors_;
  items_.push_back({severity, span, std::move(message)});
}

void Diagnostics::error(Span span, std::string message) { add(Severity::error, span, std::move(message)); }
void Diagnostics::warning(Span span, std::string message) { add(Severity::warning, span, std::move(message)); }
void Diagnostics::note(Span span, std::string message) { add(Severity::note, span, std::move(message)); }
void Diagnostics::error_without_location(std::string message) { add(Severity::error, Span{}, std::move(message)); }

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
  // A note belongs to the diagnostic before it and is printed right after
  // it. Files keep the order in which they first reported; within a file,
  // diagnostics are sorted by position so the output reads top to bottom.
  struct Group {
    std::size_t first;
    std::size_t last;  // one past
  };
  std::vector<Group> groups;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].severity == Severity::note && !groups.empty()) {
      groups.back().last = i + 1;
    } else {
      groups.push_back({i, i + 1});
    }
  }
  std::vector<const SourceFile*> file_order;
  for (const auto& d : items_) {
    if (std::find(file_order.begin(), file_order.end(), d.span.file) == file_order.end()) {
      file_order.push_back(d.span.file);
    }
  }
  auto rank = [&](const SourceFile* f) {
    return static_cast<std::size_t>(std::find(file_order.begin(), file_order.end(), f) - file_order.begin());
  };
  // Ties keep the order of report: groups were made in that order, so their
  // first index breaks them (the effect of a stable sort, without
  // std::stable_sort, whose libstdc++ 12 implementation calls the
  // deprecated std::get_temporary_buffer and trips clang's -Werror).
  std::sort(groups.begin(), groups.end(), [&](const Group& a, const Group& b) {
    const Diagnostic& x = items_[a.first];
    const Diagnostic& y = items_[b.first];
    std::size_t rx = rank(x.span.file), ry = rank(y.span.file);
    if (rx != ry) return rx < ry;
    if (x.span.begin != y.span.begin) return x.span.begin < y.span.begin;
    return a.first < b.first;
  });
  for (const Group& g : groups) {
    for (std::size_t i = g.first; i < g.last; ++i) out << format_diagnostic(items_[i]);
  }
}

}  // namespace pschema::gen
