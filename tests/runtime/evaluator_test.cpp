// The evaluator: every kind of expression, every operator, every builtin
// overload, and every kind of failure. Most expressions are compiled from
// tiny .flow programs with the real compiler; a few malformed ones (which
// the checker would refuse) are built by hand.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>

#include <catch2/catch.hpp>

#include "ir/builtins.h"
#include "ir/type_parser.h"
#include "runtime/eval/evaluator.h"
#include "tests/support/test_support.h"
#include "tests/support/value_support.h"

using namespace flowc;
using namespace flowc::runtime;
namespace fs = std::filesystem;

using test::compile_ok;
using test::Vars;

namespace {

// `workflow w(PARAMS) -> (o: TYPE) { return (o = EXPR) }`, its output evaluated.
Evaluated<Value> run(const std::string& params, const std::string& type, const std::string& expr, const Vars& vars = {},
                     EvalOptions options = {}) {
  auto c = compile_ok(fmt::format("workflow w({}) -> (o: {}) {{\n  return (o = {})\n}}\n", params, type, expr));
  Evaluator evaluator(*c->program, std::move(options));
  const auto& out = c->program->workflows.at(0).outputs.at(0);
  REQUIRE(out.value.has_value());
  return evaluator.eval(*out.value, vars);
}

Value value_of(const Evaluated<Value>& r) {
  if (auto* f = std::get_if<EvalFailure>(&r)) FAIL("evaluation failed: " << f->message);
  return std::get<Value>(r);
}

EvalFailure failure_of(const Evaluated<Value>& r) {
  if (auto* v = std::get_if<Value>(&r)) FAIL("expected a failure, got " << v->dump());
  return std::get<EvalFailure>(r);
}

// The canonical text of the value, so that 2 and 2.0 differ.
std::string ev(const std::string& params, const std::string& type, const std::string& expr, const Vars& vars = {},
               EvalOptions options = {}) {
  return canonical(value_of(run(params, type, expr, vars, std::move(options))));
}

std::string ev(const std::string& type, const std::string& expr) { return ev("", type, expr); }

EvalFailure fails(const std::string& params, const std::string& type, const std::string& expr, const Vars& vars = {},
                  EvalOptions options = {}) {
  return failure_of(run(params, type, expr, vars, std::move(options)));
}

// A temporary folder, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    char name[] = "/tmp/flowc-eval-test-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path = name;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& content) const {
    fs::path p = path / name;
    fs::create_directories(p.parent_path());
    test::write_file(p.string(), content);
    return p.string();
  }
};

const ir::Type* parse(ir::TypeTable& t, const std::string& text) {
  std::string error;
  const ir::Type* type = ir::parse_type(text, t, nullptr, &error);
  INFO(text << ": " << error);
  REQUIRE(type);
  return type;
}

}  // namespace

// ---- literals, names, fields, indexing ------------------------------------------------

TEST_CASE("literals of every type", "[eval]") {
  CHECK(ev("int", "42") == "42");
  CHECK(ev("int", "1_000_000") == "1000000");
  CHECK(ev("float", "2.5") == "2.5");
  CHECK(ev("float", "2.0") == "2.0");
  CHECK(ev("float", "1e-3") == "0.001");
  CHECK(ev("bool", "true") == "true");
  CHECK(ev("str", "\"a \\\"b\\\"\\n\"") == "\"a \\\"b\\\"\\n\"");
  CHECK(ev("str", "\"\"\"\n    two\n    lines\n    \"\"\"") == "\"two\\nlines\"");
  CHECK(ev("int?", "none") == "null");
  CHECK(ev("size", "8GiB") == "8589934592");
  CHECK(ev("size", "1.5KB") == "1500");
  CHECK(ev("duration", "90m") == "5400.0");
  CHECK(ev("duration", "250ms") == "0.25");
  CHECK(ev("duration", "1d") == "86400.0");
}

TEST_CASE("an int where the type says float becomes a float", "[eval]") {
  // The result of every expression is coerced to its own type...
  CHECK(ev("x: float", "float", "x", {{"x", 3}}) == "3.0");
  CHECK(ev("list[float]", "[1, 2.5]") == "[1.0,2.5]");
  CHECK(ev("map[str, float]", "{ \"k\": 1, \"l\": 0.5 }") == "{\"k\":1.0,\"l\":0.5}");
  CHECK(ev("x: int?", "float", "x ?? 0.5", {{"x", 7}}) == "7.0");
  CHECK(ev("x: int", "list[list[float]]", "[[x], [0.5]]", {{"x", 1}}) == "[[1.0],[0.5]]");
  CHECK(ev("r: {a: float}", "float", "r.a", {{"r", {{"a", 2}}}}) == "2.0");
  // ...not to the type of the port it is given to: `o: float = 2` is an int
  // expression, which the caller coerces to the port's type.
  auto c = compile_ok("workflow w() -> (o: float) { return (o = 2) }");
  const ir::Port& port = c->program->workflows[0].outputs[0];
  Evaluator evaluator(*c->program, {});
  Value v = value_of(evaluator.eval(*port.value, Vars{}));
  CHECK(canonical(v) == "2");
  CHECK(canonical(coerce(v, port.type)) == "2.0");
}

TEST_CASE("file and dir literals are paths made absolute against the base dir", "[eval]") {
  EvalOptions options;
  options.base_dir = "/base/flows";
  CHECK(ev("", "file", "\"data/in.csv\"", {}, options) == "\"/base/flows/data/in.csv\"");
  CHECK(ev("", "file", "\"./a/../b/./c.txt\"", {}, options) == "\"/base/flows/b/c.txt\"");
  CHECK(ev("", "file", "\"../up.txt\"", {}, options) == "\"/base/up.txt\"");
  CHECK(ev("", "file", "\"/abs//x/../y.txt\"", {}, options) == "\"/abs/y.txt\"");
  CHECK(ev("", "dir", "\"out/\"", {}, options) == "\"/base/flows/out\"");
  CHECK(ev("", "file?", "\"maybe.txt\"", {}, options) == "\"/base/flows/maybe.txt\"");
  CHECK(ev("", "list[file]", "[\"a\", \"/b\"]", {}, options) == "[\"/base/flows/a\",\"/b\"]");
  CHECK(ev("", "file", "\"s3://bucket/../key\"", {}, options) == "\"s3://bucket/../key\"");
  // A relative base dir is taken against the working directory.
  options.base_dir = "rel";
  CHECK(ev("", "file", "\"x.txt\"", {}, options) == canonical(Value((fs::current_path() / "rel/x.txt").string())));
  // A plain str is not a path.
  CHECK(ev("", "str", "\"a/../b\"", {}, options) == "\"a/../b\"");
}

TEST_CASE("an empty path literal is a failure", "[eval]") {
  ir::TypeTable t;
  ir::Program program;
  Evaluator evaluator(program, {});
  auto f = failure_of(evaluator.eval(ir::Expr::literal("", t.file()), Vars{}));
  CHECK(f.message == "an empty path is not a file or directory");
}

TEST_CASE("names are read from the scope, a missing one is a failure", "[eval]") {
  CHECK(ev("x: int", "int", "x", {{"x", 5}}) == "5");
  CHECK(ev("x: list[str]", "list[str]", "x", {{"x", {"a", "b"}}}) == "[\"a\",\"b\"]");
  auto f = fails("x: int", "int", "x", {});
  CHECK(f.message == "`x` has no value");
}

TEST_CASE("fields of records and of call outputs", "[eval]") {
  CHECK(ev("s: {id: str, n: int}", "str", "s.id", {{"s", {{"id", "a"}, {"n", 1}}}}) == "\"a\"");
  CHECK(ev("s: {inner: {v: float}}", "float", "s.inner.v", {{"s", {{"inner", {{"v", 2}}}}}}) == "2.0");

  const char* program = R"FLOW(
op greet(name: str) -> (msg: file) { run "echo hi > ${msg}" }
workflow w() -> (o: file, p: file?) {
  g = greet(name = "a")
  h = greet(name = "b") with { optional = true }
  return (o = g.msg, p = h.msg)
}
)FLOW";
  auto c = compile_ok(program);
  Evaluator evaluator(*c->program, {});
  const auto& wf = c->program->workflows.at(0);
  Vars vars{{"g", {{"msg", "/w/1/msg"}}}, {"h", {{"msg", nullptr}}}};
  CHECK(value_of(evaluator.eval(*wf.outputs[0].value, vars)) == "/w/1/msg");
  CHECK(value_of(evaluator.eval(*wf.outputs[1].value, vars)).is_null());
  // A failed optional call bound as a whole absent record: its fields are absent too?
  // No: reading a field of an absent value is a failure that says so.
  vars.values["h"] = nullptr;
  auto f = failure_of(evaluator.eval(*wf.outputs[1].value, vars));
  CHECK(f.message == "`h` is absent, so it has no field `msg`");
}

