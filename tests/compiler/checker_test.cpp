// The checker's rules, observed through what it accepts, what it reports,
// and the types it gives (read back from the IR).
#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

using namespace flowc;
using test::compile_text;
using test::diagnostic_codes;

namespace {

using Codes = std::vector<std::string>;

// The codes reported, in code order (source order is not what these tests are about).
Codes codes_of(const std::string& text, std::map<std::string, std::string> more = {}) {
  auto c = compile_text(text, Stage::Check, std::move(more));
  Codes codes = diagnostic_codes(*c);
  std::sort(codes.begin(), codes.end());
  return codes;
}

// The type a workflow's top-level binding or block export has, from the IR.
std::string exported_type(const std::string& text, const std::string& name) {
  auto c = compile_text(text);
  INFO(test::diagnostics_text(*c));
  REQUIRE(c->program);
  const ir::Workflow& wf = c->program->workflows.at(0);
  for (const ir::Node& n : wf.body) {
    if (n.name == name) return c->program->types->display(n.type);
    for (const ir::Export& e : n.exports) {
      if (e.name == name) return c->program->types->display(e.type);
    }
  }
  FAIL("no binding " << name);
  return {};
}

const char* kOps = R"(
op greet(name: str) -> (msg: file) { run "echo ${name} > ${msg}" }
op count(f: file) -> (n: int) { run "wc -l < ${f} > ${n}" }
)";

}  // namespace

TEST_CASE("hello checks clean", "[checker]") {
  CHECK(codes_of(std::string(kOps) + R"(
workflow main(names: list[str] = ["a", "b"]) -> (out: list[file]) {
    for n in names { g = greet(name = n) }
    return (out = g.msg)
})")
            .empty());
}

TEST_CASE("lifting gives list types per field for calls and whole for values", "[checker]") {
  std::string text = std::string(kOps) + R"(
workflow main(rows: list[list[str]]) {
    for row in rows {
        for cell in row {
            g = greet(name = cell)
            label = "${cell}!"
        }
    }
    x = g.msg
    y = label
})";
  CHECK(exported_type(text, "x") == "list[list[file]]");
  CHECK(exported_type(text, "y") == "list[list[str]]");
  CHECK(exported_type(text, "g") == "{msg: list[list[file]]}");
}

TEST_CASE("if: one branch gives T?, every branch with else gives T", "[checker]") {
  std::string text = std::string(kOps) + R"(
workflow main(flag: bool, n: int) {
    if flag { a = 1  b = 1 } else { b = 2.5 }
    if n > 1 { c = greet(name = "x") }
    if n > 2 { d = "x" } else if n > 1 { d = "y" }
    e = a ?? 0
    f = c.msg ?? file("none")
    use = [b, float(e)]
    g = d
    h = f
})";
  CHECK(exported_type(text, "a") == "int?");
  CHECK(exported_type(text, "b") == "float");  // int and float join to float
  CHECK(exported_type(text, "c") == "{msg: file?}");
  CHECK(exported_type(text, "d") == "str?");  // no plain else
  CHECK(exported_type(text, "e") == "int");
  CHECK(exported_type(text, "f") == "file");
}

TEST_CASE("using an optional where a value is needed is an error with a fix", "[checker]") {
  auto c = compile_text(std::string(kOps) + R"(
workflow main(flag: bool) {
    if flag { a = "x" }
    g = greet(name = a)
})",
                        Stage::Check);
  REQUIRE(diagnostic_codes(*c) == Codes{"E0510"});
  const Diagnostic& d = c->diags.all()[0];
  CHECK(d.help.find("a ?? \"\"") != std::string::npos);
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].message.find("may be absent") != std::string::npos);
}

