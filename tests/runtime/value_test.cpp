// Run-time values: type checks, coercion, text for every type, paths inside
// values, and the canonical text cache keys are made of.
#include <catch2/catch.hpp>

#include "ir/type_parser.h"
#include "runtime/value/value.h"
#include "tests/support/value_support.h"

using namespace flowc;
using namespace flowc::runtime;

using test::Types;

namespace {

// The reason `v` does not conform to `t`, or "" if it does.
std::string why_not(const Value& v, const ir::Type* t) {
  std::string why;
  if (conforms(v, t, &why)) return "";
  CHECK(!why.empty());
  return why;
}

// parse_text as canonical text, or "error: ..." .
std::string parsed(const std::string& text, const ir::Type* t) {
  std::string error;
  auto v = parse_text(text, t, &error);
  return v ? canonical(*v) : "error: " + error;
}

std::string read_back(const std::string& text, const ir::Type* t) {
  std::string error;
  auto v = read_value_text(text, t, &error);
  return v ? canonical(*v) : "error: " + error;
}

}  // namespace

// ---- conforms ----------------------------------------------------------------------------

TEST_CASE("scalars conform to their types", "[value]") {
  Types T;
  CHECK(conforms(5, T("int"), nullptr));
  CHECK(conforms(-5, T("int"), nullptr));
  CHECK(conforms(Value::parse("5"), T("int"), nullptr));  // parsed as unsigned
  CHECK(conforms(2.5, T("float"), nullptr));
  CHECK(conforms(2, T("float"), nullptr));  // ints fit floats
  CHECK(conforms(true, T("bool"), nullptr));
  CHECK(conforms("x", T("str"), nullptr));
  CHECK(conforms("", T("str"), nullptr));
  CHECK(conforms("/a/b", T("file"), nullptr));
  CHECK(conforms("d/", T("dir"), nullptr));
  CHECK(conforms(1024, T("size"), nullptr));
  CHECK(conforms(1.5, T("duration"), nullptr));
  CHECK(conforms(30, T("duration"), nullptr));
  CHECK(conforms(nullptr, T("none"), nullptr));
}

TEST_CASE("scalar mismatches say what was expected and found", "[value]") {
  Types T;
  CHECK(why_not("x", T("int")) == "expected int, found \"x\"");
  CHECK(why_not(2.5, T("int")) == "expected int, found 2.5");
  CHECK(why_not(2.0, T("int")) == "expected int, found 2.0");
  CHECK(why_not(Value::parse("18446744073709551615"), T("int")) ==
        "expected int, found 18446744073709551615 (too large)");
  CHECK(why_not(nullptr, T("int")) == "expected int, found null");
  CHECK(why_not("2.5", T("float")) == "expected float, found \"2.5\"");
  CHECK(why_not(1, T("bool")) == "expected bool, found 1");
  CHECK(why_not(1, T("str")) == "expected str, found 1");
  CHECK(why_not(1, T("file")) == "expected file, found 1");
  CHECK(why_not("", T("file")) == "expected file, found \"\" (an empty path)");
  CHECK(why_not("", T("dir")) == "expected dir, found \"\" (an empty path)");
  CHECK(why_not(1.5, T("size")) == "expected size, found 1.5");
  CHECK(why_not("8GiB", T("size")) == "expected size, found \"8GiB\"");
  CHECK(why_not("30s", T("duration")) == "expected duration, found \"30s\"");
  CHECK(why_not(1, T("none")) == "expected none, found 1");
  CHECK(why_not("x", T("stream[str]")) == "a stream[str] is not a value");
}

