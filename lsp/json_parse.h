// Parsing an LSP message body into the server's nlohmann::json.
//
// A didChange carries the whole document as one JSON string, which
// nlohmann::json's lexer reads byte by byte (~80 instructions a byte: a
// fifth of an edit's time on a 5,000-line file). simdjson reads it at
// gigabytes per second; its result is copied into nlohmann::json. Anything
// simdjson refuses (bad JSON, but also integers beyond 64 bits, numbers out
// of a double's range, nesting beyond its depth limit) is parsed again by
// nlohmann::json, so the server accepts and reads exactly what it did.
// Messages from kSimdjsonLimit on go to nlohmann::json alone (memory).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flowc::lsp {

inline constexpr size_t kSimdjsonLimit = size_t{1} << 20;

// The message in `body`, or a discarded value (is_discarded()) if it is not
// JSON. `body` may grow capacity (simdjson reads a little past the end).
nlohmann::json parse_message(std::string& body);

}  // namespace flowc::lsp