TEST_CASE("inside `if defined(x)`, x is present", "[checker]") {
  std::string ops = "op need(f: file) -> (o: file) { run \"cat ${f} > ${o}\" }\n";
  CHECK(codes_of(ops + R"(
workflow main(ref: file?, n: int) -> (o: file?) {
    if defined(ref) && n > 0 {
        a = need(f = ref)
    }
    return (o = a.o)
})")
            .empty());
  // Right of `defined(x) &&` too, but not of `||`.
  CHECK(codes_of("workflow main(w: float?) -> (o: bool) { return (o = defined(w) && w > 1.5) }").empty());
  CHECK(codes_of("workflow main(w: float?) -> (o: bool) { return (o = defined(w) || w > 1.5) }") == Codes{"E0506"});
  // Only in that arm: after it, and in an else, ref may be absent again.
  CHECK(codes_of(ops + R"(
workflow main(ref: file?) {
    if defined(ref) { a = need(f = ref) } else { b = need(f = ref) }
    c = need(f = ref)
})") == Codes{"E0510", "E0510"});
  // A hint to use `if defined(...)` is given only where it works: on names.
  auto c = compile_text(ops + "workflow main(ref: file?) { a = need(f = ref) }", Stage::Check);
  REQUIRE(diagnostic_codes(*c) == Codes{"E0510"});
  CHECK(c->diags.all()[0].help.find("if defined(ref)") != std::string::npos);
}

TEST_CASE("a list where one value is needed names the for that made it", "[checker]") {
  auto c = compile_text(std::string(kOps) + R"(
workflow main(names: list[str]) {
    for n in names { g = greet(name = n) }
    k = count(f = g.msg)
})",
                        Stage::Check);
  REQUIRE(diagnostic_codes(*c) == Codes{"E0500"});
  REQUIRE(c->diags.all()[0].notes.size() == 1);
  CHECK(c->diags.all()[0].notes[0].message.find("bound inside this `for`") != std::string::npos);
}

TEST_CASE("str where file is expected suggests file(x)", "[checker]") {
  auto c = compile_text(std::string(kOps) + R"(
workflow main(path: str) { k = count(f = path) })",
                        Stage::Check);
  REQUIRE(diagnostic_codes(*c) == Codes{"E0500"});
  CHECK(c->diags.all()[0].message == "expected file, found str");
  CHECK(c->diags.all()[0].help == "wrap it: file(path)");
}

TEST_CASE("a string literal is a path where a file is expected", "[checker]") {
  CHECK(codes_of("op f(x: file = \"data.txt\", ys: list[dir] = [\"a\", \"b\"]) -> () { run \"cat ${x}\" }").empty());
  CHECK(codes_of(std::string(kOps) + "workflow main() { k = count(f = \"in.txt\") }").empty());
  // Only literals: a computed str needs file(...).
  CHECK(codes_of(std::string(kOps) + "workflow main(p: str) { k = count(f = \"${p}.txt\") }") == Codes{"E0500"});
}

TEST_CASE("calls: by name, all required inputs, no unknown ones", "[checker]") {
  // Positional arguments are one error (with every input named in the fix), not one per input.
  CHECK(codes_of(std::string(kOps) + "workflow main() { g = greet(\"x\") }") == Codes{"E0600"});
  CHECK(codes_of(std::string(kOps) + "workflow main() { g = greet(name = \"x\", extra = 1) }") == Codes{"E0601"});
  CHECK(codes_of(std::string(kOps) + "workflow main() { g = greet(name = \"x\", name = \"y\") }") == Codes{"E0603"});
  CHECK(codes_of(std::string(kOps) + "workflow main() { g = greet() }") == Codes{"E0602"});
  // A misspelt input is reported once, as unknown, with the fix.
  CHECK(codes_of(std::string(kOps) + "workflow main() { g = greet(nmae = \"x\") }") == Codes{"E0601"});
  // Optional inputs and inputs with defaults may be left out.
  CHECK(codes_of("op f(a: int = 1, b: str?) -> () { run \"x\" }\nworkflow main() { x = f() }").empty());
}

TEST_CASE("op calls must be steps of their own", "[checker]") {
  CHECK(codes_of(std::string(kOps) + "workflow main() { k = count(f = greet(name = \"x\").msg) }") == Codes{"E0606"});
  CHECK(codes_of(std::string(kOps) + "workflow main() { x = [greet(name = \"x\")] }") == Codes{"E0606"});
}