TEST_CASE("lists, maps, optionals and records conform item by item", "[value]") {
  Types T;
  CHECK(conforms(Value::array(), T("list[int]"), nullptr));
  CHECK(conforms({1, 2}, T("list[float]"), nullptr));
  CHECK(conforms({{1}, Value::array()}, T("list[list[int]]"), nullptr));
  CHECK(conforms(Value::object(), T("map[str, int]"), nullptr));
  CHECK(conforms({{"a", 1}}, T("map[str, int]"), nullptr));
  CHECK(conforms(nullptr, T("int?"), nullptr));
  CHECK(conforms(3, T("int?"), nullptr));
  CHECK(conforms({1, nullptr}, T("list[int?]"), nullptr));
  CHECK(conforms({{"id", "a"}, {"reads", "/r.fq"}}, T("{id: str, reads: file}"), nullptr));
  CHECK(conforms({{"id", "a"}}, T("{id: str, ref: file?}"), nullptr));  // an optional field may be left out
  CHECK(conforms({{"id", "a"}, {"ref", nullptr}}, T("{id: str, ref: file?}"), nullptr));

  CHECK(why_not({1, "x"}, T("list[int]")) == "item 1: expected int, found \"x\"");
  CHECK(why_not({{1}, {2, 3.5}}, T("list[list[int]]")) == "item 1: item 1: expected int, found 3.5");
  CHECK(why_not({{"a", true}}, T("map[str, int]")) == "key \"a\": expected int, found true");
  CHECK(why_not({1, 2}, T("map[str, int]")) == "expected map[str, int], found [1,2]");
  CHECK(why_not("x", T("list[int]")) == "expected list[int], found \"x\"");
  CHECK(why_not("x", T("int?")) == "expected int, found \"x\"");
  CHECK(why_not({{"id", "a"}}, T("{id: str, reads: file}")) == "field `reads`: missing");
  CHECK(why_not({{"id", "a"}, {"reads", "/r"}, {"extra", 1}}, T("{id: str, reads: file}")) ==
        "field `extra`: not a field of {id: str, reads: file}");
  CHECK(why_not({{"id", 1}, {"reads", "/r"}}, T("{id: str, reads: file}")) == "field `id`: expected str, found 1");
  CHECK(why_not({{{"id", "a"}, {"reads", "/r"}}, {{"id", "b"}}}, T("list[{id: str, reads: file}]")) ==
        "item 1: field `reads`: missing");
  CHECK(why_not(Value::array(), T("{id: str}")) == "expected {id: str}, found []");
}

TEST_CASE("conforms accepts a null reason", "[value]") {
  Types T;
  CHECK_FALSE(conforms("x", T("int"), nullptr));
  CHECK(conforms("x", nullptr, nullptr));
}

// ---- coerce ----------------------------------------------------------------------------------

TEST_CASE("coerce turns ints into floats where the type says float or duration", "[value]") {
  Types T;
  CHECK(canonical(coerce(2, T("float"))) == "2.0");
  CHECK(coerce(2, T("float")).is_number_float());
  CHECK(canonical(coerce(30, T("duration"))) == "30.0");
  CHECK(canonical(coerce(2, T("int"))) == "2");
  CHECK(canonical(coerce(2, T("size"))) == "2");
  CHECK(canonical(coerce({1, 2.5}, T("list[float]"))) == "[1.0,2.5]");
  CHECK(canonical(coerce({{"a", 1}}, T("map[str, float]"))) == "{\"a\":1.0}");
  CHECK(canonical(coerce(nullptr, T("float?"))) == "null");
  CHECK(canonical(coerce(3, T("float?"))) == "3.0");
  CHECK(canonical(coerce({{"x", 1}, {"n", 1}}, T("{x: float, n: int}"))) == "{\"n\":1,\"x\":1.0}");
  CHECK(canonical(coerce({{"t", {1, nullptr}}}, T("{t: list[duration?]}"))) == "{\"t\":[1.0,null]}");
  CHECK(canonical(coerce("s", T("str"))) == "\"s\"");
}

TEST_CASE("coerce writes a left-out optional field as null, and unsigned ints as ints", "[value]") {
  Types T;
  CHECK(canonical(coerce({{"id", "a"}}, T("{id: str, ref: file?}"))) == "{\"id\":\"a\",\"ref\":null}");
  Value u = Value::parse("7");
  REQUIRE(u.is_number_unsigned());
  Value i = coerce(u, T("int"));
  CHECK(i.is_number_integer());
  CHECK_FALSE(i.is_number_unsigned());
  // Equal values have equal JSON after coercion.
  CHECK(coerce(Value::parse("{\"a\":[1,2]}"), T("{a: list[float]}")) ==
        coerce(Value::parse("{\"a\":[1.0,2.0]}"), T("{a: list[float]}")));
}

TEST_CASE("coerce in place and coerce agree", "[value]") {
  Types T;
  Value v = {{"a", {1, 2}}};
  Value copy = coerce(v, T("{a: list[float]}"));
  coerce_in_place(v, T("{a: list[float]}"));
  CHECK(canonical(v) == canonical(copy));
}

// ---- parse_text --------------------------------------------------------------------------------

