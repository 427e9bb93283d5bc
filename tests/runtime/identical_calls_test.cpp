// Identical calls in one run (the same cache key) are one task: the first
// runs, the others wait for it and take its result or its failure, and no
// one prepares (empties) the work dir they share while it is in use.
// End to end through the real flowc.
#include <filesystem>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/run/identical_tasks.h"
#include "tests/support/occurrences.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::occurrences;
using flowc::test::Project;
using nlohmann::json;

namespace {

std::multiset<std::string> tasks_with(const Project& p, const std::string& event) {
  std::multiset<std::string> out;
  for (const json& e : p.events()) {
    if (e["event"] == event) out.insert(e["task"].get<std::string>());
  }
  return out;
}

}  // namespace

TEST_CASE("IdenticalTasks: followers wait for the leader and take what became of it", "[identical]") {
  using flowc::runtime::IdenticalTasks;
  IdenticalTasks t;
  CHECK(t.follow("k", 2) == nullptr);
  t.lead("k", 1, "main.a");
  t.lead("k", 9, "main.z");  // another task cannot take the key over
  CHECK(t.leader("k") == "main.a");
  REQUIRE(t.follow("k", 2) != nullptr);
  CHECK(std::holds_alternative<IdenticalTasks::Running>(*t.follow("k", 3)));
  t.lead("k", 1, "main.a");  // its next attempt: the followers still wait
  CHECK(t.ended("k", 2, IdenticalTasks::Ended{flowc::runtime::TaskState::Failed, "not the leader", "/w", {}}).empty());
  auto followers = t.ended("k", 1, IdenticalTasks::Ended{flowc::runtime::TaskState::Failed, "boom", "/w", {}});
  CHECK(followers == std::vector<flowc::runtime::TaskId>{2, 3});
  const auto* late = t.follow("k", 4);  // comes after the end: takes it at once, follows no one
  REQUIRE(late != nullptr);
  CHECK(std::get<IdenticalTasks::Ended>(*late).error == "boom");
  CHECK(t.ended("k", 1, IdenticalTasks::Succeeded{}).empty());
}

TEST_CASE("two identical sleeping calls, run 20 times, never clobber each other", "[run][identical]") {
  // `a` writes its output at once and then sleeps; `b` is the same task but
  // becomes ready only after `t`, while `a` still runs. Preparing `b` then
  // used to empty the work dir they share and take `a`'s output away ("the
  // command did not write output").
  Project p;
  p.write("i.flow", R"(
op nap(s: str) -> (out: file) { run "echo ${s} > ${out}; sleep 0.4" }
op tick() -> (v: str) { run "sleep 0.1; echo x > ${v}" }
workflow main() -> (a: file, b: file) {
    a = nap(s = "x")
    t = tick()
    b = nap(s = t.v)
    return (a = a.out, b = b.out)
}
)");
  for (int i = 0; i < 20; ++i) {
    auto r = p.flowc({"run", "i.flow", "--fresh", "-j", "2"});
    INFO("run " << i << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("3 tasks (2 ran, 1 cached)") != std::string::npos);
    CHECK(p.output_file("a") == "x\n");
    CHECK(p.output_file("b") == "x\n");
  }
  CHECK(tasks_with(p, "started") == std::multiset<std::string>{"main.a", "main.t"});
  auto why = p.flowc({"explain", "main.b"});
  CHECK(why.out.find("reused the result of the identical task `main.a`") != std::string::npos);
}