TEST_CASE("a field of something that is not a record is a failure", "[eval]") {
  ir::TypeTable t;
  ir::Program program;
  Evaluator evaluator(program, {});
  ir::Expr member;
  member.kind = ir::Expr::Kind::Member;
  member.name = "id";
  member.type = t.str();
  member.args.push_back(ir::Expr::var("s", t.record({{"id", t.str()}})));
  CHECK(failure_of(evaluator.eval(member, Vars{{"s", 5}})).message ==
        "`s` is not a record, so it has no field `id` (it is 5)");
  CHECK(failure_of(evaluator.eval(member, Vars{{"s", Value::object()}})).message == "`s` has no field `id`");
  member.type = t.optional(t.str());  // a left-out optional field is absent
  CHECK(value_of(evaluator.eval(member, Vars{{"s", Value::object()}})).is_null());
}

TEST_CASE("indexing lists and maps", "[eval]") {
  Vars vars{{"xs", {10, 20, 30}}, {"m", {{"a", 1}, {"c", 3}}}, {"i", 2}};
  CHECK(ev("xs: list[int]", "int", "xs[0]", vars) == "10");
  CHECK(ev("xs: list[int], i: int", "int", "xs[i]", vars) == "30");
  CHECK(ev("m: map[str, int]", "int", "m[\"c\"]", vars) == "3");
  CHECK(ev("xs: list[int]", "list[int]", "[xs[1], xs[2]]", vars) == "[20,30]");
}

TEST_CASE("an index out of range or a missing key is a failure naming it", "[eval]") {
  Vars vars{{"xs", {10, 20, 30}}, {"m", {{"a", 1}, {"c", 3}}}, {"i", -1}, {"e", Value::object()}};
  auto past = fails("xs: list[int]", "int", "xs[5]", vars);
  CHECK(past.message == "index 5 is past the end of a list of 3 items");
  CHECK(past.loc.line == 2);
  CHECK(past.loc.column == 15);
  CHECK(fails("xs: list[int]", "int", "xs[3]", vars).message == "index 3 is past the end of a list of 3 items");
  CHECK(fails("xs: list[int], i: int", "int", "xs[i]", vars).message ==
        "index -1 is negative (`xs` is a list of 3 items)");
  CHECK(fails("xs: list[int]", "int", "[xs[0]][1]", vars).message == "index 1 is past the end of a list of 1 item");
  CHECK(fails("m: map[str, int]", "int", "m[\"b\"]", vars).message ==
        "key \"b\" is not in `m` (its keys: \"a\", \"c\")");
  CHECK(fails("e: map[str, int]", "int", "e[\"b\"]", vars).message == "key \"b\" is not in `e` (the map is empty)");
}

// ---- operators --------------------------------------------------------------------------

TEST_CASE("int arithmetic stays int, / truncates toward zero, % is C++'s", "[eval]") {
  Vars v{{"a", 7}, {"b", 2}, {"n", -7}, {"m", -2}};
  CHECK(ev("a: int, b: int", "int", "a + b", v) == "9");
  CHECK(ev("a: int, b: int", "int", "a - b", v) == "5");
  CHECK(ev("a: int, b: int", "int", "a * b", v) == "14");
  CHECK(ev("a: int, b: int", "int", "a / b", v) == "3");
  CHECK(ev("n: int, b: int", "int", "n / b", v) == "-3");
  CHECK(ev("a: int, m: int", "int", "a / m", v) == "-3");
  CHECK(ev("a: int, b: int", "int", "a % b", v) == "1");
  CHECK(ev("n: int, b: int", "int", "n % b", v) == "-1");
  CHECK(ev("a: int, m: int", "int", "a % m", v) == "1");
  CHECK(ev("a: int, b: int", "int", "a * 2 + b * 3 - 1", v) == "19");
}

TEST_CASE("the brief's example: x * 2 + 1", "[eval]") {
  auto c = compile_ok("workflow w(x: int) -> (o: int) { return (o = x * 2 + 1) }");
  Evaluator evaluator(*c->program, {});
  CHECK(value_of(evaluator.eval(*c->program->workflows[0].outputs[0].value, Vars{{"x", 20}})) == 41);
}

TEST_CASE("any float makes the arithmetic float", "[eval]") {
  Vars v{{"a", 7}, {"f", 2.0}, {"g", 0.5}};
  CHECK(ev("a: int, f: float", "float", "a / f", v) == "3.5");
  CHECK(ev("a: int, f: float", "float", "a + f", v) == "9.0");
  CHECK(ev("f: float, g: float", "float", "f - g", v) == "1.5");
  CHECK(ev("f: float, g: float", "float", "f * g", v) == "1.0");
  CHECK(ev("a: int", "float", "float(a) / 2", v) == "3.5");
  CHECK(ev("a: int", "float", "a * 1.5", v) == "10.5");
}

TEST_CASE("division and remainder by zero are failures", "[eval]") {
  Vars v{{"a", 7}, {"z", 0}, {"fz", 0.0}};
  auto f = fails("a: int, z: int", "int", "a / z", v);
  CHECK(f.message == "division by zero: `z` is 0");
  CHECK(f.loc.line == 2);
  CHECK(f.loc.column == 15);
  CHECK(fails("a: int, z: int", "int", "a % z", v).message == "remainder of a division by zero: `z` is 0");
  CHECK(fails("a: int, fz: float", "float", "a / fz", v).message == "division by zero: `fz` is 0");
  CHECK(fails("fz: float", "float", "1.5 / fz", v).message == "division by zero: `fz` is 0");
}

TEST_CASE("int overflow is a failure, not a wrap", "[eval]") {
  Vars v{{"big", INT64_MAX}, {"small", INT64_MIN}, {"m1", -1}};
  CHECK(fails("big: int", "int", "big + 1", v).message == "the result of `big + 1` does not fit in a 64-bit integer");
  CHECK(fails("small: int", "int", "small - 1", v).message.find("does not fit") != std::string::npos);
  CHECK(fails("big: int", "int", "big * 2", v).message.find("does not fit") != std::string::npos);
  CHECK(fails("small: int, m1: int", "int", "small / m1", v).message.find("does not fit") != std::string::npos);
  CHECK(ev("small: int, m1: int", "int", "small % m1", v) == "0");
  CHECK(fails("small: int", "int", "-small", v).message == "the result of `-small` does not fit in a 64-bit integer");
  CHECK(fails("big: float", "float",
              "big * big * big * big * big * big * big * big * big * big * big * big * big * big * big * big * big",
              Vars{{"big", 1e300}})
            .message.find("too large for a float") != std::string::npos);
}

TEST_CASE("size arithmetic", "[eval]") {
  Vars v{{"s", 1000}, {"t", 3000}, {"n", 3}, {"ten", 10}};
  CHECK(ev("s: size, t: size", "size", "s + t", v) == "4000");
  CHECK(ev("s: size, t: size", "size", "t - s", v) == "2000");
  CHECK(ev("s: size", "size", "s * 2", v) == "2000");
  CHECK(ev("s: size", "size", "2 * s", v) == "2000");
  CHECK(ev("s: size", "size", "s * 1.5", v) == "1500");
  CHECK(ev("", "size", "3B * 0.5", v) == "2");  // 1.5 bytes rounds to 2
  CHECK(ev("", "size", "1GiB * 0.25", v) == "268435456");
  CHECK(ev("s: size", "size", "s / 8", v) == "125");
  CHECK(ev("ten: size", "size", "ten / 4", v) == "3");  // 2.5 bytes: halves away from zero
  CHECK(ev("ten: size", "size", "ten / 3", v) == "3");
  CHECK(ev("ten: size", "size", "-ten / 4", v) == "-3");
  CHECK(ev("ten: size", "size", "ten / 2.5", v) == "4");
  CHECK(ev("s: size, t: size", "float", "t / s", v) == "3.0");
  CHECK(ev("s: size, t: size", "float", "s / t", v) == canonical(Value(1000.0 / 3000.0)));
  CHECK(ev("s: size", "size", "-s", v) == "-1000");
  CHECK(ev("", "size", "1GB + 512MB", v) == "1512000000");
  CHECK(fails("s: size, n: int", "size", "s / (n - 3)", v).message == "division by zero: `n - 3` is 0");
  CHECK(fails("s: size", "size", "s * 1e300", v).message.find("does not fit") != std::string::npos);
}

