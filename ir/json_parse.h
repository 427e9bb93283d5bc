// Reading JSON that someone else wrote (parameters, IR files, profiles, task
// outputs, editor messages) without trusting its shape: nesting is capped
// before anything is built, because copying, printing and comparing a JSON
// value recurse once per level and a 100,000-level `[[[...` would exhaust the
// stack; and every error says where (line and column) in UTF-8 text, never
// nlohmann's own exception text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flowc::ir {

// The deepest JSON flowc reads. The compiler's own IR stays far below it
// (tests/ir/ir_test.cpp checks the deepest program it accepts), and every
// value a type describes is shallower still.
inline constexpr int kMaxJsonDepth = 2000;

struct JsonReadOptions {
  bool ignore_comments = false;  // profiles allow `//` and `/* */`
};

// What is wrong and where (1-based; the column counts code points).
struct JsonError {
  size_t line = 1;
  size_t column = 1;
  std::string what;
  std::string text() const;  // "line 3, column 7: what"
};

// Parses `text`. On failure returns nullopt and sets *error to what is wrong
// and where: "line 3, column 7: nested more than 2000 levels deep",
// "line 1, column 9: invalid UTF-8 (byte 0xC3)", "line 2, column 1: syntax
// error while parsing object - unexpected end of input; expected '}'".
std::optional<nlohmann::json> parse_json(std::string_view text, std::string* error, JsonReadOptions options = {});
std::optional<nlohmann::json> parse_json(std::string_view text, JsonError* error, JsonReadOptions options = {});
std::optional<nlohmann::ordered_json> parse_ordered_json(std::string_view text, std::string* error,
                                                         JsonReadOptions options = {});

// The message of a nlohmann exception without its "[json.exception.xxx.nnn] "
// prefix, with any byte that is not UTF-8 shown as \xNN.
std::string json_exception_text(const std::exception& e);

}  // namespace flowc::ir