TEST_CASE("names are bound once and before use", "[checker]") {
  CHECK(codes_of("workflow main() { x = 1  x = 2 }") == Codes{"E0403"});
  CHECK(codes_of("workflow main() { y = x + 1  x = 2 }") == Codes{"E0805"});
  CHECK(codes_of("workflow main(x: int) { for x in [1] { } }") == Codes{"E0403"});
  // The arms of one if may bind the same name.
  CHECK(codes_of("workflow main(f: bool) -> (o: int) { if f { x = 1 } else { x = 2 }  return (o = x) }").empty());
  // But not names bound before the if.
  CHECK(codes_of("workflow main(f: bool) { x = 0  if f { x = 1 } }") == Codes{"E0403"});
}

TEST_CASE("branches that disagree on a type are reported", "[checker]") {
  CHECK(codes_of("workflow main(f: bool) -> (o: int?) { if f { x = 1 } else { x = \"s\" }  return (o = 1) }") ==
        Codes{"E0806"});
}

TEST_CASE("builtins: overloads, generics, arity", "[checker]") {
  std::string text = R"(
workflow main(xs: list[int], ys: list[str], m: map[str, float], maybe: list[int?]) {
    a = len(xs) + len(m) + len("abc")
    b = zip(xs, ys)
    c = flatten([xs, xs])
    d = select_all(maybe)
    e = select_first(maybe)
    f = basename(file("a/b.txt"), ".txt")
    g = values(m)
    h = max(1, 2)
    i = max(1.5, 2)
    j = range(3)
    k = str(8GiB)
    l = b[0].right
})";
  CHECK(exported_type(text, "a") == "int");
  CHECK(exported_type(text, "b") == "list[{left: int, right: str}]");
  CHECK(exported_type(text, "c") == "list[int]");
  CHECK(exported_type(text, "d") == "list[int]");
  CHECK(exported_type(text, "e") == "int");
  CHECK(exported_type(text, "f") == "str");
  CHECK(exported_type(text, "g") == "list[float]");
  CHECK(exported_type(text, "h") == "int");
  CHECK(exported_type(text, "i") == "float");
  CHECK(exported_type(text, "l") == "str");

  // A string literal is a path where the builtin takes one; T widens to fit.
  CHECK(codes_of("workflow main() -> (o: list[str]) { return (o = read_lines(\"samples.txt\")) }").empty());
  CHECK(codes_of("workflow main(xs: list[int]) -> (o: bool) { return (o = contains(xs, 2.5)) }").empty());
  CHECK(codes_of("workflow main() { x = len(1, 2) }") == Codes{"E0604"});
  CHECK(codes_of("workflow main() { x = len(3) }") == Codes{"E0609"});
  CHECK(codes_of("workflow main() { x = len(xs = [1]) }") == Codes{"E0605"});
  CHECK(codes_of("workflow main() { x = nope(1) }") == Codes{"E0402"});
  // glob lists files in a workflow (relative to its .flow file), not inside an op's command.
  CHECK(codes_of("workflow main() -> (n: int) { x = glob(\"*.txt\")\n return (n = len(x)) }").empty());
  CHECK(codes_of("workflow main(x: list[file] = glob(\"*.txt\")) -> (n: int) { return (n = len(x)) }").empty());
  CHECK(codes_of("op f() -> (n: int) { run \"cat ${glob(\"*\")} > ${n}\" }") == Codes{"E0610"});
}