TEST_CASE("parse_text: str is the text itself", "[value]") {
  Types T;
  CHECK(parsed("hello world", T("str")) == "\"hello world\"");
  CHECK(parsed("  padded  ", T("str")) == "\"  padded  \"");
  CHECK(parsed("", T("str")) == "\"\"");
  CHECK(parsed("\"quoted\"", T("str")) == "\"\\\"quoted\\\"\"");
  CHECK(parsed("[1]", T("str")) == "\"[1]\"");
}

TEST_CASE("parse_text: int", "[value]") {
  Types T;
  CHECK(parsed("42", T("int")) == "42");
  CHECK(parsed("-7", T("int")) == "-7");
  CHECK(parsed("+3", T("int")) == "3");
  CHECK(parsed(" 5 ", T("int")) == "5");
  CHECK(parsed("1_000_000", T("int")) == "1000000");
  CHECK(parsed("9223372036854775807", T("int")) == "9223372036854775807");
  CHECK(parsed("-9223372036854775808", T("int")) == "-9223372036854775808");
  CHECK(parsed("12x", T("int")) == "error: expected an int, found `12x`");
  CHECK(parsed("", T("int")) == "error: expected an int, found ``");
  CHECK(parsed("1.5", T("int")) == "error: expected an int, found `1.5`");
  CHECK(parsed("1e3", T("int")) == "error: expected an int, found `1e3`");
  CHECK(parsed("0x10", T("int")) == "error: expected an int, found `0x10`");
  CHECK(parsed("1__0", T("int")) == "error: expected an int, found `1__0`");
  CHECK(parsed("_1", T("int")) == "error: expected an int, found `_1`");
  CHECK(parsed("-", T("int")) == "error: expected an int, found `-`");
  CHECK(parsed("9223372036854775808", T("int")) ==
        "error: expected an int, found `9223372036854775808` (out of the range of a 64-bit integer)");
}

TEST_CASE("parse_text: float", "[value]") {
  Types T;
  CHECK(parsed("2.5", T("float")) == "2.5");
  CHECK(parsed("2", T("float")) == "2.0");
  CHECK(parsed("-0.5", T("float")) == "-0.5");
  CHECK(parsed("1e-3", T("float")) == "0.001");
  CHECK(parsed("1E3", T("float")) == "1000.0");
  CHECK(parsed(".5", T("float")) == "0.5");
  CHECK(parsed(" 3.25\n", T("float")) == "3.25");
  CHECK(parsed("1_000.5", T("float")) == "1000.5");
  CHECK(parsed("inf", T("float")) == "error: expected a float, found `inf`");
  CHECK(parsed("nan", T("float")) == "error: expected a float, found `nan`");
  CHECK(parsed("1.2.3", T("float")) == "error: expected a float, found `1.2.3`");
  CHECK(parsed("1e", T("float")) == "error: expected a float, found `1e`");
  CHECK(parsed("abc", T("float")) == "error: expected a float, found `abc`");
  CHECK(parsed("1e999", T("float")) == "error: expected a float, found `1e999` (out of range)");
}

TEST_CASE("parse_text: bool", "[value]") {
  Types T;
  CHECK(parsed("true", T("bool")) == "true");
  CHECK(parsed("false", T("bool")) == "false");
  CHECK(parsed(" true\n", T("bool")) == "true");
  CHECK(parsed("yes", T("bool")) == "error: expected a bool (true or false), found `yes`");
  CHECK(parsed("True", T("bool")) == "error: expected a bool (true or false), found `True`");
  CHECK(parsed("1", T("bool")) == "error: expected a bool (true or false), found `1`");
}

