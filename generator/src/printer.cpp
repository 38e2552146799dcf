#include "printer.hpp"

#include <stdexcept>

namespace pschema::gen {

template <class Lookup>
void Printer::print_with(std::string_view text, Lookup lookup) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '$') {
      std::size_t end = text.find('$', i + 1);
      if (end == std::string_view::npos) throw std::logic_error("unterminated $ in template");
      std::string_view name = text.substr(i + 1, end - i - 1);
      i = end;
      if (at_line_start_) {
        out_.append(static_cast<std::size_t>(depth_) * 2, ' ');
        at_line_start_ = false;
      }
      if (name.empty()) {
        out_ += '$';
      } else {
        out_ += lookup(name);
      }
      continue;
    }
    if (c == '\n') {
      out_ += '\n';
      at_line_start_ = true;
      continue;
    }
    if (at_line_start_) {
      out_.append(static_cast<std::size_t>(depth_) * 2, ' ');
      at_line_start_ = false;
    }
    out_ += c;
  }
}

void Printer::print(std::string_view text, Vars vars) {
  print_with(text, [&](std::string_view name) -> std::string {
    for (const auto& [key, value] : vars) {
      if (key == name) return value;
    }
    throw std::logic_error("no value for $" + std::string(name) + "$");
  });
}

void Printer::print(std::string_view text, const std::map<std::string, std::string, std::less<>>& vars) {
  print_with(text, [&](std::string_view name) -> std::string {
    auto it = vars.find(name);
    if (it == vars.end()) throw std::logic_error("no value for $" + std::string(name) + "$");
    return it->second;
  });
}

}  // namespace pschema::gen