TEST_CASE("companion files are part of a file's type", "[checker][companions]") {
  std::string ops = R"(
op index(bam: file) -> (indexed: file with [".bai"] = "x.bam") { run "cp ${bam} x.bam && touch x.bam.bai" }
op plain(bam: file) -> (copy: file = "x.bam") { run "cp ${bam} x.bam" }
op stats(bam: file with [".bai"], ref: file with [".fai", "^.dict"?]) -> (n: int) { run "wc -l < ${bam} > ${n}" }
)";
  // Made by an op that declares it: fits. A literal or file(...) names a
  // path whose companions are checked when the run starts.
  CHECK(codes_of(ops + R"(workflow main(b: file) -> (n: int) {
    i = index(bam = b)
    s = stats(bam = i.indexed, ref = "g.fa")
    return (n = s.n) })")
            .empty());
  CHECK(codes_of(ops + R"(workflow main(b: file) -> (n: int) {
    s = stats(bam = file("x.bam"), ref = file("g.fa"))
    return (n = s.n) })")
            .empty());
  // A workflow input declares what it needs; more companions fit fewer.
  CHECK(codes_of(ops + R"(workflow main(b: file with [".bai", ".csi"], r: file with [".fai"]) -> (n: int) {
    s = stats(bam = b, ref = r)
    return (n = s.n) })")
            .empty());
  // Without it: an error naming the companion.
  CHECK(codes_of(ops + R"(workflow main(b: file) -> (n: int) {
    p = plain(bam = b)
    s = stats(bam = p.copy, ref = "g.fa")
    return (n = s.n) })") == Codes{"E0520"});
  CHECK(codes_of(ops + R"(workflow main(b: file, r: file with [".fai"?]) -> (n: int) {
    s = stats(bam = "x.bam", ref = r)
    return (n = s.n) })") == Codes{"E0520"});
  // In lists too: list[file] does not fit list[file with [".bai"]].
  CHECK(codes_of(R"(op all(bams: list[file with [".bai"]]) -> (n: int) { run "ls ${bams} | wc -l > ${n}" }
workflow main(bs: list[file]) -> (n: int) {
    a = all(bams = bs)
    return (n = a.n) })") == Codes{"E0520"});
  // Only on file, with valid, distinct patterns.
  CHECK(codes_of("workflow main(d: dir with [\".x\"]) {}") == Codes{"E0517"});
  CHECK(codes_of("workflow main(d: list[file] with [\".x\"]) {}") == Codes{"E0517"});
  CHECK(codes_of("workflow main(d: file with [\"sub/x\"]) {}") == Codes{"E0518"});
  CHECK(codes_of("workflow main(d: file with [\"^^\"]) {}") == Codes{"E0518"});
  CHECK(codes_of("workflow main(d: file with []) {}") == Codes{"E0518"});
  CHECK(codes_of("workflow main(d: file with [\".a\", \".a\"?]) {}") == Codes{"E0519"});
}

TEST_CASE("operators are typed", "[checker]") {
  std::string text = R"(
workflow main(n: int, s: str, o: str?) {
    a = n / 2
    b = n / 2.0
    c = 2GiB + 512MiB
    d = 1h * 2
    e = "--x=" + o
    f = [1] + [2]
    g = 3 > 2.5
    h = 2GiB / 1GiB
    use = [str(a), str(b), str(c), str(d), e ?? "", str(len(f)), str(g), str(h), s]
})";
  CHECK(exported_type(text, "a") == "int");
  CHECK(exported_type(text, "b") == "float");
  CHECK(exported_type(text, "c") == "size");
  CHECK(exported_type(text, "d") == "duration");
  CHECK(exported_type(text, "e") == "str?");
  CHECK(exported_type(text, "f") == "list[int]");
  CHECK(exported_type(text, "h") == "float");

  CHECK(codes_of("workflow main(s: str) -> (o: int) { return (o = s + 1) }") == Codes{"E0506"});
  CHECK(codes_of("workflow main(n: int) -> (o: bool) { return (o = !n) }") == Codes{"E0507"});
  CHECK(codes_of("workflow main(n: int) -> (o: int) { return (o = n / 0) }") == Codes{"E0515"});
  CHECK(codes_of("workflow main(n: int) -> (o: int) { return (o = n ?? 1) }") == Codes{"W0902"});
}

TEST_CASE("records are structural, named types are aliases", "[checker]") {
  std::string text = R"(
type Sample = { id: str, reads: file }
op f(s: Sample) -> (o: file) { run "cat ${s.reads} > ${o}" }
workflow main() {
    r = f(s = { id = "a", reads = file("r.fq") })
})";
  CHECK(codes_of(text).empty());
  CHECK(codes_of(R"(
type Sample = { id: str, reads: file }
op f(s: Sample) -> (o: file) { run "cat ${s.reds} > ${o}" })") == Codes{"E0508"});
  CHECK(codes_of("type T = { next: T }") == Codes{"E0304"});
  CHECK(codes_of("type T = list[Missing]") == Codes{"E0401"});
  CHECK(codes_of("type int = { a: int }") == Codes{"E0305"});
}