TEST_CASE("parse_text: size with every unit of the language", "[value]") {
  Types T;
  const ir::Type* s = T("size");
  CHECK(parsed("512", s) == "512");
  CHECK(parsed("0", s) == "0");
  CHECK(parsed("7B", s) == "7");
  CHECK(parsed("1KB", s) == "1000");
  CHECK(parsed("2MB", s) == "2000000");
  CHECK(parsed("3GB", s) == "3000000000");
  CHECK(parsed("4TB", s) == "4000000000000");
  CHECK(parsed("5PB", s) == "5000000000000000");
  CHECK(parsed("1KiB", s) == "1024");
  CHECK(parsed("2MiB", s) == "2097152");
  CHECK(parsed("8GiB", s) == "8589934592");
  CHECK(parsed("1TiB", s) == "1099511627776");
  CHECK(parsed("1PiB", s) == "1125899906842624");
  CHECK(parsed("1.5GiB", s) == "1610612736");
  CHECK(parsed("1.5TB", s) == "1500000000000");
  CHECK(parsed("0.5KiB", s) == "512");
  CHECK(parsed("1.0001KB", s) == "1000");  // rounded to bytes
  CHECK(parsed("1.5", s) == "2");
  CHECK(parsed("1_000KB", s) == "1000000");
  CHECK(parsed("1e3MB", s) == "1000000000");
  CHECK(parsed(" 8GiB\n", s) == "8589934592");
  const std::string expected =
      "expected a size (bytes, or a number with a unit: B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB), found ";
  CHECK(parsed("8gb", s) == "error: " + expected + "`8gb`");
  CHECK(parsed("8 GiB", s) == "error: " + expected + "`8 GiB`");
  CHECK(parsed("-1GB", s) == "error: " + expected + "`-1GB`");
  CHECK(parsed("GB", s) == "error: " + expected + "`GB`");
  CHECK(parsed("8s", s) == "error: " + expected + "`8s`");
  CHECK(parsed("", s) == "error: " + expected + "``");
  CHECK(parsed("9000PB", s) == "9000000000000000000");
  CHECK(parsed("10000PB", s) == "error: " + expected + "`10000PB` (too large)");
  CHECK(parsed("9300.5PB", s) == "error: " + expected + "`9300.5PB` (too large)");
  CHECK(parsed("99999999999999999999", s) == "error: " + expected + "`99999999999999999999` (too large)");
}

TEST_CASE("parse_text: duration with every unit of the language", "[value]") {
  Types T;
  const ir::Type* d = T("duration");
  CHECK(parsed("30", d) == "30.0");
  CHECK(parsed("0.5", d) == "0.5");
  CHECK(parsed("250ms", d) == "0.25");
  CHECK(parsed("30s", d) == "30.0");
  CHECK(parsed("10m", d) == "600.0");
  CHECK(parsed("10min", d) == "600.0");
  CHECK(parsed("2h", d) == "7200.0");
  CHECK(parsed("1d", d) == "86400.0");
  CHECK(parsed("1.5h", d) == "5400.0");
  CHECK(parsed("90m", d) == "5400.0");
  const std::string expected =
      "expected a duration (seconds, or a number with a unit: ms, s, m (minutes), min, h, d), found ";
  CHECK(parsed("10 m", d) == "error: " + expected + "`10 m`");
  CHECK(parsed("10M", d) == "error: " + expected + "`10M`");
  CHECK(parsed("1w", d) == "error: " + expected + "`1w`");
  CHECK(parsed("-5s", d) == "error: " + expected + "`-5s`");
  CHECK(parsed("1GB", d) == "error: " + expected + "`1GB`");
}

TEST_CASE("parse_text: file and dir are paths as given", "[value]") {
  Types T;
  CHECK(parsed("data/in.csv", T("file")) == "\"data/in.csv\"");
  CHECK(parsed("/abs/my file.txt", T("file")) == "\"/abs/my file.txt\"");
  CHECK(parsed("out/", T("dir")) == "\"out/\"");
  CHECK(parsed("", T("file")) == "error: expected a file path, found nothing");
  CHECK(parsed("", T("dir")) == "error: expected a dir path, found nothing");
}

