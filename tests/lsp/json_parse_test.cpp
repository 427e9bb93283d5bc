// The LSP's message parser (simdjson, then flowc's depth-capped reader for
// what simdjson refuses) must read every body exactly as that reader alone
// (ir::parse_json: nlohmann::json behind a depth cap and a UTF-8 check) does:
// the same acceptance, the same values, the same number types.
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ir/json_parse.h"
#include "lsp/json_parse.h"

namespace {

// dump() tells 1 from 1.0 and -0.0 from 0, which == does not.
std::string as_read(const std::optional<nlohmann::json>& j) { return j ? j->dump() : "<not JSON>"; }

void same_as_nlohmann(const std::string& body) {
  INFO(body.substr(0, 200));
  std::string error;
  std::optional<nlohmann::json> expected = flowc::ir::parse_json(body, &error);
  CHECK(as_read(flowc::lsp::parse_message(body, &error)) == as_read(expected));
  // Within the depth cap and in UTF-8, that is what nlohmann::json reads.
  nlohmann::json plain = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (expected) CHECK(as_read(expected) == plain.dump());
}

}  // namespace

TEST_CASE("LSP messages are read as nlohmann::json reads them", "[lsp][json]") {
  const std::vector<std::string> bodies = {
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}})",
      R"({"a":1,"a":2})",  // a repeated key: the last wins
      R"([0,-0,1.0,-1.5e-3,1e308,1e400,-1e400,9223372036854775807,9223372036854775808,18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809])",
      R"(["\u0000","\ud83d\ude00","\ud83d","\t\n\"\\\/","é","𝄞"])",
      R"({"text":"line 1\nline 2\r\n\t\"quoted\" ${x} \\ end"})",
      "{\"bad\":\"\xff\xfe\"}",  // invalid UTF-8 in a string
      "\xef\xbb\xbf{}",          // a byte order mark
      "",
      " ",
      "{",
      "}",
      "[1,]",
      "{\"a\":}",
      "nul",
      "true false",
      "{} x",
      "123abc",
      "01",
      "1.",
      "-",
      "\"open",
      "  {\"a\" : [ 1 , { \"b\" : null } ] }  ",
      "true",
      "null",
      "\"just a string\"",
      "42",
      "[]",
      "{}",
  };
  for (const std::string& body : bodies) same_as_nlohmann(body);
  // Nesting deeper than simdjson's limit: read by the reader instead; deeper
  // than the reader's cap: refused by both, with where.
  same_as_nlohmann(std::string(1500, '[') + std::string(1500, ']'));
  REQUIRE(flowc::lsp::parse_message(std::string(1500, '[') + std::string(1500, ']'), nullptr));
  same_as_nlohmann(std::string(5000, '[') + std::string(5000, ']'));
  std::string error;
  CHECK_FALSE(flowc::lsp::parse_message(std::string(5000, '[') + std::string(5000, ']'), &error));
  CHECK(error.find("nested more than") != std::string::npos);
  // A document in one string, as a didChange sends it, below and above the
  // size from which nlohmann::json alone reads it.
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "op o" + std::to_string(i) + "() { run \"echo \\\"${x}\\\"\\n\" }\\n";
  REQUIRE(text.size() < flowc::lsp::kSimdjsonLimit);
  same_as_nlohmann(R"({"params":{"contentChanges":[{"text":")" + text + R"("}]}})");
  same_as_nlohmann(R"({"params":{"contentChanges":[{"text":")" + text + text + text + R"("}]}})");
}

TEST_CASE("random mutations of a message are read as nlohmann::json reads them", "[lsp][json]") {
  const std::string message =
      R"({"jsonrpc":"2.0","id":7,"method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a%20b.flow","version":3},"contentChanges":[{"text":"workflow w() {\n  x = 1.5e3 + -2\n}\n\u00e9\ud83d\ude00"}]}})";
  std::mt19937 rng(19);
  const std::string alphabet = "{}[]\":,\\.-+0123456789eEtrufalsn \n\xc3\xa9\xff";
  for (int i = 0; i < 5000; ++i) {
    std::string body = message;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0: body.erase(at, 1); break;
        case 1: body.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        default: body[at] = alphabet[rng() % alphabet.size()]; break;
      }
    }
    same_as_nlohmann(body);
  }
}