TEST_CASE("streams connect only to streams of the same type", "[checker]") {
  std::string ops = R"(
op produce(n: int) -> (frames: stream[bytes]) { run "gen ${n}" }
op reduce(frames: stream[bytes]) -> (partial: stream[str]) { run "red" }
op lines(text: stream[str]) -> (total: file) { run "cat > ${total}" }
op read(path: file) -> (o: file) { run "cat ${path} > ${o}" }
)";
  CHECK(codes_of(ops + R"(
workflow main() -> (o: file) {
    p = produce(n = 3)
    r = reduce(frames = p.frames) with { replicas = 2 }
    t = lines(text = r.partial)
    return (o = t.total)
})")
            .empty());
  // Fan-in: a list of streams from a loop feeds one consumer.
  CHECK(codes_of(ops + R"(
workflow main(ns: list[int]) -> (o: file) {
    for n in ns { p = produce(n = n)  r = reduce(frames = p.frames) }
    t = lines(text = r.partial)
    return (o = t.total)
})")
            .empty());
  CHECK(codes_of(ops + "workflow main() { p = produce(n = 1)  t = lines(text = p.frames) }") == Codes{"E0522"});
  CHECK(codes_of(ops + "workflow main() { p = produce(n = 1)  t = read(path = p.frames) }") == Codes{"E0504"});
  CHECK(codes_of(ops + "workflow main() { t = lines(text = \"x\") }") == Codes{"E0523"});
  CHECK(codes_of(ops + "workflow main() { p = produce(n = 1)  x = [p.frames] }") == Codes{"E0504"});
  CHECK(codes_of("workflow main(s: stream[str]) { }") == Codes{"E0525"});
  CHECK(codes_of("op f(x: int) -> (o: stream[str]) { run \"echo ${o}\" }") == Codes{"E0707"});
}