TEST_CASE("parse_text: lists, maps and records are JSON", "[value]") {
  Types T;
  CHECK(parsed("[1, 2, 3]", T("list[int]")) == "[1,2,3]");
  CHECK(parsed("[1, 2.5]", T("list[float]")) == "[1.0,2.5]");
  CHECK(parsed("[\"a.txt\", \"b.txt\"]", T("list[file]")) == "[\"a.txt\",\"b.txt\"]");
  CHECK(parsed("{\"b\": 1, \"a\": 2}", T("map[str, int]")) == "{\"a\":2,\"b\":1}");
  CHECK(parsed("{\"id\": \"s1\", \"reads\": \"s1.fq\"}", T("{id: str, reads: file}")) ==
        "{\"id\":\"s1\",\"reads\":\"s1.fq\"}");
  CHECK(parsed("{\"id\": \"s1\"}", T("{id: str, w: float?}")) == "{\"id\":\"s1\",\"w\":null}");
  // Sizes and durations inside JSON may be written with units.
  CHECK(parsed("[\"1KiB\", 5, \"2MB\"]", T("list[size]")) == "[1024,5,2000000]");
  CHECK(parsed("{\"mem\": \"8GiB\", \"time\": \"90m\", \"n\": 2}", T("{mem: size, time: duration, n: int}")) ==
        "{\"mem\":8589934592,\"n\":2,\"time\":5400.0}");
  CHECK(parsed("[1, \"x\"]", T("list[int]")) == "error: item 1: expected int, found \"x\"");
  CHECK(parsed("[\"8XB\"]", T("list[size]")) == "error: item 0: expected size, found \"8XB\"");
  CHECK(parsed("{\"id\": 1}", T("{id: str}")) == "error: field `id`: expected str, found 1");
  std::string bad = parsed("[1, 2", T("list[int]"));
  CHECK(bad.rfind("error: expected list[int] as JSON, found `[1, 2` (line 1, column 6: syntax error", 0) == 0);
  CHECK(parsed("", T("list[int]")) == "error: expected list[int] as JSON, found nothing");
  CHECK(parsed("1, 2", T("list[int]")).rfind("error: expected list[int] as JSON, found `1, 2`", 0) == 0);
}

TEST_CASE("parse_text: optionals are none, JSON, or the text of the inner type", "[value]") {
  Types T;
  CHECK(parsed("none", T("int?")) == "null");
  CHECK(parsed("null", T("int?")) == "null");
  CHECK(parsed("5", T("int?")) == "5");
  CHECK(parsed("5", T("float?")) == "5.0");
  CHECK(parsed("x", T("int?")) == "error: expected an int, found `x`");
  CHECK(parsed("hello", T("str?")) == "\"hello\"");
  CHECK(parsed("42", T("str?")) == "\"42\"");
  CHECK(parsed("\"quoted\"", T("str?")) == "\"quoted\"");
  CHECK(parsed("8GiB", T("size?")) == "8589934592");
  CHECK(parsed("ref.fa", T("file?")) == "\"ref.fa\"");
  CHECK(parsed("[1,2]", T("list[int]?")) == "[1,2]");
  CHECK(parsed("none", T("list[int]?")) == "null");
  CHECK(parsed("none", T("none")) == "null");
  CHECK(parsed("1", T("none")) == "error: expected none, found `1`");
}

TEST_CASE("parse_text and read_value_text without a type read JSON", "[value]") {
  CHECK(parsed("{\"a\": [1, 2.5]}", nullptr) == "{\"a\":[1,2.5]}");
  CHECK(parsed("[1,", nullptr).rfind("error: expected a value as JSON, found `[1,`", 0) == 0);
  CHECK(read_back("true\n", nullptr) == "true");
  CHECK(read_back("", nullptr) == "error: expected a value as JSON, found nothing");
}

TEST_CASE("parse_text: a stream is no value", "[value]") {
  Types T;
  CHECK(parsed("x", T("stream[str]")) == "error: a stream[str] cannot be given as a value");
}

TEST_CASE("parse_text: long bad text is shortened in the message", "[value]") {
  Types T;
  std::string error = parsed(std::string(200, '7') + "x", T("int"));
  CHECK(error == "error: expected an int, found `" + std::string(60, '7') + "...`");
}

// ---- read_value_text ---------------------------------------------------------------------------

TEST_CASE("read_value_text for every type", "[value]") {
  Types T;
  CHECK(read_back("hello\n", T("str")) == "\"hello\"");
  CHECK(read_back("hello\n\n", T("str")) == "\"hello\\n\"");
  CHECK(read_back("  spaced  ", T("str")) == "\"  spaced  \"");
  CHECK(read_back("", T("str")) == "\"\"");
  CHECK(read_back(" 42\n", T("int")) == "42");
  CHECK(read_back("\t-3 \r\n", T("int")) == "-3");
  CHECK(read_back("2.5\n", T("float")) == "2.5");
  CHECK(read_back("7\n", T("float")) == "7.0");
  CHECK(read_back("true\n", T("bool")) == "true");
  CHECK(read_back("1024\n", T("size")) == "1024");
  CHECK(read_back("4GiB\n", T("size")) == "4294967296");
  CHECK(read_back("12.5\n", T("duration")) == "12.5");
  CHECK(read_back("2h\n", T("duration")) == "7200.0");
  CHECK(read_back("/out/x.txt\n", T("file")) == "\"/out/x.txt\"");
  CHECK(read_back("results/\n", T("dir")) == "\"results/\"");
  CHECK(read_back("[1, 2]\n", T("list[int]")) == "[1,2]");
  CHECK(read_back("{\"a\": 1}", T("map[str, float]")) == "{\"a\":1.0}");
  CHECK(read_back("{\"id\": \"x\", \"n\": 3}\n", T("{id: str, n: int}")) == "{\"id\":\"x\",\"n\":3}");
  CHECK(read_back("", T("int?")) == "null");
  CHECK(read_back("\n", T("int?")) == "null");
  CHECK(read_back("null\n", T("int?")) == "null");
  CHECK(read_back("5\n", T("int?")) == "5");
  CHECK(read_back("text\n", T("str?")) == "\"text\"");
  CHECK(read_back("", T("list[int]?")) == "null");
  CHECK(read_back("[3]", T("list[int]?")) == "[3]");
}

