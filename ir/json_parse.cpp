// Depth-capped, position-reporting JSON parsing.
#include "ir/json_parse.h"

#include <fmt/format.h>

#include "ir/utf8.h"

namespace flowc::ir {
namespace {

// The error at a byte offset: its line and column (code points, 1-based).
JsonError at(std::string_view text, size_t offset, std::string what) {
  offset = std::min(offset, text.size());
  JsonError e;
  e.what = std::move(what);
  for (size_t i = 0; i < offset; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++e.line;
      e.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++e.column;
    }
  }
  return e;
}

// One pass over the text before nlohmann sees it: too deep a nesting and bytes
// that are not UTF-8 are found here, with their place. Brackets inside strings
// (and comments, when allowed) do not count.
std::optional<JsonError> prescan(std::string_view text, const JsonReadOptions& options) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence_length(text, i);
      if (n == 0) return at(text, i, fmt::format("invalid UTF-8 (byte 0x{:02X}); JSON text must be UTF-8", c));
      i += n;
      continue;
    }
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character: skipped when ASCII, checked as UTF-8 otherwise
        if (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
        continue;
      }
      if (c == '"') in_string = false;
      ++i;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > kMaxJsonDepth) {
          return at(text, i, fmt::format("nested more than {} levels deep", kMaxJsonDepth));
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      case '/':
        if (options.ignore_comments && i + 1 < text.size() && text[i + 1] == '/') {
          size_t eol = text.find('\n', i);
          i = eol == std::string_view::npos ? text.size() : eol;
          continue;
        }
        if (options.ignore_comments && i + 1 < text.size() && text[i + 1] == '*') {
          size_t close = text.find("*/", i + 2);
          if (close == std::string_view::npos) return std::nullopt;  // nlohmann says it never closes
          // The comment's bytes are still checked as UTF-8 above: skip only to its start.
          for (size_t k = i + 2; k < close;) {
            size_t n = utf8_sequence_length(text, k);
            if (n == 0) {
              return at(text, k,
                        fmt::format("invalid UTF-8 (byte 0x{:02X}); JSON text must be UTF-8",
                                    static_cast<unsigned char>(text[k])));
            }
            k += n;
          }
          i = close + 2;
          continue;
        }
        break;
      default: break;
    }
    ++i;
  }
  return std::nullopt;
}

template <typename Json>
std::optional<Json> parse(std::string_view text, JsonError* error, JsonReadOptions options) {
  if (auto problem = prescan(text, options)) {
    if (error) *error = std::move(*problem);
    return std::nullopt;
  }
  try {
    return Json::parse(text, nullptr, true, options.ignore_comments);
  } catch (const typename Json::parse_error& e) {
    if (error) {
      // nlohmann counts columns in bytes: say the place the same way as above.
      std::string what = json_exception_text(e);
      size_t reason = what.find(": ");
      if (what.rfind("parse error at ", 0) == 0 && reason != std::string::npos) what = what.substr(reason + 2);
      *error = at(text, e.byte > 0 ? e.byte - 1 : 0, std::move(what));
    }
  } catch (const std::exception& e) {
    if (error) *error = JsonError{1, 1, json_exception_text(e)};
  }
  return std::nullopt;
}

template <typename Json>
std::optional<Json> parse(std::string_view text, std::string* error, JsonReadOptions options) {
  JsonError e;
  std::optional<Json> v = parse<Json>(text, &e, options);
  if (!v && error) *error = e.text();
  return v;
}

}  // namespace

std::string json_exception_text(const std::exception& e) {
  std::string_view what = e.what();
  if (what.substr(0, 1) == "[") {
    size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return printable_utf8(what);
}

std::string JsonError::text() const { return fmt::format("line {}, column {}: {}", line, column, what); }

std::optional<nlohmann::json> parse_json(std::string_view text, std::string* error, JsonReadOptions options) {
  return parse<nlohmann::json>(text, error, options);
}

std::optional<nlohmann::json> parse_json(std::string_view text, JsonError* error, JsonReadOptions options) {
  return parse<nlohmann::json>(text, error, options);
}

std::optional<nlohmann::ordered_json> parse_ordered_json(std::string_view text, std::string* error,
                                                         JsonReadOptions options) {
  return parse<nlohmann::ordered_json>(text, error, options);
}

}  // namespace flowc::ir
