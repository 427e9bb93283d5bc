// Parameter references (param_ref.h), as CWL v1.2 defines them.
#include "ir/param_ref.h"

#include <cctype>

namespace flowc::ir {

namespace {

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

}  // namespace

std::optional<ParamRef> parse_param_ref(std::string_view code) {
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.front()))) code.remove_prefix(1);
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.back()))) code.remove_suffix(1);
  size_t i = 0;
  while (i < code.size() && ident_char(code[i])) ++i;
  ParamRef ref;
  ref.root = std::string(code.substr(0, i));
  if (ref.root != "inputs" && ref.root != "self" && ref.root != "runtime" && ref.root != "null") return std::nullopt;
  if (ref.root == "null" && i != code.size()) return std::nullopt;
  while (i < code.size()) {
    if (code[i] == '.') {
      size_t start = ++i;
      if (i >= code.size() || !ident_start(code[i])) return std::nullopt;
      while (i < code.size() && ident_char(code[i])) ++i;
      ref.steps.emplace_back(std::string(code.substr(start, i - start)));
    } else if (code[i] == '[') {
      ++i;
      if (i < code.size() && (code[i] == '\'' || code[i] == '"')) {
        char q = code[i++];
        std::string key;
        while (i < code.size() && code[i] != q) {
          if (code[i] == '\\' && i + 1 < code.size()) ++i;
          key += code[i++];
        }
        if (i + 1 >= code.size() || code[i + 1] != ']') return std::nullopt;
        ref.steps.emplace_back(std::move(key));
        i += 2;
      } else {
        size_t start = i;
        while (i < code.size() && std::isdigit(static_cast<unsigned char>(code[i]))) ++i;
        if (i == start || i >= code.size() || code[i] != ']') return std::nullopt;
        ref.steps.emplace_back(static_cast<size_t>(std::stoull(std::string(code.substr(start, i - start)))));
        ++i;
      }
    } else {
      return std::nullopt;
    }
  }
  return ref;
}

}  // namespace flowc::ir