TEST_CASE("duration arithmetic", "[eval]") {
  Vars v{{"d", 90.0}, {"e", 30}, {"n", 4}};
  CHECK(ev("d: duration, e: duration", "duration", "d + e", v) == "120.0");
  CHECK(ev("d: duration, e: duration", "duration", "d - e", v) == "60.0");
  CHECK(ev("d: duration", "duration", "d * 2", v) == "180.0");
  CHECK(ev("d: duration", "duration", "0.5 * d", v) == "45.0");
  CHECK(ev("d: duration, n: int", "duration", "d / n", v) == "22.5");
  CHECK(ev("e: duration, n: int", "duration", "e / n", v) == "7.5");  // an int-valued duration still divides exactly
  CHECK(ev("d: duration, e: duration", "float", "d / e", v) == "3.0");
  CHECK(ev("d: duration", "duration", "-d", v) == "-90.0");
  CHECK(ev("", "duration", "1h + 30m", v) == "5400.0");
  CHECK(fails("d: duration, n: int", "duration", "d / (n - 4)", v).message == "division by zero: `n - 4` is 0");
}

TEST_CASE("strings and lists concatenate with +", "[eval]") {
  Vars v{{"a", "ab"}, {"b", "cd"}, {"xs", {1, 2}}, {"ys", {3}}};
  CHECK(ev("a: str, b: str", "str", "a + b", v) == "\"abcd\"");
  CHECK(ev("a: str", "str", "a + \"\"", v) == "\"ab\"");
  CHECK(ev("xs: list[int], ys: list[int]", "list[int]", "xs + ys", v) == "[1,2,3]");
  CHECK(ev("xs: list[int]", "list[float]", "xs + [2.5]", v) == "[1.0,2.0,2.5]");
  CHECK(ev("xs: list[int]", "list[int]", "xs + []", v) == "[1,2]");
}

TEST_CASE("str + an absent str is absent, on either side", "[eval]") {
  Vars absent{{"r", nullptr}, {"s", "x"}};
  Vars present{{"r", "ref.fa"}, {"s", "x"}};
  CHECK(ev("r: str?", "str?", "\"--ref=\" + r", absent) == "null");
  CHECK(ev("r: str?", "str?", "r + \".idx\"", absent) == "null");
  CHECK(ev("r: str?, s: str", "str?", "s + r + s", absent) == "null");
  CHECK(ev("r: str?", "str?", "\"--ref=\" + r", present) == "\"--ref=ref.fa\"");
  CHECK(ev("r: str?", "str", "(\"--ref=\" + r) ?? \"none\"", absent) == "\"none\"");
}

TEST_CASE("comparisons of numbers, strings, sizes and durations", "[eval]") {
  Vars v{{"i", 2}, {"f", 2.5}, {"g", 2.0}, {"a", "apple"}, {"b", "banana"}, {"B", "Banana"}};
  CHECK(ev("i: int, f: float", "bool", "i < f", v) == "true");
  CHECK(ev("i: int, f: float", "bool", "f <= i", v) == "false");
  CHECK(ev("i: int, g: float", "bool", "i <= g", v) == "true");
  CHECK(ev("i: int, g: float", "bool", "i >= g", v) == "true");
  CHECK(ev("i: int, g: float", "bool", "i > g", v) == "false");
  CHECK(ev("i: int", "bool", "i > 1", v) == "true");
  CHECK(ev("a: str, b: str", "bool", "a < b", v) == "true");
  CHECK(ev("a: str, b: str", "bool", "b <= a", v) == "false");
  CHECK(ev("a: str, B: str", "bool", "B < a", v) == "true");  // bytes: uppercase first
  CHECK(ev("a: str", "bool", "a < \"apples\"", v) == "true");
  CHECK(ev("", "bool", "1GB < 1GiB") == "true");
  CHECK(ev("", "bool", "2KiB >= 2048B") == "true");
  CHECK(ev("", "bool", "90m > 1h") == "true");
  CHECK(ev("", "bool", "500ms < 1s") == "true");
  CHECK(ev("", "bool", "2h <= 120m") == "true");
  // Exact across int and float, even past 2^53.
  Vars big{{"n", 9007199254740993LL}, {"x", 9007199254740992.0}};
  CHECK(ev("n: int, x: float", "bool", "n > x", big) == "true");
}

TEST_CASE("== and != are deep, and 2 == 2.0", "[eval]") {
  Vars v{{"i", 2}, {"f", 2.0}, {"r", {{"a", 1}, {"b", {1, 2}}}}, {"n", nullptr}, {"s", "x"}};
  CHECK(ev("i: int, f: float", "bool", "i == f", v) == "true");
  CHECK(ev("i: int, f: float", "bool", "i != f", v) == "false");
  CHECK(ev("r: {a: int, b: list[int]}", "bool", "r == { a = 1, b = [1, 2] }", v) == "true");
  CHECK(ev("r: {a: int, b: list[int]}", "bool", "r == { a = 1, b = [2, 1] }", v) == "false");
  CHECK(ev("r: {a: int, b: list[int]}", "bool", "r != { a = 1, b = [1] }", v) == "true");
  CHECK(ev("", "bool", "[1, 2] == [1.0, 2.0]") == "true");
  CHECK(ev("n: int?", "bool", "n == none", v) == "true");
  CHECK(ev("n: int?", "bool", "n != 1", v) == "true");
  CHECK(ev("i: int?", "bool", "i == none", v) == "false");
  CHECK(ev("s: str", "bool", "s == \"x\"", v) == "true");
  CHECK(ev("", "bool", "{ \"a\": 1 } == { \"a\": 1 }") == "true");
  CHECK(ev("", "bool", "1GiB == 1024MiB") == "true");
}

TEST_CASE("&& and || short-circuit, ! negates", "[eval]") {
  Vars v{{"z", 0}, {"t", true}, {"f", false}};
  CHECK(ev("z: int", "bool", "false && (1 / z == 0)", v) == "false");
  CHECK(ev("z: int", "bool", "true || (1 / z == 0)", v) == "true");
  CHECK(fails("z: int", "bool", "true && (1 / z == 0)", v).message == "division by zero: `z` is 0");
  CHECK(fails("z: int", "bool", "false || (1 / z == 0)", v).message == "division by zero: `z` is 0");
  CHECK(ev("t: bool, f: bool", "bool", "t && f", v) == "false");
  CHECK(ev("t: bool, f: bool", "bool", "t || f", v) == "true");
  CHECK(ev("t: bool, f: bool", "bool", "!t || !f", v) == "true");
  CHECK(ev("t: bool", "bool", "!!t", v) == "true");
}

TEST_CASE("?? gives the left side unless it is absent, and evaluates the right only then", "[eval]") {
  Vars absent{{"x", nullptr}, {"z", 0}};
  Vars present{{"x", 3}, {"z", 0}};
  CHECK(ev("x: int?", "int", "x ?? 5", absent) == "5");
  CHECK(ev("x: int?", "int", "x ?? 5", present) == "3");
  CHECK(ev("x: int?, z: int", "int", "x ?? (1 / z)", present) == "3");
  CHECK(fails("x: int?, z: int", "int", "x ?? (1 / z)", absent).message == "division by zero: `z` is 0");
  CHECK(ev("x: int?, y: int?", "int", "x ?? y ?? 9", Vars{{"x", nullptr}, {"y", nullptr}}) == "9");
  CHECK(ev("x: int?, y: int?", "int", "x ?? y ?? 9", Vars{{"x", nullptr}, {"y", 4}}) == "4");
  CHECK(ev("x: int?", "float", "x ?? 0.5", absent) == "0.5");
  CHECK(ev("x: int?", "float", "x ?? 0.5", present) == "3.0");
}