TEST_CASE("identical calls ready together run once", "[run][identical]") {
  Project p;
  p.write("i.flow", R"(
op nap(s: str) -> (out: file) { run "sleep 0.1; echo ${s} > ${out}" }
workflow main() -> (a: file, b: file) {
    a = nap(s = "x")
    b = nap(s = "x")
    return (a = a.out, b = b.out)
}
)");
  auto r = p.flowc({"run", "i.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("2 tasks (1 ran, 1 cached)") != std::string::npos);
  CHECK(p.output_file("a") == "x\n");
  CHECK(p.output_file("b") == "x\n");
}

TEST_CASE("a fan-out over [A, B, A, A] runs A once and gives every item its result", "[run][identical]") {
  Project p;
  p.write("f.flow", R"(
op greet(name: str) -> (msg: file) { run "sleep 0.2; echo \"Hello, ${name}\" > ${msg}" }
workflow main(names: list[str] = ["A", "B", "A", "A"]) -> (msgs: list[file]) {
    for n in names { g = greet(name = n) }
    return (msgs = g.msg)
}
)");
  auto r = p.flowc({"run", "f.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("4 tasks (2 ran, 2 cached)") != std::string::npos);
  for (size_t i : {0, 2, 3}) CHECK(p.output_file("msgs", i) == "Hello, A\n");
  CHECK(p.output_file("msgs", 1) == "Hello, B\n");
  CHECK(tasks_with(p, "started") == std::multiset<std::string>{"main.g[0]", "main.g[1]"});
  for (const json& e : p.events()) {
    if (e["event"] == "cached") CHECK(e["identical_to"] == "main.g[0]");
  }
  auto why = p.flowc({"explain", "main.g[2]"});
  CHECK(why.out.find("main.g[2] (op `greet`) reused the result of the identical task `main.g[0]`") !=
        std::string::npos);
  // The next run reuses every one from the cache, each on its own.
  auto again = p.flowc({"run", "f.flow"});
  CHECK(again.err.find("4 tasks (0 ran, 4 cached)") != std::string::npos);
}

TEST_CASE("the failure of a leader is reported once for every identical call, naming them all", "[run][identical]") {
  Project p;
  p.write("b.flow", R"(
op boom(s: str) -> (out: file) { run "echo \"it broke on ${s}\" >&2; sleep 0.2; exit 3" }
op tick() -> (v: str) { run "echo x > ${v}" }
workflow main() -> (a: file, b: file, c: file) {
    a = boom(s = "x")
    b = boom(s = "x")
    t = tick()
    c = boom(s = t.v)
    return (a = a.out, b = b.out, c = c.out)
}
)");
  auto r = p.flowc({"run", "b.flow", "--keep-going"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(occurrences(r.err, "exited with code 3") == 1);
  CHECK(occurrences(r.err, "it broke on x") == 1);
  CHECK(r.err.find("also called at main.b, main.c, which failed with it") != std::string::npos);
  CHECK(r.err.find("3 failed") != std::string::npos);
  CHECK(tasks_with(p, "started") == std::multiset<std::string>{"main.a", "main.t"});
  CHECK(tasks_with(p, "failed") == std::multiset<std::string>{"main.a", "main.b", "main.c"});
  auto why = p.flowc({"explain", "main.c"});
  CHECK(why.out.find("it is the same task as `main.a` (the same op and inputs), which failed") != std::string::npos);
}

TEST_CASE("an identical call waits for its leader's retries and takes the result", "[run][identical]") {
  Project p;
  std::string marker = (p.dir / "tried").string();
  p.write("r.flow", R"(
op flaky(marker: str) -> (out: file) {
    retry { attempts = 2, exit_codes = [75] }
    run "if [ ! -e ${marker} ]; then touch ${marker}; sleep 0.3; exit 75; fi; echo ok > ${out}"
}
workflow main(marker: str) -> (a: file, b: file) {
    a = flaky(marker = marker)
    b = flaky(marker = marker)
    return (a = a.out, b = b.out)
}
)");
  auto r = p.flowc({"run", "r.flow", "-p", "marker=" + marker});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("a") == "ok\n");
  CHECK(p.output_file("b") == "ok\n");
  CHECK(tasks_with(p, "started") == std::multiset<std::string>{"main.a", "main.a"});  // a started event per attempt
  CHECK(p.count("retrying") == 1);
  CHECK(r.err.find("2 tasks (1 ran, 1 cached)") != std::string::npos);
}
