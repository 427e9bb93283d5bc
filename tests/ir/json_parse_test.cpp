// The depth-capped JSON reader every piece of outside JSON goes through
// (ir/json_parse.h): its errors say where, in UTF-8 text.
#include <catch2/catch.hpp>

#include "ir/json_parse.h"
#include "ir/regular_file.h"

using flowc::ir::parse_json;

namespace {

std::string error_of(std::string_view text, flowc::ir::JsonReadOptions options = {}) {
  std::string error;
  auto v = parse_json(text, &error, options);
  return v ? "ok" : error;
}

}  // namespace

TEST_CASE("json: nesting is capped at 2000 levels, arrays and objects alike", "[json]") {
  CHECK(error_of(std::string(2000, '[') + std::string(2000, ']')) == "ok");
  CHECK(error_of(std::string(2001, '[') + std::string(2001, ']')) ==
        "line 1, column 2001: nested more than 2000 levels deep");
  std::string objects;
  for (int i = 0; i < 2001; ++i) objects += "{\"a\":";
  CHECK(error_of(objects).find("nested more than 2000 levels deep") != std::string::npos);
  // Brackets inside strings are text.
  CHECK(error_of("\"" + std::string(5000, '[') + "\"") == "ok");
  CHECK(error_of("[\"\\\"" + std::string(5000, '[') + "\"]") == "ok");
}

TEST_CASE("json: bytes that are not UTF-8 are found with their place", "[json]") {
  CHECK(error_of("{\n  \"k\": \"caf\xc3\x28\"\n}") ==
        "line 2, column 12: invalid UTF-8 (byte 0xC3); JSON text must be UTF-8");
  CHECK(error_of("\xff") == "line 1, column 1: invalid UTF-8 (byte 0xFF); JSON text must be UTF-8");
  CHECK(error_of("\"\\\xc3\xa9\"").find("line 1") != std::string::npos);  // an escaped é: nlohmann's own error
  CHECK(error_of("\"h\xc3\xa9llo\"") == "ok");
}

TEST_CASE("json: syntax errors say where, without nlohmann's prefix", "[json]") {
  std::string e = error_of("{\"a\": 1,\n \"b\": }");
  CHECK(e.rfind("line 2, column 7: syntax error while parsing value", 0) == 0);
  CHECK(e.find("json.exception") == std::string::npos);
  CHECK(error_of("").rfind("line 1, column 1: syntax error", 0) == 0);
}

TEST_CASE("json: comments only when asked, and then skipped by the depth count too", "[json]") {
  CHECK(error_of("// x\n{\"a\": 1}") != "ok");
  flowc::ir::JsonReadOptions comments{true};
  CHECK(error_of("// [[[[\n{\"a\": /* [[[ */ 1}", comments) == "ok");
  CHECK(error_of("/* \xff */ 1", comments).find("invalid UTF-8") != std::string::npos);
}

TEST_CASE("regular files only, up to a size", "[json][files]") {
  using flowc::ir::FileProblem;
  auto problem = [](const std::string& path, uint64_t max) {
    auto r = flowc::ir::read_regular_file(path, max);
    auto* p = std::get_if<FileProblem>(&r);
    return p ? *p : FileProblem{FileProblem::Kind::Unreadable, "read"};
  };
  CHECK(problem("/dev/zero", 100).kind == FileProblem::Kind::NotRegular);
  CHECK(problem("/dev/zero", 100).message == "a character device");
  CHECK(problem("/tmp", 100).kind == FileProblem::Kind::Directory);
  CHECK(problem("/nonexistent/x", 100).message == "No such file or directory");
  CHECK(problem("/etc/passwd", 10).kind == FileProblem::Kind::TooLarge);
  // procfs files say size 0 and have text: read to the end, within the cap.
  auto self = flowc::ir::read_regular_file("/proc/self/status", 1 << 20);
  REQUIRE(std::holds_alternative<std::string>(self));
  CHECK(std::get<std::string>(self).find("Name:") != std::string::npos);
  CHECK(problem("/proc/self/status", 16).kind == FileProblem::Kind::TooLarge);
  CHECK(flowc::ir::size_text(17 << 20) == "17.0 MiB");
  CHECK(flowc::ir::size_text(512) == "512 bytes");
}
