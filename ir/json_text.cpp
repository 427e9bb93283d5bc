// A compact pretty-printer for JSON.
#include "ir/json_text.h"

namespace flowc::ir {
namespace {

bool is_flat(const nlohmann::ordered_json& a) {
  if (!a.is_array() || a.size() > 12) return false;
  for (const auto& v : a) {
    if (v.is_structured()) return false;
  }
  return true;
}

// Inline text of a flat array or a small object of plain values, or empty
// when the value should be spread over lines.
std::string inline_text(const nlohmann::ordered_json& v) {
  auto plain = [](const nlohmann::ordered_json& x) { return !x.is_structured() || (is_flat(x) && x.size() <= 6); };
  bool ok = false;
  if (v.is_array()) ok = is_flat(v);
  if (v.is_object()) {
    ok = !v.empty() && v.size() <= 4;
    for (auto it = v.begin(); ok && it != v.end(); ++it) ok = plain(it.value());
  }
  if (!ok) return {};
  std::string flat = v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  // nlohmann prints [1,2] and {"a":1}; add spaces after , and : for reading.
  std::string spaced;
  bool in_string = false;
  for (size_t k = 0; k < flat.size(); ++k) {
    char c = flat[k];
    if (c == '"') {
      size_t backslashes = 0;
      for (size_t b = k; b > 0 && flat[b - 1] == '\\'; --b) ++backslashes;
      if (backslashes % 2 == 0) in_string = !in_string;
    }
    spaced += c;
    if ((c == ',' || c == ':') && !in_string) spaced += ' ';
  }
  return spaced.size() <= 100 ? spaced : std::string();
}

void write(std::string& out, const nlohmann::ordered_json& v, int depth) {
  if (std::string line = inline_text(v); !line.empty()) {
    out += line;
    return;
  }
  const std::string indent(static_cast<size_t>(2 * (depth + 1)), ' ');
  const std::string close(static_cast<size_t>(2 * depth), ' ');
  if (v.is_object()) {
    if (v.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    size_t i = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++i) {
      out += indent + nlohmann::ordered_json(it.key()).dump() + ": ";
      write(out, it.value(), depth + 1);
      out += i + 1 < v.size() ? ",\n" : "\n";
    }
    out += close + "}";
  } else if (v.is_array()) {
    if (v.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (size_t i = 0; i < v.size(); ++i) {
      out += indent;
      write(out, v[i], depth + 1);
      out += i + 1 < v.size() ? ",\n" : "\n";
    }
    out += close + "]";
  } else {
    out += v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
}

}  // namespace

std::string json_text(const nlohmann::ordered_json& value) {
  std::string out;
  write(out, value, 0);
  out += "\n";
  return out;
}

}  // namespace flowc::ir