TEST_CASE("read_value_text failures name the expected type", "[value]") {
  Types T;
  CHECK(read_back("abc\n", T("int")) == "error: expected an int, found `abc`");
  CHECK(read_back("", T("int")) == "error: expected an int, found ``");
  CHECK(read_back("maybe", T("bool")) == "error: expected a bool (true or false), found `maybe`");
  CHECK(read_back("1.5.1", T("float")) == "error: expected a float, found `1.5.1`");
  CHECK(read_back("\n", T("file")) == "error: expected a file path, found nothing");
  CHECK(read_back("[1, \"a\"]", T("list[int]")) == "error: item 1: expected int, found \"a\"");
  CHECK(read_back("", T("list[int]")) == "error: expected list[int] as JSON, found nothing");
  CHECK(read_back("x", T("stream[int]")) == "error: a stream[int] cannot be read as a value");
}

// ---- paths in values ----------------------------------------------------------------------------

TEST_CASE("for_each_path visits every file and dir, in order", "[value]") {
  Types T;
  const ir::Type* t = T("{a: file, b: list[dir], c: map[str, file?], d: int, e: {f: file}?, g: str}");
  Value v = {{"a", "/a"}, {"b", {"/b1", "/b2"}}, {"c", {{"y", "/cy"}, {"x", nullptr}, {"z", "/cz"}}},
             {"d", 4},    {"e", {{"f", "/ef"}}}, {"g", "/not/a/path"}};
  std::vector<std::pair<std::string, bool>> seen;
  for_each_path(v, t, [&](const std::string& p, bool is_dir) { seen.emplace_back(p, is_dir); });
  std::vector<std::pair<std::string, bool>> expected = {{"/a", false},  {"/b1", true},  {"/b2", true},
                                                        {"/cy", false}, {"/cz", false}, {"/ef", false}};
  CHECK(seen == expected);

  seen.clear();
  for_each_path(nullptr, T("file?"), [&](const std::string& p, bool d) { seen.emplace_back(p, d); });
  for_each_path({{"e", nullptr}}, T("{e: {f: file}?}"), [&](const std::string& p, bool d) { seen.emplace_back(p, d); });
  CHECK(seen.empty());
}

TEST_CASE("map_paths replaces every path and nothing else", "[value]") {
  Types T;
  const ir::Type* t = T("{a: file, b: list[dir], c: map[str, file?], n: int, s: str}");
  Value v = {{"a", "a"}, {"b", {"b1"}}, {"c", {{"k", "c"}, {"o", nullptr}}}, {"n", 1}, {"s", "s"}};
  Value out = map_paths(v, t, [](const std::string& p) { return "/work/" + p; });
  CHECK(canonical(out) ==
        "{\"a\":\"/work/a\",\"b\":[\"/work/b1\"],\"c\":{\"k\":\"/work/c\",\"o\":null},\"n\":1,\"s\":\"s\"}");
  CHECK(canonical(v) == "{\"a\":\"a\",\"b\":[\"b1\"],\"c\":{\"k\":\"c\",\"o\":null},\"n\":1,\"s\":\"s\"}");
  CHECK(map_paths("x", T("file"), [](const std::string& p) { return p + "!"; }) == "x!");
  CHECK(map_paths(nullptr, T("file?"), [](const std::string& p) { return p + "!"; }).is_null());
}

// ---- canonical, describe, equality ------------------------------------------------------------------

