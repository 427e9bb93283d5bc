// What a run says about how its tasks ended: retries counted as written
// (`attempts` is every try), a fresh work dir and a `started` event per
// attempt, tolerated failures as one warning, and a summary that counts
// every task. End to end through the real flowc.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/occurrences.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::occurrences;
using flowc::test::Project;
using nlohmann::json;

namespace {}  // namespace

TEST_CASE("retry { attempts = N } tries N times in all, `retry N` retries N times", "[run][retry]") {
  Project p;
  std::string tries = (p.dir / "tries").string();
  p.write("r.flow", R"(
op always(tries: str, tag: str) -> (out: file) {
    retry { attempts = 2, exit_codes = [75] }
    run "echo ${tag} >> ${tries}; exit 75"
}
op again(tries: str, tag: str) -> (out: file) {
    retry 2
    run "echo ${tag} >> ${tries}; exit 1"
}
workflow main(tries: str) -> (a: file, b: file) {
    a = always(tries = tries, tag = "a")
    b = again(tries = tries, tag = "b")
    return (a = a.out, b = b.out)
}
)");
  auto r = p.flowc({"run", "r.flow", "-p", "tries=" + tries, "--keep-going"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  std::string log = p.read("tries");
  CHECK(occurrences(log, "a\n") == 2);
  CHECK(occurrences(log, "b\n") == 3);
  size_t started_a = 0, started_b = 0;
  std::set<int> attempts_a;
  for (const json& e : p.events()) {
    if (e["event"] != "started") continue;
    if (e["task"] == "main.a") {
      ++started_a;
      attempts_a.insert(e["attempt"].get<int>());
    }
    if (e["task"] == "main.b") ++started_b;
  }
  CHECK(started_a == 2);  // a started event per attempt, numbered
  CHECK(attempts_a == std::set<int>{1, 2});
  CHECK(started_b == 3);
  CHECK(p.count("retrying") == 3);
}

TEST_CASE("each attempt starts in an emptied work dir", "[run][retry]") {
  Project p;
  std::string marker = (p.dir / "first").string();
  p.write("f.flow", R"(
op twice(marker: str) -> (out: file) {
    retry { attempts = 2 }
    run """
        [ ! -e leftover ] || { echo "the last attempt's file is still here" >&2; exit 9; }
        if [ ! -e ${marker} ]; then touch ${marker} leftover; exit 1; fi
        echo ok > ${out}
    """
}
workflow main(marker: str) -> (out: file) { t = twice(marker = marker)  return (out = t.out) }
)");
  auto r = p.flowc({"run", "f.flow", "-p", "marker=" + marker});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.output_file("out") == "ok\n");
}

TEST_CASE("a failure the run tolerates is one warning, not an error and a note", "[run][report]") {
  Project p;
  p.write("o.flow", R"(
op maybe(i: int) -> (out: file) { run "if [ ${i} -eq 1 ]; then echo \"item ${i} broke\" >&2; exit 4; fi; echo ${i} > ${out}" }
workflow main() -> (outs: list[file], one: file?) {
    for i in range(4) with { min_success_ratio = 0.5 } {
        m = maybe(i = i)
    }
    o = maybe(i = 1) with { optional = true }
    return (outs = m.out, one = o.out)
}
)");
  auto r = p.flowc({"run", "o.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("flowc: error") == std::string::npos);
  // main.o is the same task as main.m[1]: whichever runs, its stderr is shown once.
  CHECK(occurrences(r.err, "item 1 broke") == 1);
  CHECK(occurrences(r.err, "flowc: warning: op `maybe` at main.") >= 1);
  CHECK(r.err.find("item 1 of the `for` at o.flow:4:5 is left out of its lists: it needs 2 of its 4 items") !=
        std::string::npos);
  CHECK(r.err.find("`main.o` is optional: its outputs are absent, and the run goes on") != std::string::npos);
  CHECK(r.err.find("note: main.m[1] is absent") == std::string::npos);
  CHECK(r.err.find("note: main.o is absent") == std::string::npos);
  CHECK(json::parse(p.read("flow-out/outputs.json"))["outs"].size() == 3);
}

TEST_CASE("a `for` left with too few items says so as an error", "[run][report]") {
  Project p;
  p.write("o.flow", R"(
op maybe(i: int) -> (out: file) { run "if [ ${i} -ge 1 ]; then exit 4; fi; echo ${i} > ${out}" }
workflow main() -> (outs: list[file]) {
    for i in range(3) with { min_success = 2 } {
        m = maybe(i = i)
    }
    return (outs = m.out)
}
)");
  auto r = p.flowc({"run", "o.flow", "-j", "1"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("flowc: error: main.for@4:5 (o.flow:4:5): 2 of 3 items failed; the `for` needs 2 to succeed") !=
        std::string::npos);
}

TEST_CASE("the summary counts every task: ran, cached, failed, not started", "[run][report]") {
  Project p;
  p.write("s.flow", R"(
op step(i: int) -> (out: file) { run "if [ ${i} -eq 0 ]; then exit 2; fi; echo ${i} > ${out}" }
workflow main() -> (outs: list[file]) {
    for i in range(4) { s = step(i = i) }
    return (outs = s.out)
}
)");
  auto r = p.flowc({"run", "s.flow", "-j", "1"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(": 4 tasks (0 ran, 0 cached, 1 failed, 3 not started)") != std::string::npos);
  json finished;
  for (const json& e : p.events()) {
    if (e["event"] == "run_finished") finished = e;
  }
  CHECK(finished["tasks"] == 4);
  CHECK(finished["not_started"] == 3);
  CHECK(finished["cancelled"] == 0);
}

TEST_CASE("the summary of an interrupted run counts the cancelled tasks", "[run][report]") {
  Project p;
  p.write("c.flow", R"(
op nap(i: int, dir: str) -> (out: file) { run "touch ${dir}/started.${i}; sleep 30; echo ${i} > ${out}" }
workflow main(dir: str) -> (outs: list[file]) {
    for i in range(3) { s = nap(i = i, dir = dir) }
    return (outs = s.out)
}
)");
  std::string out = p.path("out.txt"), err = p.path("err.txt");
  pid_t pid = flowc::test::start_flowc({"run", "c.flow", "-j", "1", "-p", "dir=" + p.dir.string()}, p.dir.string(), {},
                                       out, err);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!p.exists("started.0") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(p.exists("started.0"));
  ::kill(pid, SIGINT);
  CHECK(flowc::test::wait_exit(pid) == 130);
  std::string text = flowc::test::read_file(err);
  INFO(text);
  CHECK(text.find(": 3 tasks (0 ran, 0 cached, 1 cancelled, 2 not started)") != std::string::npos);
  CHECK(text.find("flowc: error") == std::string::npos);
}
