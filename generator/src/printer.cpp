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
      if (key == name) {
        check_not_defined(name);
        return value;
      }
    }
    return defined(name);
  });
}

void Printer::print(std::string_view text, const std::map<std::string, std::string, std::less<>>& vars) {
  print_with(text, [&](std::string_view name) -> std::string {
    if (auto it = vars.find(name); it != vars.end()) {
      check_not_defined(name);
      return it->second;
    }
    return defined(name);
  });
}

void Printer::define(std::string name, std::string value) { defined_[std::move(name)] = std::move(value); }

const std::string& Printer::defined(std::string_view name) const {
  auto it = defined_.find(name);
  if (it == defined_.end()) throw std::logic_error("no value for $" + std::string(name) + "$");
  return it->second;
}

void Printer::check_not_defined(std::string_view name) const {
  if (defined_.count(name) != 0) throw std::logic_error("$" + std::string(name) + "$ is defined for every print");
}

}  // namespace pschema::gen