TEST_CASE("canonical: sorted keys, no whitespace, ints distinct from floats", "[value]") {
  Value v = Value::parse(R"({ "b": [1, 2.0, 2.5], "a": { "z": null, "y": true }, "c": "s" })");
  CHECK(canonical(v) == R"({"a":{"y":true,"z":null},"b":[1,2.0,2.5],"c":"s"})");
  CHECK(canonical(2) == "2");
  CHECK(canonical(2.0) == "2.0");
  CHECK(canonical(-2.0) == "-2.0");
  CHECK(canonical(Value::parse("7")) == "7");
  CHECK(canonical(Value::parse("18446744073709551615")) == "18446744073709551615");
  CHECK(canonical(INT64_MIN) == "-9223372036854775808");
  CHECK(canonical(Value::array()) == "[]");
  CHECK(canonical(Value::object()) == "{}");
  CHECK(canonical(nullptr) == "null");
  CHECK(canonical(false) == "false");
}

TEST_CASE("canonical: floats in shortest round-trip form, the same everywhere", "[value]") {
  CHECK(canonical(0.1) == "0.1");
  CHECK(canonical(0.1 + 0.2) == "0.30000000000000004");
  CHECK(canonical(1.0 / 3.0) == "0.3333333333333333");
  CHECK(canonical(1e20) == "1e+20");
  CHECK(canonical(1e-7) == "1e-07");
  CHECK(canonical(123456789.0) == "123456789.0");
  CHECK(canonical(1e16) == "1e+16");
  CHECK(canonical(5e-324) == "5e-324");
  CHECK(canonical(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(canonical(-0.0) == "0.0");  // equal to 0.0, so it must hash the same
  CHECK(canonical(Value::parse("2.50")) == "2.5");
  // Parsing the canonical text gives the same value back.
  for (double d : {0.1, 1.0 / 3.0, 1e20, 1e-7, 2.0, 123.456, 6.02214076e23}) {
    Value back = Value::parse(canonical(d));
    CHECK(back.get<double>() == d);
    CHECK(back.is_number_float());
  }
}

TEST_CASE("canonical: strings escaped exactly once, UTF-8 kept, invalid bytes kept distinct", "[value]") {
  CHECK(canonical("a\"b\\c") == R"("a\"b\\c")");
  CHECK(canonical("\n\t\r\b\f") == R"("\n\t\r\b\f")");
  CHECK(canonical(std::string("\x01\x1f", 2)) == R"("\u0001\u001f")");
  CHECK(canonical(std::string("\0", 1)) == R"("\u0000")");
  CHECK(canonical("h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80") == "\"h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80\"");
  CHECK(canonical("/") == "\"/\"");
  CHECK(canonical("\x7f") == "\"\x7f\"");
  // Bytes that are not UTF-8 neither throw nor collide.
  CHECK(canonical("a\xff") == R"("a\udcff")");
  CHECK(canonical("\xC3") == R"("\udcc3")");
  CHECK(canonical("\xC3\xA9") != canonical("\xC3\xC3"));
  CHECK(canonical("\xED\xA0\x80") == R"("\udced\udca0\udc80")");  // an encoded surrogate is not UTF-8
  CHECK(canonical(Value{{"k\xff", 1}}) == R"({"k\udcff":1})");
  // Equal to nlohmann's own output for valid text.
  Value text = "tab\there \"q\" \\ \xC3\xA9 \x01";
  CHECK(canonical(text) == text.dump());
}

TEST_CASE("canonical after coerce: a float-typed 2 is 2.0", "[value]") {
  Types T;
  const ir::Type* t = T("{n: int, x: float, d: duration, s: size}");
  Value v = Value::parse(R"({"x": 2, "n": 2, "d": 60, "s": 1024})");
  CHECK(canonical(coerce(v, t)) == R"({"d":60.0,"n":2,"s":1024,"x":2.0})");
  CHECK(canonical(coerce(v, t)) == canonical(coerce(Value::parse(R"({"s":1024,"d":60.0,"x":2.0,"n":2})"), t)));
}

TEST_CASE("describe quotes strings and shortens long values", "[value]") {
  CHECK(describe("x") == "\"x\"");
  CHECK(describe(5) == "5");
  CHECK(describe(2.0) == "2.0");
  CHECK(describe(nullptr) == "null");
  CHECK(describe({1, 2}) == "[1,2]");
  CHECK(describe(std::string(100, 'a'), 10) == "\"aaaaaaaaa...");
  CHECK(describe("\xE2\x9C\x93\xE2\x9C\x93\xE2\x9C\x93", 5) == "\"\xE2\x9C\x93...");  // never cuts a character
  CHECK(describe("bad \xff") == "\"bad \xEF\xBF\xBD\"");                              // never throws
}

TEST_CASE("values_equal compares numbers by value, everything else deeply", "[value]") {
  CHECK(values_equal(2, 2.0));
  CHECK(values_equal(Value::parse("2"), -(-2)));
  CHECK_FALSE(values_equal(2, 2.5));
  CHECK(values_equal({1, {{"a", 2}}}, {1.0, {{"a", 2.0}}}));
  CHECK_FALSE(values_equal({1, 2}, {1, 2, 3}));
  CHECK_FALSE(values_equal({{"a", 1}}, {{"b", 1}}));
  CHECK_FALSE(values_equal({{"a", 1}}, {{"a", 1}, {"b", 2}}));
  CHECK_FALSE(values_equal("1", 1));
  CHECK(values_equal(nullptr, nullptr));
  CHECK_FALSE(values_equal(nullptr, 0));
  CHECK_FALSE(values_equal(9007199254740993LL, 9007199254740992.0));  // exact, past 2^53
  CHECK(values_equal(Value::parse("18446744073709551615"), Value::parse("18446744073709551615")));
}

TEST_CASE("compare_numbers orders ints and floats exactly", "[value]") {
  CHECK(compare_numbers(1, 2) == -1);
  CHECK(compare_numbers(2, 2.0) == 0);
  CHECK(compare_numbers(2.5, 2) == 1);
  CHECK(compare_numbers(-1, Value::parse("1")) == -1);
  CHECK(compare_numbers(Value::parse("18446744073709551615"), INT64_MAX) == 1);
  CHECK(compare_numbers(INT64_MAX, 9.3e18) == -1);
  CHECK(compare_numbers(INT64_MIN, -9.3e18) == 1);
  CHECK(compare_numbers(3, -0.5) == 1);
  CHECK(compare_numbers(-3, -2.5) == -1);
  CHECK_FALSE(compare_numbers("1", 1).has_value());
  CHECK_FALSE(compare_numbers(1, std::nan("")).has_value());
}

TEST_CASE("float_text", "[value]") {
  CHECK(float_text(2.0) == "2.0");
  CHECK(float_text(0.25) == "0.25");
  CHECK(float_text(-3.0) == "-3.0");
  CHECK(float_text(1e100) == "1e+100");
  CHECK(float_text(100.0) == "100.0");
}

// ---- hostile text (issue 15) ----------------------------------------------------------------------

TEST_CASE("parse_text refuses text that is not UTF-8, saying where", "[value][hostile]") {
  Types T;
  std::string error;
  CHECK_FALSE(parse_text("ab\xff", T("str"), &error));
  CHECK(error == "not UTF-8 text (byte 0xFF at byte 3); flowc's values are UTF-8");
  CHECK_FALSE(parse_text("/data/caf\xc3\x28", T("file"), &error));
  CHECK(error.find("byte 0xC3 at byte 10") != std::string::npos);
  CHECK_FALSE(parse_text("[\"\xed\xa0\x80\"]", T("list[str]"), &error));  // a surrogate
  CHECK(parse_text("h\xc3\xa9llo", T("str"), &error));
}

TEST_CASE("a value output that is not UTF-8 is refused, not stored", "[value][hostile]") {
  Types T;
  std::string error;
  CHECK_FALSE(read_value_text("\x80\n", T("str"), &error));
  CHECK(error.find("not UTF-8 text (byte 0x80 at byte 1)") != std::string::npos);
  CHECK_FALSE(read_value_text("\xfe", T("str?"), &error));
}

TEST_CASE("JSON nested deeper than 2000 levels is refused before it is built", "[value][hostile]") {
  Types T;
  std::string error;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK_FALSE(parse_text(deep, T("list[list[int]]"), &error));
  CHECK(error.find("line 1, column 2001: nested more than 2000 levels deep") != std::string::npos);
  CHECK_FALSE(read_value_text(deep, T("list[int]"), &error));
  // 2000 levels are fine (and the value is simply the wrong type here).
  std::string ok = std::string(2000, '[') + std::string(2000, ']');
  CHECK_FALSE(parse_text(ok, T("list[int]"), &error));
  CHECK(error.find("nested") == std::string::npos);
}