TEST_CASE("unary minus on every numeric type", "[eval]") {
  Vars v{{"i", 5}, {"f", 2.5}};
  CHECK(ev("i: int", "int", "-i", v) == "-5");
  CHECK(ev("f: float", "float", "-f", v) == "-2.5");
  CHECK(ev("", "duration", "-(2m)") == "-120.0");
  CHECK(ev("", "int", "-(-3)") == "3");
}

// ---- lists, records, maps, strings ---------------------------------------------------------

TEST_CASE("list, record and map expressions", "[eval]") {
  Vars v{{"x", 1}, {"k", "key"}};
  CHECK(ev("x: int", "list[int]", "[x, 2, x + 2]", v) == "[1,2,3]");
  CHECK(ev("x: int", "list[list[int]]", "[[x], []]", v) == "[[1],[]]");
  CHECK(ev("x: int", "{id: str, n: int, tags: list[str]}", "{ n = x, id = \"a\", tags = [\"t\"] }", v) ==
        "{\"id\":\"a\",\"n\":1,\"tags\":[\"t\"]}");
  CHECK(ev("x: int", "map[str, int]", "{ \"b\": x, \"a\": 2 }", v) == "{\"a\":2,\"b\":1}");
  CHECK(ev("k: str, x: int", "map[str, int]", "{ k: x }", v) == "{\"key\":1}");
  CHECK(ev("", "map[str, int]", "{}") == "{}");
  CHECK(ev("", "list[int]", "[]") == "[]");
}

TEST_CASE("interpolated strings join the text of their pieces", "[eval]") {
  Vars v{{"n", 3},     {"f", 2.0},  {"g", 0.1},  {"s", "x y"},     {"b", true},
         {"sz", 1536}, {"d", 30.0}, {"h", 0.25}, {"p", "/a/b.txt"}};
  CHECK(ev("n: int, s: str", "str", "\"${s}-${n}.txt\"", v) == "\"x y-3.txt\"");
  CHECK(ev("f: float, g: float", "str", "\"${f} ${g}\"", v) == "\"2.0 0.1\"");
  CHECK(ev("b: bool", "str", "\"[${b}]\"", v) == "\"[true]\"");
  CHECK(ev("sz: size", "str", "\"${sz}\"", v) == "\"1536\"");
  CHECK(ev("d: duration, h: duration", "str", "\"${d}s ${h}s\"", v) == "\"30s 0.25s\"");
  CHECK(ev("p: file", "str", "\"<${p}>\"", v) == "\"</a/b.txt>\"");
  CHECK(ev("n: int", "str", "\"${n * 2}${\"!\"}\"", v) == "\"6!\"");
  CHECK(ev("n: int", "file", "file(\"/out/${n}.txt\")", v) == "\"/out/3.txt\"");
}

TEST_CASE("an absent piece of an interpolated string is a failure", "[eval]") {
  ir::TypeTable t;
  ir::Program program;
  Evaluator evaluator(program, {});
  ir::Expr format;
  format.kind = ir::Expr::Kind::Format;
  format.type = t.str();
  format.args.push_back(ir::Expr::literal("a", t.str()));
  format.args.push_back(ir::Expr::var("x", t.optional(t.str())));
  auto f = failure_of(evaluator.eval(format, Vars{{"x", nullptr}}));
  CHECK(f.message == "`x` is absent, so the string it is part of cannot be made");
  CHECK(value_of(evaluator.eval(format, Vars{{"x", "b"}})) == "ab");
}

// ---- builtins -------------------------------------------------------------------------------

TEST_CASE("every builtin of builtins.def is implemented", "[eval]") {
  ir::TypeTable types;
  ir::Builtins builtins(types);
  REQUIRE(builtins.all().size() > 30);
  for (const ir::Builtin& b : builtins.all()) {
    INFO(b.name);
    CHECK(implements_builtin(b.name));
  }
  CHECK_FALSE(implements_builtin("no_such_builtin"));
}

TEST_CASE("every overload of every builtin evaluates (type variables as int)", "[eval]") {
  TempDir dir;
  ir::TypeTable types;
  ir::Builtins builtins(types);
  std::regex type_var(R"('?\b[TAB]\b)");  // type variables print as 'T
  size_t overloads = 0;
  for (const ir::Builtin& b : builtins.all()) {
    if (b.name == "glob") continue;           // only in an op's output paths: tested below
    if (b.name == "load_contents") continue;  // of the `any` type, CWL's alone: tests/cwl
    for (const ir::Signature& sig : b.overloads) {
      INFO(b.name << sig.text);
      std::vector<const ir::Type*> arg_types;
      std::vector<std::string> params, args;
      Vars vars;
      for (size_t i = 0; i < sig.params.size(); ++i) {
        std::string text = std::regex_replace(sig.params[i]->str(), type_var, "int");
        const ir::Type* t = parse(types, text);
        arg_types.push_back(t);
        std::string name = "a" + std::to_string(i);
        params.push_back(name + ": " + text);
        args.push_back(name);
        Value sample;
        switch (t->non_optional()->kind()) {
          case ir::TypeKind::Int: sample = 1; break;
          case ir::TypeKind::Float: sample = 1.5; break;
          case ir::TypeKind::Bool: sample = true; break;
          case ir::TypeKind::Str: sample = "1"; break;
          case ir::TypeKind::File: sample = dir.file(b.name + ".txt", b.name == "read_bool" ? "true\n" : "1\n"); break;
          case ir::TypeKind::Dir: sample = dir.path.string(); break;
          case ir::TypeKind::Size: sample = 1024; break;
          case ir::TypeKind::Duration: sample = 1.0; break;
          case ir::TypeKind::List:
            sample = t->elem()->non_optional()->is(ir::TypeKind::List)  ? Value{{1}, {2}}
                     : t->elem()->non_optional()->is(ir::TypeKind::Str) ? Value{"1", "2"}
                                                                        : Value{1, 2};
            break;
          case ir::TypeKind::Map: sample = {{"k", 1}}; break;
          default: FAIL("no sample for " << text);
        }
        vars.values[name] = sample;
      }
      auto match = builtins.match(b, arg_types);
      REQUIRE(match);
      CHECK(match->signature == &sig);
      std::string params_text, args_text;
      for (size_t i = 0; i < params.size(); ++i) {
        params_text += (i ? ", " : "") + params[i];
        args_text += (i ? ", " : "") + args[i];
      }
      EvalOptions options;
      options.base_dir = dir.path.string();
      options.scratch_dir = (dir.path / "scratch").string();
      Value v = value_of(run(params_text, match->result->str(), b.name + "(" + args_text + ")", vars, options));
      std::string why;
      CHECK(conforms(v, match->result, &why));
      INFO(why);
      ++overloads;
    }
  }
  CHECK(overloads >= 55);
}

TEST_CASE("len of a list, a map and a str (code points)", "[eval]") {
  Vars v{{"xs", {1, 2, 3}}, {"m", {{"a", 1}}}, {"s", "h\xC3\xA9llo \xE2\x9C\x93"}, {"e", ""}};
  CHECK(ev("xs: list[int]", "int", "len(xs)", v) == "3");
  CHECK(ev("m: map[str, int]", "int", "len(m)", v) == "1");
  CHECK(ev("s: str", "int", "len(s)", v) == "7");
  CHECK(ev("e: str", "int", "len(e)", v) == "0");
  CHECK(ev("", "int", "len([])") == "0");
}

