// A small text printer for generated code: `$name$` substitution and
// indentation that follows scopes, so the emitter reads like the code it
// writes instead of a pile of string concatenations.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace pschema::gen {

class Printer {
 public:
  using Vars = std::initializer_list<std::pair<std::string_view, std::string>>;

  // Prints `text`, replacing `$name$` by its value ("$$" prints "$"). Lines
  // are indented by the current depth; empty lines stay empty.
  void print(std::string_view text, Vars vars = {});
  // Same, with a map of variables (emitters that build them up).
  void print(std::string_view text, const std::map<std::string, std::string, std::less<>>& vars);
  // Makes `$name$` print `value` in every later print. A print may not pass
  // a variable of the same name: that would hide the definition.
  void define(std::string name, std::string value);
  void indent() { ++depth_; }
  void outdent() { --depth_; }

  // Indents until destroyed.
  class Indent {
   public:
    explicit Indent(Printer& p) : p_(p) { p_.indent(); }
    ~Indent() { p_.outdent(); }
    Indent(const Indent&) = delete;
    Indent& operator=(const Indent&) = delete;

   private:
    Printer& p_;
  };

  const std::string& text() const { return out_; }

 private:
  template <class Lookup>
  void print_with(std::string_view text, Lookup lookup);
  // The value of `name` when the print's own variables have none.
  const std::string& defined(std::string_view name) const;
  // Refuses a print's variable that hides a defined one.
  void check_not_defined(std::string_view name) const;

  std::map<std::string, std::string, std::less<>> defined_;
  std::string out_;
  int depth_ = 0;
  bool at_line_start_ = true;
};

}  // namespace pschema::gen
