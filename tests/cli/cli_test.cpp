// The flowc command, run as a user runs it: exit codes, help, JSON
// diagnostics, IR files, graphs.
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ir/ir.h"
#include "tests/support/scratch.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::run_flowc;
using flowc::test::Scratch;

namespace {

const char* kBad = "workflow main(x: int) -> (o: str) {\n    return (o = x)\n}\n";

}  // namespace

TEST_CASE("version and help flags", "[cli]") {
  auto v = run_flowc({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("flowc 0.1.0") != std::string::npos);
  auto h = run_flowc({"--help"});
  CHECK(h.exit_code == 0);
  for (const char* cmd : {"check", "build", "graph"}) CHECK(h.out.find(cmd) != std::string::npos);
  for (const char* cmd : {"check", "build", "graph"}) {
    auto sub = run_flowc({cmd, "--help"});
    CHECK(sub.exit_code == 0);
    CHECK(sub.out.find("--lib") != std::string::npos);
  }
}

TEST_CASE("usage errors exit 2", "[cli]") {
  CHECK(run_flowc({}).exit_code == 2);
  CHECK(run_flowc({"frobnicate"}).exit_code == 2);
  CHECK(run_flowc({"check"}).exit_code == 2);
  CHECK(run_flowc({"graph", "examples/hello.flow", "--format", "svg"}).exit_code == 2);
}

TEST_CASE("check: 0 clean, 1 errors, 2 unreadable", "[cli]") {
  Scratch s;
  auto clean = run_flowc({"check", "examples/hello.flow"});
  CHECK(clean.exit_code == 0);
  CHECK(clean.err.find("no errors") != std::string::npos);

  std::string bad = s.write("bad.flow", kBad);
  auto errors = run_flowc({"check", "--color", "never", bad});
  CHECK(errors.exit_code == 1);
  CHECK(errors.err.find("bad.flow:2:17: error[E0500]: expected str, found int") != std::string::npos);
  CHECK(errors.err.find("help: convert it: str(x)") != std::string::npos);
  CHECK(errors.err.find("1 error, 0 warnings in 1 file") != std::string::npos);

  auto missing = run_flowc({"check", (s.dir / "nope.flow").string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("cannot read") != std::string::npos);
  CHECK(run_flowc({"check", s.dir.string()}).exit_code == 2);
}

TEST_CASE("check reports every file's errors in one run", "[cli]") {
  Scratch s;
  std::string a = s.write("a.flow", kBad);
  std::string b = s.write("b.flow", "workflow main() { x = nope }\n");
  auto r = run_flowc({"check", "--color", "never", a, "examples/hello.flow", b});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("a.flow:2:17") != std::string::npos);
  CHECK(r.err.find("b.flow:1:23: error[E0400]") != std::string::npos);
  CHECK(r.err.find("in 3 files") != std::string::npos);
}

TEST_CASE("check --format json", "[cli]") {
  Scratch s;
  std::string bad = s.write("bad.flow", kBad);
  auto r = run_flowc({"check", "--format", "json", bad});
  CHECK(r.exit_code == 1);
  auto doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["diagnostics"].size() == 1);
  const auto& d = doc["diagnostics"][0];
  CHECK(d["line"] == 2);
  CHECK(d["column"] == 17);
  CHECK(d["end_column"] == 18);
  CHECK(d["code"] == "E0500");
  CHECK(d["severity"] == "error");
  CHECK(d["help"] == "convert it: str(x)");
  CHECK(doc["errors"] == 1);
}

TEST_CASE("colour only when asked or on a terminal", "[cli]") {
  Scratch s;
  std::string bad = s.write("bad.flow", kBad);
  CHECK(run_flowc({"check", bad}).err.find("\x1b[") == std::string::npos);
  CHECK(run_flowc({"check", "--color", "always", bad}).err.find("\x1b[1;31m") != std::string::npos);
}

TEST_CASE("build writes IR that graph can read", "[cli]") {
  Scratch s;
  std::string out = (s.dir / "hello.ir.json").string();
  auto b = run_flowc({"build", "examples/hello.flow", "-o", out});
  REQUIRE(b.exit_code == 0);
  auto doc = nlohmann::json::parse(flowc::test::read_file(out));
  CHECK(doc["flowc_ir"] == flowc::ir::kIrVersion);
  CHECK(doc["entry"] == "main");
  // No temporary file is left next to it.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(s.dir)) ++files;
  CHECK(files == 1);

  auto g = run_flowc({"graph", out});
  CHECK(g.exit_code == 0);
  CHECK(g.out.find("digraph \"main\"") != std::string::npos);

  auto summary = run_flowc({"build", "examples/hello.flow", "--summary"});
  CHECK(summary.exit_code == 0);
  CHECK(summary.out.find("main: 2 calls, 1 for") != std::string::npos);

  std::string bad = s.write("bad.flow", kBad);
  auto failed = run_flowc({"build", bad, "-o", (s.dir / "bad.ir.json").string()});
  CHECK(failed.exit_code == 1);
  CHECK_FALSE(fs::exists(s.dir / "bad.ir.json"));
}

TEST_CASE("graph draws loops and branches as clusters", "[cli]") {
  Scratch s;
  std::string flow = s.write("g.flow", R"(
op step(x: int) -> (o: int) { run "echo ${x} > ${o}" }
workflow main(xs: list[int], big: bool) -> (r: list[int]) {
    for x in xs { s = step(x = x) }
    if big { t = step(x = 1) } else { t = step(x = 2) }
    return (r = s.o)
})");
  auto dot = run_flowc({"graph", flow});
  REQUIRE(dot.exit_code == 0);
  CHECK(dot.out.find("subgraph \"cluster_for@4:5\"") != std::string::npos);
  CHECK(dot.out.find("label=\"for x in xs\"") != std::string::npos);
  CHECK(dot.out.find("label=\"if big\"") != std::string::npos);
  CHECK(dot.out.find("label=\"else\"") != std::string::npos);
  CHECK(dot.out.find("\"s\" -> \"out.r\"") != std::string::npos);
  CHECK(dot.out.find("\"in.xs\" -> \"for@4:5.x\"") != std::string::npos);

  auto mermaid = run_flowc({"graph", "--format", "mermaid", flow});
  REQUIRE(mermaid.exit_code == 0);
  CHECK(mermaid.out.rfind("flowchart TD", 0) == 0);
  CHECK(mermaid.out.find("subgraph n_for_4_5 [\"for x in xs\"]") != std::string::npos);
  CHECK(mermaid.out.find("n_s --> n_out_r") != std::string::npos);

  CHECK(run_flowc({"graph", flow, "--workflow", "nope"}).exit_code == 2);
}