TEST_CASE("range", "[eval]") {
  CHECK(ev("", "list[int]", "range(3)") == "[0,1,2]");
  CHECK(ev("", "list[int]", "range(0)") == "[]");
  CHECK(fails("n: int", "list[int]", "range(n)", Vars{{"n", -1}}).message == "range: the count -1 is negative");
  CHECK(fails("n: int", "list[int]", "range(n)", Vars{{"n", 1'000'000'000}}).message.find("more than") !=
        std::string::npos);
}

TEST_CASE("zip pairs equal-length lists, unequal lengths are a failure", "[eval]") {
  Vars v{{"a", {1, 2}}, {"b", {"x", "y"}}, {"c", {"x"}}};
  CHECK(ev("a: list[int], b: list[str]", "list[{left: int, right: str}]", "zip(a, b)", v) ==
        "[{\"left\":1,\"right\":\"x\"},{\"left\":2,\"right\":\"y\"}]");
  auto f = fails("a: list[int], c: list[str]", "list[{left: int, right: str}]", "zip(a, c)", v);
  CHECK(f.message == "zip: the lists differ in length: 2 items and 1 item");
  CHECK(f.loc.line == 2);
  CHECK(f.loc.column == 15);
  CHECK(ev("", "int", "len(zip([], []))") == "0");
}

TEST_CASE("cross makes every pair, the first list outermost", "[eval]") {
  Vars v{{"a", {1, 2}}, {"b", {"x", "y"}}};
  CHECK(ev("a: list[int], b: list[str]", "list[{left: int, right: str}]", "cross(a, b)", v) ==
        "[{\"left\":1,\"right\":\"x\"},{\"left\":1,\"right\":\"y\"},{\"left\":2,\"right\":\"x\"},{\"left\":2,\"right\":"
        "\"y\"}]");
  CHECK(ev("a: list[int]", "int", "len(cross(a, []))", v) == "0");
}

TEST_CASE("flatten, select_all, select_first, defined", "[eval]") {
  Vars v{{"xs", {{1}, Value::array(), {2, 3}}},
         {"opt", {nullptr, 2, nullptr, 4}},
         {"none3", {nullptr, nullptr, nullptr}},
         {"empty", Value::array()},
         {"a", nullptr},
         {"b", 7}};
  CHECK(ev("xs: list[list[int]]", "list[int]", "flatten(xs)", v) == "[1,2,3]");
  CHECK(ev("opt: list[int?]", "list[int]", "select_all(opt)", v) == "[2,4]");
  CHECK(ev("opt: list[int?]", "int", "select_first(opt)", v) == "2");
  CHECK(ev("a: int?, b: int?", "int", "select_first([a, b])", v) == "7");
  CHECK(ev("a: int?, b: int?", "list[int]", "select_all([a, b, a])", v) == "[7]");
  CHECK(fails("none3: list[int?]", "int", "select_first(none3)", v).message ==
        "select_first: no item is present (all 3 are absent)");
  CHECK(fails("empty: list[int?]", "int", "select_first(empty)", v).message ==
        "select_first: the list is empty, so it has no present item");
  CHECK(ev("a: int?", "bool", "defined(a)", v) == "false");
  CHECK(ev("b: int?", "bool", "defined(b)", v) == "true");
  CHECK(ev("a: int?", "int", "a ?? 1", v) == "1");
}

TEST_CASE("defined(x) narrows x in an if", "[eval]") {
  auto c = compile_ok(R"FLOW(
workflow w(x: int?) -> (o: int?) {
  if defined(x) && x > 2 {
    y = x * 10
  }
  return (o = y)
}
)FLOW");
  const auto& wf = c->program->workflows[0];
  const auto* branch = wf.body[0].as<ir::BranchNode>();
  REQUIRE(branch);
  Evaluator evaluator(*c->program, {});
  CHECK(value_of(evaluator.eval(*branch->arms[0].condition, Vars{{"x", nullptr}})) == false);
  CHECK(value_of(evaluator.eval(*branch->arms[0].condition, Vars{{"x", 5}})) == true);
  CHECK(value_of(evaluator.eval(*branch->arms[0].condition, Vars{{"x", 1}})) == false);
}

TEST_CASE("basename of every kind, with and without a suffix", "[eval]") {
  Vars v{{"f", "/data/run/sample.fq.gz"}, {"d", "/data/run/"}, {"s", "a/b/c.txt"}, {"root", "/"}};
  CHECK(ev("f: file", "str", "basename(f)", v) == "\"sample.fq.gz\"");
  CHECK(ev("d: dir", "str", "basename(d)", v) == "\"run\"");
  CHECK(ev("s: str", "str", "basename(s)", v) == "\"c.txt\"");
  CHECK(ev("f: file", "str", "basename(f, \".fq.gz\")", v) == "\"sample\"");
  CHECK(ev("f: file", "str", "basename(f, \".bam\")", v) == "\"sample.fq.gz\"");
  CHECK(ev("s: str", "str", "basename(s, \".txt\")", v) == "\"c\"");
  CHECK(ev("s: str", "str", "basename(s, \"c.txt\")", v) == "\"c.txt\"");  // the whole name stays
  CHECK(ev("", "str", "basename(\"plain\")") == "\"plain\"");
  CHECK(ev("", "str", "basename(\"\")") == "\"\"");
  CHECK(ev("root: dir", "str", "basename(root)", v) == "\"/\"");
}

TEST_CASE("read_lines, read_string, read_int, read_float, read_bool", "[eval]") {
  TempDir dir;
  Vars v{{"lines", dir.file("lines.txt", "a\nb b\n\nc\n")},
         {"nolf", dir.file("nolf.txt", "a\nb")},
         {"crlf", dir.file("crlf.txt", "a\r\nb\r\n")},
         {"empty", dir.file("empty.txt", "")},
         {"blank", dir.file("blank.txt", "\n")},
         {"text", dir.file("text.txt", "hello\n\n")},
         {"n", dir.file("n.txt", "  42 \n")},
         {"neg", dir.file("neg.txt", "-7")},
         {"x", dir.file("x.txt", "2.5\n")},
         {"e", dir.file("e.txt", "1e3")},
         {"t", dir.file("t.txt", "true\n")},
         {"fa", dir.file("fa.txt", " false ")},
         {"bad", dir.file("bad.txt", "abc\n")}};
  CHECK(ev("lines: file", "list[str]", "read_lines(lines)", v) == "[\"a\",\"b b\",\"\",\"c\"]");
  CHECK(ev("nolf: file", "list[str]", "read_lines(nolf)", v) == "[\"a\",\"b\"]");
  CHECK(ev("crlf: file", "list[str]", "read_lines(crlf)", v) == "[\"a\",\"b\"]");
  CHECK(ev("empty: file", "list[str]", "read_lines(empty)", v) == "[]");
  CHECK(ev("blank: file", "list[str]", "read_lines(blank)", v) == "[\"\"]");
  CHECK(ev("text: file", "str", "read_string(text)", v) == "\"hello\\n\"");  // one final \n only
  CHECK(ev("nolf: file", "str", "read_string(nolf)", v) == "\"a\\nb\"");
  CHECK(ev("empty: file", "str", "read_string(empty)", v) == "\"\"");
  CHECK(ev("n: file", "int", "read_int(n)", v) == "42");
  CHECK(ev("neg: file", "int", "read_int(neg)", v) == "-7");
  CHECK(ev("x: file", "float", "read_float(x)", v) == "2.5");
  CHECK(ev("e: file", "float", "read_float(e)", v) == "1000.0");
  CHECK(ev("n: file", "float", "read_float(n)", v) == "42.0");
  CHECK(ev("t: file", "bool", "read_bool(t)", v) == "true");
  CHECK(ev("fa: file", "bool", "read_bool(fa)", v) == "false");
  std::string bad = v.values["bad"].get<std::string>();
  CHECK(fails("bad: file", "int", "read_int(bad)", v).message ==
        "read_int: `" + bad + "` holds \"abc\\n\", not a whole number");
  CHECK(fails("bad: file", "float", "read_float(bad)", v).message ==
        "read_float: `" + bad + "` holds \"abc\\n\", not a number");
  CHECK(fails("bad: file", "bool", "read_bool(bad)", v).message ==
        "read_bool: `" + bad + "` holds \"abc\\n\", not true or false");
  CHECK(fails("x: file", "int", "read_int(x)", v).message.find("not a whole number") != std::string::npos);
}

TEST_CASE("reading text that is not UTF-8 is a failure naming the file and the byte", "[eval][hostile]") {
  // str values go into JSON (events, outputs.json, the journal), which
  // would otherwise throw on them (issue 15).
  TempDir dir;
  Vars v{{"latin1", dir.file("latin1.txt", "caf\xe9\n")}};
  std::string path = v.values["latin1"].get<std::string>();
  CHECK(fails("latin1: file", "list[str]", "read_lines(latin1)", v).message ==
        "read_lines: `" + path + "` is not UTF-8 text (byte 0xE9 at byte 4)");
  CHECK(fails("latin1: file", "str", "read_string(latin1)", v).message.find("is not UTF-8 text") != std::string::npos);
}

TEST_CASE("reading a missing file or a directory is a failure naming it", "[eval]") {
  TempDir dir;
  std::string missing = (dir.path / "missing.txt").string();
  Vars v{{"m", missing}, {"d", dir.path.string()}};
  for (const char* fn : {"read_lines", "read_string", "read_int", "read_float", "read_bool"}) {
    std::string type = std::string(fn) == "read_lines"    ? "list[str]"
                       : std::string(fn) == "read_string" ? "str"
                       : std::string(fn) == "read_int"    ? "int"
                       : std::string(fn) == "read_float"  ? "float"
                                                          : "bool";
    auto f = fails("m: file", type, std::string(fn) + "(m)", v);
    CHECK(f.message == std::string(fn) + ": cannot read `" + missing + "`: No such file or directory");
    CHECK(f.loc.line == 2);
    CHECK(fails("d: file", type, std::string(fn) + "(d)", v).message ==
          std::string(fn) + ": `" + dir.path.string() + "` is a directory, not a file");
  }
}

TEST_CASE("a relative file value is read against the base dir", "[eval]") {
  TempDir dir;
  dir.file("sub/n.txt", "5\n");
  EvalOptions options;
  options.base_dir = dir.path.string();
  CHECK(ev("f: file", "int", "read_int(f)", Vars{{"f", "sub/n.txt"}}, options) == "5");
  CHECK(ev("", "int", "read_int(file(\"sub/n.txt\"))", {}, options) == "5");
  CHECK(ev("", "int", "read_int(\"sub/n.txt\")", {}, options) == "5");  // a literal argument is a path too
  CHECK(ev("", "size", "file_size(\"sub/n.txt\")", {}, options) == "2");
}

TEST_CASE("write_lines writes a new file under the scratch dir", "[eval]") {
  TempDir dir;
  EvalOptions options;
  options.scratch_dir = (dir.path / "not/yet/there").string();
  Value first = value_of(run("xs: list[str]", "file", "write_lines(xs)", Vars{{"xs", {"a", "b c", ""}}}, options));
  Value second = value_of(run("xs: list[str]", "file", "write_lines(xs)", Vars{{"xs", Value::array()}}, options));
  REQUIRE(first.is_string());
  REQUIRE(second.is_string());
  std::string p1 = first.get<std::string>(), p2 = second.get<std::string>();
  CHECK(p1 != p2);
  CHECK(fs::path(p1).is_absolute());
  CHECK(fs::path(p1).parent_path() == dir.path / "not/yet/there");
  CHECK(test::read_file(p1) == "a\nb c\n\n");
  CHECK(test::read_file(p2) == "");
  struct stat st {};
  REQUIRE(stat(p1.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  // Round trip with read_lines.
  CHECK(ev("f: file", "list[str]", "read_lines(f)", Vars{{"f", p1}}) == "[\"a\",\"b c\",\"\"]");
}

TEST_CASE("write_lines into a dir that cannot be made is a failure", "[eval]") {
  TempDir dir;
  EvalOptions options;
  options.scratch_dir = dir.file("plain-file", "x") + "/sub";
  auto f = fails("", "file", "write_lines([\"a\"])", {}, options);
  CHECK(f.message.rfind("write_lines: cannot create the folder", 0) == 0);
}

TEST_CASE("file_size in bytes", "[eval]") {
  TempDir dir;
  Vars v{{"f", dir.file("five.txt", "12345")}, {"m", (dir.path / "nope").string()}, {"d", dir.path.string()}};
  CHECK(ev("f: file", "size", "file_size(f)", v) == "5");
  CHECK(ev("f: file", "bool", "file_size(f) < 1KB", v) == "true");
  CHECK(fails("m: file", "size", "file_size(m)", v).message ==
        "file_size: cannot read `" + (dir.path / "nope").string() + "`: No such file or directory");
  CHECK(fails("d: file", "size", "file_size(d)", v).message.find("is a directory") != std::string::npos);
}

TEST_CASE("str of every scalar type", "[eval]") {
  Vars v{{"s", "t"},    {"i", -3},    {"f", 2.0},  {"g", 0.1},  {"b", false},
         {"p", "/x/y"}, {"d", "/x/"}, {"z", 2048}, {"t", 90.0}, {"h", 0.25}};
  CHECK(ev("s: str", "str", "str(s)", v) == "\"t\"");
  CHECK(ev("i: int", "str", "str(i)", v) == "\"-3\"");
  CHECK(ev("f: float", "str", "str(f)", v) == "\"2.0\"");
  CHECK(ev("g: float", "str", "str(g)", v) == "\"0.1\"");
  CHECK(ev("", "str", "str(1e20)") == "\"1e+20\"");
  CHECK(ev("b: bool", "str", "str(b)", v) == "\"false\"");
  CHECK(ev("p: file", "str", "str(p)", v) == "\"/x/y\"");
  CHECK(ev("d: dir", "str", "str(d)", v) == "\"/x/\"");
  CHECK(ev("z: size", "str", "str(z)", v) == "\"2048\"");
  CHECK(ev("", "str", "str(2KiB)") == "\"2048\"");
  CHECK(ev("t: duration", "str", "str(t)", v) == "\"90\"");
  CHECK(ev("h: duration", "str", "str(h)", v) == "\"0.25\"");
  CHECK(ev("", "str", "str(1h)") == "\"3600\"");
}

TEST_CASE("int of every overload", "[eval]") {
  Vars v{{"i", 7},       {"f", 2.9},     {"nf", -2.9}, {"s", "12"},  {"ws", " 12\n"}, {"neg", "-5"},
         {"bad", "12x"}, {"dec", "1.5"}, {"z", 1024},  {"t", 90.75}, {"huge", 1e30}};
  CHECK(ev("i: int", "int", "int(i)", v) == "7");
  CHECK(ev("f: float", "int", "int(f)", v) == "2");
  CHECK(ev("nf: float", "int", "int(nf)", v) == "-2");
  CHECK(ev("s: str", "int", "int(s)", v) == "12");
  CHECK(ev("ws: str", "int", "int(ws)", v) == "12");
  CHECK(ev("neg: str", "int", "int(neg)", v) == "-5");
  CHECK(fails("bad: str", "int", "int(bad)", v).message == "int: \"12x\" is not a whole number");
  CHECK(fails("dec: str", "int", "int(dec)", v).message == "int: \"1.5\" is not a whole number");
  CHECK(ev("z: size", "int", "int(z)", v) == "1024");
  CHECK(ev("", "int", "int(1.5KiB)") == "1536");
  CHECK(ev("t: duration", "int", "int(t)", v) == "90");
  CHECK(ev("", "int", "int(2h)") == "7200");
  CHECK(fails("huge: float", "int", "int(huge)", v).message == "int: 1e+30 does not fit in a 64-bit integer");
}

TEST_CASE("float of every overload", "[eval]") {
  Vars v{{"f", 2.5}, {"s", "2.5"}, {"e", "1e-3"}, {"bad", "two"}, {"t", 90.0}, {"i", 3}};
  CHECK(ev("f: float", "float", "float(f)", v) == "2.5");
  CHECK(ev("s: str", "float", "float(s)", v) == "2.5");
  CHECK(ev("e: str", "float", "float(e)", v) == "0.001");
  CHECK(fails("bad: str", "float", "float(bad)", v).message == "float: \"two\" is not a number");
  CHECK(ev("t: duration", "float", "float(t)", v) == "90.0");
  CHECK(ev("", "float", "float(250ms)") == "0.25");
  CHECK(ev("i: int", "float", "float(i)", v) == "3.0");
}

TEST_CASE("file and dir make paths absolute against the base dir", "[eval]") {
  EvalOptions options;
  options.base_dir = "/base";
  Vars v{{"s", "a/./b/../c.txt"}, {"f", "/abs/f.txt"}, {"d", "rel/dir/"}, {"e", ""}};
  CHECK(ev("s: str", "file", "file(s)", v, options) == "\"/base/a/c.txt\"");
  CHECK(ev("f: file", "file", "file(f)", v, options) == "\"/abs/f.txt\"");
  CHECK(ev("s: str", "dir", "dir(s)", v, options) == "\"/base/a/c.txt\"");
  CHECK(ev("d: dir", "dir", "dir(d)", v, options) == "\"/base/rel/dir\"");
  CHECK(ev("", "file", "file(\"${\"x\"}.txt\")", v, options) == "\"/base/x.txt\"");
  CHECK(fails("e: str", "file", "file(e)", v, options).message == "an empty path is not a file or directory");
}

TEST_CASE("sep, split, sub, prefix", "[eval]") {
  Vars v{{"xs", {"a", "b", "c"}}, {"one", {"a"}}, {"nothing", Value::array()}};
  CHECK(ev("xs: list[str]", "str", "sep(xs, \", \")", v) == "\"a, b, c\"");
  CHECK(ev("one: list[str]", "str", "sep(one, \",\")", v) == "\"a\"");
  CHECK(ev("nothing: list[str]", "str", "sep(nothing, \",\")", v) == "\"\"");
  CHECK(ev("xs: list[str]", "str", "sep(xs, \"\")", v) == "\"abc\"");

  CHECK(ev("", "list[str]", "split(\"a,b,,c\", \",\")") == "[\"a\",\"b\",\"\",\"c\"]");
  CHECK(ev("", "list[str]", "split(\"\", \",\")") == "[\"\"]");
  CHECK(ev("", "list[str]", "split(\"a::b\", \"::\")") == "[\"a\",\"b\"]");
  CHECK(ev("", "list[str]", "split(\",\", \",\")") == "[\"\",\"\"]");
  CHECK(fails("", "list[str]", "split(\"abc\", \"\")").message == "split: the separator is empty");

  CHECK(ev("", "str", "sub(\"a1b22c\", \"[0-9]+\", \"#\")") == "\"a#b#c\"");
  CHECK(ev("", "str", "sub(\"sample_R1.fq\", \"_R([12])\", \".$1\")") == "\"sample.1.fq\"");
  CHECK(ev("", "str", "sub(\"abc\", \"x\", \"y\")") == "\"abc\"");
  CHECK(ev("", "str", "sub(\"aaa\", \"^a\", \"b\")") == "\"baa\"");
  auto bad = fails("", "str", "sub(\"abc\", \"(\", \"y\")");
  CHECK(bad.message.rfind("sub: bad regular expression \"(\": ", 0) == 0);
  CHECK(bad.loc.line == 2);

  CHECK(ev("xs: list[str]", "list[str]", "prefix(\"-I\", xs)", v) == "[\"-Ia\",\"-Ib\",\"-Ic\"]");
  CHECK(ev("nothing: list[str]", "list[str]", "prefix(\"-I\", nothing)", v) == "[]");
}

TEST_CASE("contains for lists (deep) and strings", "[eval]") {
  Vars v{{"xs", {1, 2, 3}}, {"fs", {1.0, 2.5}}, {"rs", {{{"a", 1}}, {{"a", 2}}}}, {"os", {nullptr, 1}}, {"n", nullptr}};
  CHECK(ev("xs: list[int]", "bool", "contains(xs, 2)", v) == "true");
  CHECK(ev("xs: list[int]", "bool", "contains(xs, 4)", v) == "false");
  CHECK(ev("fs: list[float]", "bool", "contains(fs, 1)", v) == "true");  // 1 == 1.0
  CHECK(ev("xs: list[int]", "bool", "contains(xs, 2.0)", v) == "true");
  CHECK(ev("xs: list[int]", "bool", "contains(xs, 2.5)", v) == "false");
  CHECK(ev("rs: list[{a: int}]", "bool", "contains(rs, { a = 2 })", v) == "true");
  CHECK(ev("rs: list[{a: int}]", "bool", "contains(rs, { a = 3 })", v) == "false");
  CHECK(ev("os: list[int?], n: int?", "bool", "contains(os, n)", v) == "true");
  CHECK(ev("", "bool", "contains(\"hello\", \"ell\")") == "true");
  CHECK(ev("", "bool", "contains(\"hello\", \"\")") == "true");
  CHECK(ev("", "bool", "contains(\"hello\", \"L\")") == "false");
}

TEST_CASE("keys and values in key order", "[eval]") {
  Vars v{{"m", {{"b", 1}, {"a", 2}, {"C", 3}}}, {"e", Value::object()}};
  CHECK(ev("m: map[str, int]", "list[str]", "keys(m)", v) == "[\"C\",\"a\",\"b\"]");
  CHECK(ev("m: map[str, int]", "list[int]", "values(m)", v) == "[3,2,1]");
  CHECK(ev("e: map[str, int]", "list[str]", "keys(e)", v) == "[]");
  CHECK(ev("", "list[str]", "keys({ \"z\": 1, \"y\": 2 })") == "[\"y\",\"z\"]");
}

TEST_CASE("min, max, sum", "[eval]") {
  Vars v{{"xs", {1, 2, 3}}, {"fs", {1.5, 2.5}}, {"e", Value::array()}, {"big", {INT64_MAX, 1}}};
  CHECK(ev("", "int", "min(3, 2)") == "2");
  CHECK(ev("", "int", "max(3, 2)") == "3");
  CHECK(ev("", "int", "min(-3, 2)") == "-3");
  CHECK(ev("", "float", "min(2.5, 1.0)") == "1.0");
  CHECK(ev("", "float", "max(2.5, 1.0)") == "2.5");
  CHECK(ev("", "float", "max(1, 2.5)") == "2.5");
  CHECK(ev("", "float", "min(1, 2.5)") == "1.0");
  CHECK(ev("xs: list[int]", "int", "sum(xs)", v) == "6");
  CHECK(ev("fs: list[float]", "float", "sum(fs)", v) == "4.0");
  CHECK(ev("e: list[int]", "int", "sum(e)", v) == "0");
  CHECK(ev("e: list[float]", "float", "sum(e)", v) == "0.0");
  CHECK(ev("", "float", "sum([1, 2.5])") == "3.5");
  CHECK(fails("big: list[int]", "int", "sum(big)", v).message == "sum: the sum does not fit in a 64-bit integer");
}

TEST_CASE("floor, ceil, round (halves away from zero)", "[eval]") {
  CHECK(ev("", "int", "floor(2.7)") == "2");
  CHECK(ev("", "int", "floor(-2.1)") == "-3");
  CHECK(ev("", "int", "ceil(2.1)") == "3");
  CHECK(ev("", "int", "ceil(-2.9)") == "-2");
  CHECK(ev("", "int", "round(2.5)") == "3");
  CHECK(ev("", "int", "round(-2.5)") == "-3");
  CHECK(ev("", "int", "round(2.4999)") == "2");
  CHECK(ev("", "int", "round(0.5)") == "1");
  CHECK(ev("", "int", "floor(3)") == "3");
  Vars v{{"x", 1e300}, {"y", -9.3e18}};
  CHECK(fails("x: float", "int", "round(x)", v).message == "round: 1e+300 does not fit in a 64-bit integer");
  CHECK(fails("x: float", "int", "floor(x)", v).message == "floor: 1e+300 does not fit in a 64-bit integer");
  CHECK(fails("y: float", "int", "ceil(y)", v).message == "ceil: -9.3e+18 does not fit in a 64-bit integer");
}

TEST_CASE("glob finds the files matching a pattern in the base dir, sorted and absolute", "[eval]") {
  TempDir dir;
  // A base dir whose name holds glob characters must not be read as a pattern.
  fs::path work = dir.path / "work [1]*";
  fs::create_directories(work / "chunk_dir");
  for (const char* name : {"chunk_b", "chunk_a", "chunk_10", "other.txt", ".chunk_hidden"}) {
    test::write_file((work / name).string(), "x");
  }
  fs::create_directories(work / "sub");
  test::write_file((work / "sub/chunk_s").string(), "x");
  auto c = compile_ok(R"FLOW(
op chunk(f: file) -> (parts: list[file] = glob("chunk_*"), deep: list[file] = glob("*/chunk_*"), nomatch: list[file] = glob("nothing*")) {
  run "split ${f} chunk_"
}
)FLOW");
  const ir::Op& op = c->program->ops.at(0);
  EvalOptions options;
  options.base_dir = work.string();
  Evaluator evaluator(*c->program, options);
  Value parts = value_of(evaluator.eval(*op.outputs[0].path, Vars{}));
  CHECK(parts == Value{(work / "chunk_10").string(), (work / "chunk_a").string(), (work / "chunk_b").string()});
  Value deep = value_of(evaluator.eval(*op.outputs[1].path, Vars{}));
  CHECK(deep == Value{(work / "sub/chunk_s").string()});
  CHECK(value_of(evaluator.eval(*op.outputs[2].path, Vars{})) == Value::array());
}

TEST_CASE("an absolute glob pattern is used as it is", "[eval]") {
  TempDir dir;
  dir.file("a.log", "");
  dir.file("b.log", "");
  ir::TypeTable t;
  ir::Program program;
  ir::Expr call;
  call.kind = ir::Expr::Kind::Call;
  call.name = "glob";
  call.type = t.list(t.file());
  call.args.push_back(ir::Expr::literal((dir.path / "*.log").string(), t.str()));
  Evaluator evaluator(program, {});
  CHECK(value_of(evaluator.eval(call, Vars{})) == Value{(dir.path / "a.log").string(), (dir.path / "b.log").string()});
}

// ---- failures: where, and never an exception ----------------------------------------------------

TEST_CASE("a failure carries the loc of the innermost expression that has one", "[eval]") {
  auto c = compile_ok("workflow w(xs: list[int]) -> (o: int) {\n  return (o = len(xs) + 2 * (1 + xs[7]))\n}\n");
  Evaluator evaluator(*c->program, {});
  auto f = failure_of(evaluator.eval(*c->program->workflows[0].outputs[0].value, Vars{{"xs", {1}}}));
  CHECK(f.message == "index 7 is past the end of a list of 1 item");
  CHECK(f.loc.file == 0);
  CHECK(f.loc.line == 2);
  CHECK(f.loc.column == 34);
  CHECK(f.loc.end_column == 39);
  CHECK(c->program->where(f.loc) == "test.flow:2:34");

  // A name has no loc of its own: the enclosing binary operator's is used.
  auto g = failure_of(evaluator.eval(*c->program->workflows[0].outputs[0].value, Vars{}));
  CHECK(g.message == "`xs` has no value");
  CHECK(g.loc.column == 15);
}

TEST_CASE("malformed expressions are failures, never exceptions", "[eval]") {
  ir::TypeTable t;
  ir::Program program;
  Evaluator evaluator(program, {});
  Vars vars{{"n", nullptr}, {"s", "x"}, {"xs", {1}}};

  ir::Expr unknown_call;
  unknown_call.kind = ir::Expr::Kind::Call;
  unknown_call.name = "frobnicate";
  unknown_call.type = t.int_();
  unknown_call.loc = ir::SourceLoc{0, 3, 4, 3, 9};
  auto f = failure_of(evaluator.eval(unknown_call, vars));
  CHECK(f.message == "unknown builtin function `frobnicate`");
  CHECK(f.loc.line == 3);

  ir::Expr wrong_arity = unknown_call;
  wrong_arity.name = "len";
  CHECK(failure_of(evaluator.eval(wrong_arity, vars)).message == "len: takes 1 argument, not 0");

  ir::Expr absent_arg = wrong_arity;
  absent_arg.args.push_back(ir::Expr::var("n", t.optional(t.str())));
  CHECK(failure_of(evaluator.eval(absent_arg, vars)).message == "len: argument 1 is absent");

  ir::Expr bad_arg = wrong_arity;
  bad_arg.args.push_back(ir::Expr::literal(5, t.int_()));
  CHECK(failure_of(evaluator.eval(bad_arg, vars)).message == "len: expected a list, map or str, not 5");

  ir::Expr index;
  index.kind = ir::Expr::Kind::Index;
  index.type = t.int_();
  index.args.push_back(ir::Expr::var("n", t.optional(t.list(t.int_()))));
  index.args.push_back(ir::Expr::literal(0, t.int_()));
  CHECK(failure_of(evaluator.eval(index, vars)).message == "`n` is absent, so it cannot be indexed");
  index.args[0] = ir::Expr::var("s", t.str());
  CHECK(failure_of(evaluator.eval(index, vars)).message == "`s` cannot be indexed (it is \"x\")");
  index.args.pop_back();
  CHECK(failure_of(evaluator.eval(index, vars)).message.find("lacks an operand") != std::string::npos);

  ir::Expr binary;
  binary.kind = ir::Expr::Kind::Binary;
  binary.name = "<";
  binary.type = t.bool_();
  binary.args.push_back(ir::Expr::var("s", t.str()));
  binary.args.push_back(ir::Expr::literal(1, t.int_()));
  CHECK(failure_of(evaluator.eval(binary, vars)).message == "cannot compare \"x\" and 1");
  binary.name = "^";
  binary.args[0] = ir::Expr::literal(2, t.int_());
  CHECK(failure_of(evaluator.eval(binary, vars)).message == "unknown operator `^`");
  binary.name = "-";
  binary.args[0] = ir::Expr::var("n", t.optional(t.int_()));
  CHECK(failure_of(evaluator.eval(binary, vars)).message == "`n` is absent");
  binary.name = "+";
  binary.args[0] = ir::Expr::var("s", t.str());
  CHECK(failure_of(evaluator.eval(binary, vars)).message == "`+` cannot apply to \"x\" and 1");

  ir::Expr logic = binary;
  logic.name = "&&";
  logic.args[0] = ir::Expr::literal(1, t.int_());
  CHECK(failure_of(evaluator.eval(logic, vars)).message == "`1` is 1, not a bool");

  ir::Expr unary;
  unary.kind = ir::Expr::Kind::Unary;
  unary.name = "!";
  unary.type = t.bool_();
  unary.args.push_back(ir::Expr::var("s", t.str()));
  CHECK(failure_of(evaluator.eval(unary, vars)).message == "`!` needs a bool, and `s` is \"x\"");
  unary.name = "-";
  CHECK(failure_of(evaluator.eval(unary, vars)).message == "`-` needs a number, and `s` is \"x\"");

  ir::Expr map;
  map.kind = ir::Expr::Kind::Map;
  map.type = t.map(t.int_());
  map.args.push_back(ir::Expr::literal(1, t.int_()));
  map.args.push_back(ir::Expr::literal(1, t.int_()));
  CHECK(failure_of(evaluator.eval(map, vars)).message == "a map key must be a str, not 1");
  map.args[0] = ir::Expr::var("n", t.optional(t.str()));
  CHECK(failure_of(evaluator.eval(map, vars)).message == "`n` is absent, so it cannot be a key");
}

TEST_CASE("an expression without a type is evaluated as it is", "[eval]") {
  ir::Program program;
  Evaluator evaluator(program, {});
  ir::Expr sum;
  sum.kind = ir::Expr::Kind::Binary;
  sum.name = "+";
  sum.args.push_back(ir::Expr::literal(2, nullptr));
  sum.args.push_back(ir::Expr::literal(3, nullptr));
  CHECK(canonical(value_of(evaluator.eval(sum, Vars{}))) == "5");
  sum.args[1] = ir::Expr::literal(0.5, nullptr);
  CHECK(canonical(value_of(evaluator.eval(sum, Vars{}))) == "2.5");
}

TEST_CASE("values read from the scope are coerced to the expression's type", "[eval]") {
  ir::TypeTable t;
  ir::Program program;
  Evaluator evaluator(program, {});
  const ir::Type* type = parse(t, "{a: float, b: list[duration], c: int?}");
  Value v = value_of(evaluator.eval(ir::Expr::var("r", type), Vars{{"r", {{"a", 1}, {"b", {1, 2}}}}}));
  CHECK(canonical(v) == "{\"a\":1.0,\"b\":[1.0,2.0],\"c\":null}");
}

TEST_CASE("options are kept", "[eval]") {
  ir::Program program;
  EvalOptions options;
  options.base_dir = "/b";
  options.scratch_dir = "/s";
  Evaluator evaluator(program, options);
  CHECK(evaluator.options().base_dir == "/b");
  CHECK(evaluator.options().scratch_dir == "/s");
}
