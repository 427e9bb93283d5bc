// Commands run in strict mode (runtime/command/shell.h): a failure inside a
// pipe, or an unset variable, fails the task; `shell "sh"` and the fallback
// where there is no bash. End to end through the real flowc.
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/occurrences.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::occurrences;
using flowc::test::Project;
using nlohmann::json;

namespace {

// A PATH holding only a link to busybox's `sh` and `echo`: no bash to find.
std::string path_without_bash(const Project& p) {
  fs::path bin = p.dir / "nobash-bin";
  fs::create_directories(bin);
  for (const char* applet : {"sh", "cat", "echo"}) fs::create_symlink("/bin/busybox", bin / applet);
  return "PATH=" + bin.string();
}

}  // namespace

TEST_CASE("a failing command inside a pipe fails the task, naming the op and showing its stderr", "[run][shell]") {
  Project p;
  // 200,000 lines compress to far more than 200 bytes: the cut-off archive
  // makes zcat fail half-way, after wc has counted what came through.
  std::string lines;
  for (int i = 0; i < 200000; ++i) lines += "line " + std::to_string(i) + "\n";
  p.write("reads.txt", lines);
  REQUIRE(std::system(("gzip -c " + p.path("reads.txt") + " > " + p.path("reads.txt.gz")).c_str()) == 0);
  fs::resize_file(p.path("reads.txt.gz"), 2000);
  p.write("z.flow", R"(
op count(gz: file) -> (n: int) {
    run "zcat ${gz} | wc -l > ${n}"
}
workflow main(gz: file = "reads.txt.gz") -> (n: int) {
    c = count(gz = gz)
    return (n = c.n)
}
)");
  auto r = p.flowc({"run", "z.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("flowc: error: op `count` at main.c (") != std::string::npos);
  CHECK(r.err.find("exited with code 1") != std::string::npos);
  CHECK(r.err.find("last lines of its stderr") != std::string::npos);
  CHECK(r.err.find("unexpected end of file") != std::string::npos);  // gzip's own words
  CHECK_FALSE(p.exists("flow-out/outputs.json"));
  // Nothing of it was kept: the next run runs it again, and fails again.
  auto again = p.flowc({"run", "z.flow"});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("1 failed") != std::string::npos);
}

TEST_CASE("false | true fails, and so does an unset variable", "[run][shell]") {
  Project p;
  p.write("s.flow", R"(
op piped() -> (out: file) { run "false | true; echo reached > ${out}" }
op unset() -> (out: file) { run "echo \"value: $FLOWC_TEST_NEVER_SET\" > ${out}" }
workflow main() -> (a: file, b: file) {
    a = piped()
    b = unset()
    return (a = a.out, b = b.out)
}
)");
  auto r = p.flowc({"run", "s.flow", "--keep-going"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("op `piped` at main.a") != std::string::npos);
  CHECK(r.err.find("op `unset` at main.b") != std::string::npos);
  CHECK(r.err.find("FLOWC_TEST_NEVER_SET: unbound variable") != std::string::npos);
  CHECK(r.err.find("2 failed") != std::string::npos);
}

TEST_CASE("commands run under bash by default, and under sh with `shell \"sh\"`, strict either way", "[run][shell]") {
  Project p;
  p.write("s.flow", R"(
op which_default() -> (out: str) { run "echo \"$${BASH_VERSION:+bash}\" > ${out}" }
op which_sh() -> (out: str) {
    shell "sh"
    run "echo \"$${BASH_VERSION:-sh}\" > ${out}"
}
op strict_sh() -> (out: file) {
    shell "sh"
    run "echo \"$FLOWC_TEST_NEVER_SET\" > ${out}"
}
op arrays() -> (out: str) {
    shell "bash"
    run "a=(x y z); echo \"$${a[2]}\" > ${out}"
}
workflow main() -> (d: str, s: str, a: str) {
    d = which_default()
    s = which_sh()
    a = arrays()
    t = strict_sh() with { optional = true }
    return (d = d.out, s = s.out, a = a.out)
}
)");
  auto r = p.flowc({"run", "s.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json out = json::parse(p.read("flow-out/outputs.json"));
  CHECK(out["d"] == "bash");
  CHECK(out["s"] == "sh");  // /bin/sh here is dash: no BASH_VERSION
  CHECK(out["a"] == "z");
  CHECK(r.err.find("FLOWC_TEST_NEVER_SET: parameter not set") != std::string::npos);  // dash's words, under set -u
  std::string script;
  for (const json& e : p.events()) {
    if (e["event"] == "started" && e["task"] == "main.s") {
      script = flowc::test::read_file(e["work_dir"].get<std::string>() + "/.command.sh");
    }
  }
  CHECK(script.find("set -eu") != std::string::npos);
  CHECK(script.find("set -o pipefail") != std::string::npos);
}

TEST_CASE("the shell is part of the op's cache key", "[run][shell]") {
  Project p;
  std::string op = R"(op hello() -> (out: file) {
    SHELL
    run "echo hello > ${out}"
}
workflow main() -> (out: file) { h = hello()  return (out = h.out) }
)";
  auto with = [&](const std::string& clause) {
    std::string text = op;
    text.replace(text.find("SHELL"), 5, clause);
    return text;
  };
  p.write("k.flow", with(""));
  REQUIRE(p.flowc({"run", "k.flow"}).exit_code == 0);
  p.write("k.flow", with("shell \"sh\""));
  auto sh = p.flowc({"run", "k.flow"});
  CHECK(sh.err.find("(1 ran, 0 cached)") != std::string::npos);
  CHECK(p.flowc({"explain", "main.h"}).out.find("the op's definition changed (shell)") != std::string::npos);
  p.write("k.flow", with("shell \"bash\""));
  CHECK(p.flowc({"run", "k.flow"}).err.find("(1 ran, 0 cached)") != std::string::npos);
  CHECK(p.flowc({"run", "k.flow"}).err.find("(0 ran, 1 cached)") != std::string::npos);
}

TEST_CASE("where there is no bash, the default falls back to sh (busybox ash: with pipefail), and shell \"bash\" fails",
          "[run][shell]") {
  Project p;
  p.write("n.flow", R"(
op which() -> (out: str) { run "echo \"$${BASH_VERSION:-sh}\" > ${out}" }
op piped() -> (out: file) { run "false | true; echo reached > ${out}" }
op needs_bash() -> (out: file) {
    shell "bash"
    run "echo hi > ${out}"
}
workflow main() -> (w: str) {
    w = which()
    f = piped() with { optional = true }
    b = needs_bash() with { optional = true }
    return (w = w.out)
}
)");
  // flowc finds no bash on PATH: tasks start with /bin/sh (dash), and the
  // script finds no bash either. busybox's sh comes first on that PATH, but
  // /bin/sh is what starts the script: so this is dash, without pipefail...
  auto r = p.flowc({"run", "n.flow"}, {path_without_bash(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(p.read("flow-out/outputs.json"))["w"] == "sh");
  CHECK(r.err.find("op `needs_bash` runs its command with bash (shell \"bash\"), but there is no bash here") !=
        std::string::npos);
  CHECK(r.err.find("exited with code 127") != std::string::npos);
  // ...which documents its limit: dash has no pipefail, so `false | true`
  // passes there (docs/runtime.md says so; busybox's ash, in the container
  // tests, does fail it).
  CHECK(occurrences(r.err, "op `piped`") == 0);
}
