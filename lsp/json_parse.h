// Parsing an LSP message body into the server's nlohmann::json.
//
// A didChange carries the whole document as one JSON string, which
// nlohmann::json's lexer reads byte by byte (~80 instructions a byte: a
// fifth of an edit's time on a 5,000-line file). simdjson reads it at
// gigabytes per second; its result is copied into nlohmann::json. Anything
// simdjson refuses (bad JSON, but also integers beyond 64 bits, numbers out
// of a double's range, nesting beyond its depth limit) is parsed again by
// flowc's own reader (ir/json_parse.h: nlohmann::json behind a depth cap and
// a UTF-8 check), so the server accepts and reads exactly what that reader
// does, and says where a body is wrong. Messages from kSimdjsonLimit on go to
// that reader alone (memory).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flowc::lsp {

inline constexpr size_t kSimdjsonLimit = size_t{1} << 20;

// The message in `body`, or nullopt with *error saying what is wrong and
// where (ir::parse_json's text) if it is not JSON flowc reads.
std::optional<nlohmann::json> parse_message(std::string_view body, std::string* error);

}  // namespace flowc::lsp