TEST_CASE("recursion must be guarded by an if", "[checker]") {
  CHECK(codes_of(R"(
workflow loop(n: int) -> (o: int) {
    if n > 0 { r = loop(n = n - 1) }
    return (o = r.o ?? n)
})")
            .empty());
  CHECK(codes_of(R"(
workflow loop(n: int) -> (o: int) {
    r = loop(n = n - 1)
    return (o = r.o)
})") == Codes{"E0804"});
  // Mutual recursion without a guard.
  CHECK(codes_of(R"(
workflow a(n: int) { x = b(n = n) }
workflow b(n: int) { y = a(n = n) })") == Codes{"E0804"});
}

TEST_CASE("return: last, complete, known outputs", "[checker]") {
  CHECK(codes_of("workflow main() -> (o: int) { }") == Codes{"E0800"});
  CHECK(codes_of("workflow main() -> (o: int, p: int) { return (o = 1) }") == Codes{"E0802"});
  CHECK(codes_of("workflow main() -> (o: int) { return (o = 1, q = 2) }") == Codes{"E0803"});
  CHECK(codes_of("workflow main() -> (o: int) { return (o = 1)  x = 2 }") == Codes{"E0801"});
  CHECK(codes_of("workflow main(f: bool) -> (o: int) { if f { return (o = 1) } }") == Codes{"E0801"});
}

TEST_CASE("op clauses are checked", "[checker]") {
  CHECK(codes_of("op f() -> () { }") == Codes{"E0702"});
  CHECK(codes_of("op f() -> () { run \"x\"  retries 3 }") == Codes{"E0700"});
  CHECK(codes_of("op f() -> () { run \"x\"  run \"y\" }") == Codes{"E0701"});
  CHECK(codes_of("op f() -> () { run \"x\"  resources { cpu = 2 } }") == Codes{"E0608"});
  CHECK(codes_of("op f() -> () { run \"x\"  resources { cpus = 0 } }") == Codes{"E0705"});
  CHECK(codes_of("op f() -> () { run \"x\"  resources { mem = 8 } }") == Codes{"E0500"});
  CHECK(codes_of("op f(n: int) -> () { run \"x\"  resources { cpus = n, mem = 1GiB * n } }").empty());
  CHECK(codes_of("op f(n: int) -> () { run \"x\"  retry n }") == Codes{"E0706"});
  CHECK(codes_of("op f() -> () { run \"x\"  cache 1 }") == Codes{"E0706"});
  CHECK(codes_of("op f() -> () { run \"x\"  timeout 10 }") == Codes{"E0500"});
  CHECK(codes_of("op f(s: str) -> () { run \"x\"  image \"${s}\" }") == Codes{"E0706"});
  CHECK(codes_of("op f(xs: list[str]) -> () { run \"x\"  env { A = xs } }") == Codes{"E0703"});
  CHECK(codes_of("op f() -> (n: int = \"n.txt\") { run \"x\" }") == Codes{"E0704"});
  CHECK(codes_of("op f() -> (parts: list[file]) { run \"x\" }") == Codes{"E0710"});
  CHECK(codes_of("op f() -> (parts: list[file] = glob(\"p_*\")) { run \"split\" }").empty());
}

TEST_CASE("only numbers and bools go into shell arithmetic", "[checker]") {
  CHECK(codes_of("op f(n: int, b: bool, s: size) -> () { run \"echo $((${n} * 2 + ${b} + ${s}))\" }").empty());
  CHECK(codes_of("op f(x: str) -> () { run \"echo $((${x} + 1))\" }") == Codes{"E0703"});
  CHECK(codes_of("op f(x: int?) -> () { run \"echo $((0${x} + 1))\" }").empty());  // absent writes nothing
  CHECK(codes_of("op f(x: list[int]) -> () { run \"echo $((${x} + 1))\" }") == Codes{"E0703"});
  CHECK(codes_of("op f(x: str) -> () { run \"echo $((${int(x)} + 1))\" }").empty());
}

TEST_CASE("command interpolation takes scalars, lists and optionals", "[checker]") {
  CHECK(codes_of("op f(a: list[file], b: int?, c: dir) -> (o: file) { run \"x ${a} ${b} ${c} > ${o}\" }").empty());
  CHECK(codes_of("op f(m: map[str, int]) -> () { run \"x ${m}\" }") == Codes{"E0703"});
  CHECK(codes_of("op f(r: {a: int}) -> () { run \"x ${r}\" }") == Codes{"E0703"});
  auto c = compile_text("op f() -> () { run \"echo ${HOME}\" }", Stage::Check);
  REQUIRE(diagnostic_codes(*c) == Codes{"E0400"});
  CHECK(c->diags.all()[0].help.find("$${HOME}") != std::string::npos);
}

TEST_CASE("imports: relative, cycles, duplicates, unused", "[checker]") {
  std::map<std::string, std::string> lib = {
      {"lib/ops.flow", "op helper(x: int) -> (o: file) { run \"echo ${x} > ${o}\" }"}};
  CHECK(codes_of("import \"lib/ops.flow\"\nworkflow main() { h = helper(x = 1) }", lib).empty());
  CHECK(codes_of("import \"lib/ops.flow\"\nworkflow main() { }", lib) == Codes{"W0901"});
  CHECK(codes_of("import \"lib/missing.flow\"\nworkflow main() { }", lib) == Codes{"E0300"});
  CHECK(codes_of("import \"lib/ops.flow\"\nop helper() -> () { run \"x\" }", lib) == Codes{"E0302"});
  std::map<std::string, std::string> cycle = {{"b.flow", "import \"test.flow\"\nop b() -> () { run \"x\" }"}};
  CHECK(codes_of("import \"b.flow\"\nop a() -> () { run \"x\" }", cycle) == Codes{"E0301"});
}

TEST_CASE("one error does not cascade", "[checker]") {
  // An unknown name poisons its expression; nothing that uses it is reported again.
  CHECK(codes_of(std::string(kOps) + R"(
workflow main() -> (o: file) {
    g = greet(name = nope)
    k = count(f = g.msg)
    s = "${k.n}" + "!"
    return (o = g.msg)
})") == Codes{"E0400"});
}

TEST_CASE("unused values are warned about, unused steps are not", "[checker]") {
  CHECK(codes_of(std::string(kOps) + "workflow main() { x = 1  g = greet(name = \"a\") }") == Codes{"W0900"});
}
