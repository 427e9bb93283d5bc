// `flowc run` end to end: the real binary, real processes, in a scratch
// folder per test.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/store/store.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::CommandResult;
using flowc::test::processes_with;
using nlohmann::json;

namespace {

using flowc::test::Project;

const char* kHello = R"(
op greet(name: str) -> (msg: file) {
    run """
        echo "Hello, ${name}!" > ${msg}
    """
}
op concat(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main(names: list[str] = ["Ada", "Grace", "Linus"]) -> (greeting: file) {
    for n in names { g = greet(name = n) }
    c = concat(parts = g.msg)
    return (greeting = c.all)
}
)";

// The processes (not zombies) whose process group is one of `groups`.
std::vector<pid_t> living_in_groups(const std::set<pid_t>& groups) {
  std::vector<pid_t> found;
  DIR* proc = opendir("/proc");
  while (dirent* e = readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::string text = flowc::test::read_proc_file(pid, "stat");
    size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));
    std::string state;
    pid_t ppid = 0, pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (state != "Z" && groups.count(pgrp)) found.push_back(pid);
  }
  closedir(proc);
  return found;
}

}  // namespace

TEST_CASE("a run publishes its outputs, a second run reuses every task", "[run]") {
  Project p;
  p.write("hello.flow", kHello);
  auto first = p.flowc({"run", "hello.flow"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.find("4 tasks (4 ran, 0 cached)") != std::string::npos);
  CHECK(first.err.find("outputs in flow-out/") != std::string::npos);
  json outputs = json::parse(p.read("flow-out/outputs.json"));
  std::string greeting = outputs["greeting"];
  CHECK(fs::path(greeting).parent_path() == p.dir / "flow-out" / "greeting");
  CHECK(flowc::test::read_file(greeting) == "Hello, Ada!\nHello, Grace!\nHello, Linus!\n");

  auto second = p.flowc({"run", "hello.flow"});
  REQUIRE(second.exit_code == 0);
  CHECK(second.err.find("4 tasks (0 ran, 4 cached)") != std::string::npos);
  CHECK(p.count("cached") == 4);
  CHECK(p.count("started") == 0);
  CHECK(flowc::test::read_file(json::parse(p.read("flow-out/outputs.json"))["greeting"]) ==
        "Hello, Ada!\nHello, Grace!\nHello, Linus!\n");
}

TEST_CASE("a rerun with nothing to do still notices an edited output and an edited input file", "[run]") {
  // The no-op rerun reads less than it did (no manifests, the run's inputs
  // resolved only when an output leads out): what changed must still run.
  Project p;
  p.write("a.txt", "a\n");
  p.write("b.txt", "b\n");
  p.write("f.flow", R"(
op up(f: file) -> (o: file) { run "tr a-z A-Z < ${f} > ${o}" }
op join(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main(files: list[file]) -> (all: file) {
    for f in files { u = up(f = f) }
    j = join(parts = u.o)
    return (all = j.all)
})");
  std::vector<std::string> run = {"run", "f.flow", "-p", R"(files=["a.txt", "b.txt"])"};
  REQUIRE(p.flowc(run).exit_code == 0);
  auto same = p.flowc(run);
  REQUIRE(same.exit_code == 0);
  CHECK(same.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
  // An output of one item edited behind flowc's back: that item runs again.
  std::string work_out;
  for (const json& e : p.events()) {
    if (e["event"] == "cached" && e["task"] == "main.u[1]") work_out = e["work_dir"].get<std::string>() + "/o";
  }
  REQUIRE_FALSE(work_out.empty());
  flowc::test::write_file(work_out, "tampered\n");
  auto fixed = p.flowc(run);
  INFO(fixed.err);
  REQUIRE(fixed.exit_code == 0);
  CHECK(fixed.err.find("3 tasks (1 ran, 2 cached)") != std::string::npos);
  CHECK(flowc::test::read_file(json::parse(p.read("flow-out/outputs.json"))["all"]) == "A\nB\n");
  // An input file edited (same size): its item and the join run again.
  p.write("a.txt", "c\n");
  auto edited = p.flowc(run);
  REQUIRE(edited.exit_code == 0);
  CHECK(edited.err.find("3 tasks (2 ran, 1 cached)") != std::string::npos);
  CHECK(flowc::test::read_file(json::parse(p.read("flow-out/outputs.json"))["all"]) == "C\nB\n");
}

TEST_CASE("changing one input reruns exactly what depends on it", "[run]") {
  Project p;
  p.write("hello.flow", kHello);
  REQUIRE(p.flowc({"run", "hello.flow"}).exit_code == 0);
  auto r = p.flowc({"run", "hello.flow", "-p", R"(names=["Ada", "Grace", "Barbara"])"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("4 tasks (2 ran, 2 cached)") != std::string::npos);
  std::set<std::string> ran;
  for (const json& e : p.events()) {
    if (e["event"] == "started") ran.insert(e["task"].get<std::string>());
  }
  CHECK(ran == std::set<std::string>{"main.g[2]", "main.c"});
  auto why = p.flowc({"explain", "main.g[2]"});
  CHECK(why.exit_code == 0);
  CHECK(why.out.find("input `name` changed: \"Linus\" → \"Barbara\"") != std::string::npos);
  auto why_gather = p.flowc({"explain", "main.c"});
  CHECK(why_gather.out.find("the content of item 2 of input `parts`") != std::string::npos);
  auto reused = p.flowc({"explain", "main.g[0]"});
  CHECK(reused.out.find("was reused") != std::string::npos);
  CHECK(p.flowc({"explain", "main.zz"}).exit_code == 1);
}

TEST_CASE("re-indenting a command keeps the cache, changing it does not", "[run]") {
  Project p;
  p.write("w.flow", kHello);
  REQUIRE(p.flowc({"run", "w.flow"}).exit_code == 0);
  std::string reindented = kHello;
  reindented.replace(reindented.find("        echo"), 8, "            ");
  p.write("w.flow", reindented);
  CHECK(p.flowc({"run", "w.flow"}).err.find("(0 ran, 4 cached)") != std::string::npos);
  std::string changed = kHello;
  changed.replace(changed.find("Hello"), 5, "Howdy");
  p.write("w.flow", changed);
  CHECK(p.flowc({"run", "w.flow"}).err.find("(4 ran, 0 cached)") != std::string::npos);
  CHECK(p.flowc({"explain", "main.g[0]"}).out.find("the op's definition changed (command)") != std::string::npos);
  CHECK(p.flowc({"run", "w.flow", "--fresh"}).err.find("(4 ran, 0 cached)") != std::string::npos);
}

TEST_CASE("a value is passed literally, never run as shell", "[run]") {
  Project p;
  p.write("echo.flow", R"(
op say(text: str) -> (bare: file, quoted: file, single: file) {
    run """
        printf '%s' ${text} > ${bare}
        printf '%s' "${text}" > ${quoted}
        printf '%s' '${text}' > ${single}
    """
}
workflow main(text: str) -> (bare: file, quoted: file, single: file) {
    s = say(text = text)
    return (bare = s.bare, quoted = s.quoted, single = s.single)
})");
  for (std::string value : {std::string("x'; touch PWNED; echo '"), std::string("$(touch PWNED)"),
                            std::string("`touch PWNED` \"quoted\" \\ back\\slash $HOME"), std::string("a\nb  c")}) {
    auto r = p.flowc({"run", "echo.flow", "-p", "text=" + value, "--fresh"});
    INFO(value << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(p.exists("PWNED"));
    json out = json::parse(p.read("flow-out/outputs.json"));
    CHECK(flowc::test::read_file(out["bare"]) == value);
    CHECK(flowc::test::read_file(out["quoted"]) == value);
    CHECK(flowc::test::read_file(out["single"]) == value);
  }
}

TEST_CASE("each broken task gets its own clear error, the others' results are kept", "[run]") {
  Project p;
  p.write("broken.flow", R"(
op escape() -> (out: file = "../escaped.txt") { run "echo x > ${out}" }
op link_out() -> (out: file) { run "ln -s /etc/hostname ${out}" }
op wrong_type() -> (n: int) { run "echo twelve > ${n}" }
op missing() -> (out: file) { run "true" }
op slow() -> (out: file) {
    timeout 1s
    run "sleep 30 && echo late > ${out}"
}
op killed() -> (out: file) { run "kill -9 $$" }
op fine(x: int) -> (out: file) { run "echo ${x} > ${out}" }
workflow main() {
    a = escape()
    b = link_out()
    c = wrong_type()
    d = missing()
    e = slow()
    f = killed()
    g = fine(x = 7)
})");
  auto r = p.flowc({"run", "broken.flow", "--keep-going"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("main.a") != std::string::npos);
  CHECK(r.err.find("outside the task's work dir") != std::string::npos);
  CHECK(r.err.find("leads outside the task's work dir") != std::string::npos);
  CHECK(r.err.find("value output `n` (int): expected an int") != std::string::npos);
  CHECK(r.err.find("did not write output `out` (file)") != std::string::npos);
  CHECK(r.err.find("ran longer than its timeout of 1s") != std::string::npos);
  CHECK(r.err.find("was killed by SIGKILL (9)") != std::string::npos);
  CHECK(r.err.find("broken.flow:") != std::string::npos);  // the call site
  CHECK(r.err.find("work dir: ") != std::string::npos);
  CHECK(r.err.find("(1 ran, 0 cached, 6 failed)") != std::string::npos);
  CHECK_FALSE(p.exists("escaped.txt"));
  // The good task's result is kept: a second run reuses it.
  auto again = p.flowc({"run", "broken.flow", "--keep-going"});
  CHECK(again.err.find("(0 ran, 1 cached, 6 failed)") != std::string::npos);
}

TEST_CASE("a task that changes its input fails, and the input's maker reruns", "[run]") {
  Project p;
  p.write("data.txt", "original\n");
  p.write("m.flow", R"(
op copy(f: file) -> (o: file) { run "cp ${f} ${o}" }
op vandal(f: file) -> (o: file) { run "echo gone > ${f}; echo x > ${o}" }
workflow main(f: file) { c = copy(f = f)  v = vandal(f = c.o) })");
  auto r = p.flowc({"run", "m.flow", "-p", "f=data.txt"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("changed its input") != std::string::npos);
  CHECK(r.err.find("which is not its own") != std::string::npos);
  CHECK(p.read("data.txt") == "original\n");  // the user's file was never at risk here
  // The damaged upstream output is not trusted again: copy runs anew.
  auto again = p.flowc({"run", "m.flow", "-p", "f=data.txt"});
  CHECK(again.err.find("(1 ran, 0 cached, 1 failed)") != std::string::npos);
  CHECK(p.flowc({"explain", "main.c"}).out.find("was changed after it was made") != std::string::npos);
}

TEST_CASE("a failure names the op, the call site, the exit code, the work dir and stderr", "[run]") {
  Project p;
  p.write("f.flow", R"(
op boom(x: int) -> (out: file) {
    run """
        echo "something went wrong with ${x}" >&2
        exit 3
    """
}
workflow main() { b = boom(x = 1) })");
  auto r = p.flowc({"run", "f.flow"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("op `boom` at main.b (f.flow:8:19) exited with code 3") != std::string::npos);
  CHECK(r.err.find("work dir: " + (p.dir / ".flow" / "work").string()) != std::string::npos);
  CHECK(r.err.find("something went wrong with 1") != std::string::npos);
  CHECK(p.count("failed") == 1);
}

TEST_CASE("retry runs transient failures again, and only those", "[run]") {
  Project p;
  std::string counter = (p.dir / "attempts").string();
  p.write("r.flow", R"(
op flaky(counter: str, code: int) -> (out: file) {
    retry { attempts = 3, exit_codes = [75] }
    run """
        n=$(cat ${counter} 2>/dev/null || echo 0)
        echo $((n + 1)) > ${counter}
        [ "$n" -ge 2 ] || exit ${code}
        echo done > ${out}
    """
}
workflow main(counter: str, code: int) -> (out: file) { f = flaky(counter = counter, code = code)  return (out = f.out) })");
  auto ok = p.flowc({"run", "r.flow", "-p", "counter=" + counter, "-p", "code=75"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(p.read("attempts") == "3\n");
  CHECK(p.count("retrying") == 2);

  fs::remove(counter);
  auto permanent = p.flowc({"run", "r.flow", "-p", "counter=" + counter, "-p", "code=3"});
  CHECK(permanent.exit_code == 1);
  CHECK(p.read("attempts") == "1\n");  // 3 is not declared transient: no retry
  CHECK(p.count("retrying") == 0);
}

TEST_CASE("a timeout stops the task's whole process group", "[run]") {
  Project p;
  p.write("t.flow", R"(
op hang(marker: str) -> (out: file) {
    timeout 1s
    run """
        sleep 47 &
        sh -c 'sleep 48; true ${marker}' &
        wait
    """
}
workflow main(marker: str) { h = hang(marker = marker) })");
  std::string marker = "flowc-timeout-marker-" + std::to_string(::getpid());
  auto start = std::chrono::steady_clock::now();
  auto r = p.flowc({"run", "t.flow", "-p", "marker=" + marker});
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ran longer than its timeout of 1s") != std::string::npos);
  CHECK(seconds < 15);
  CHECK(processes_with(marker).empty());
}

TEST_CASE("inputs are checked before anything starts", "[run]") {
  Project p;
  p.write("in.flow", R"(
op use(n: int, f: file) -> (o: file) { run "cat ${f} > ${o}" }
workflow main(n: int, data: file, names: list[str] = []) { u = use(n = n, f = data) })");
  auto missing = p.flowc({"run", "in.flow"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("input `n` (int) is required") != std::string::npos);
  CHECK(missing.err.find("input `data` (file) is required") != std::string::npos);
  CHECK(missing.err.find("nothing was run") != std::string::npos);
  CHECK_FALSE(p.exists(".flow/work"));

  auto typed = p.flowc({"run", "in.flow", "-p", "n=twelve", "-p", "data=nope.txt", "-p", "nmes=[]"});
  CHECK(typed.exit_code == 2);
  CHECK(typed.err.find("input `n` should be int") != std::string::npos);
  CHECK(typed.err.find("input `data`: `nope.txt` does not exist") != std::string::npos);
  CHECK(typed.err.find("workflow `main` has no input `nmes`") != std::string::npos);

  p.write("params.json", R"({"n": 3, "data": "in.flow", "names": ["a", 2]})");
  auto json_params = p.flowc({"run", "in.flow", "--params", "params.json"});
  CHECK(json_params.exit_code == 2);
  CHECK(json_params.err.find("input `names` in `params.json` should be list[str]") != std::string::npos);
}

TEST_CASE("log format json writes every event as a JSON line", "[run]") {
  Project p;
  p.write("hello.flow", kHello);
  auto r = p.flowc({"run", "hello.flow", "--log-format", "json"});
  REQUIRE(r.exit_code == 0);
  std::vector<json> events;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) events.push_back(json::parse(line));
  REQUIRE(events.size() >= 10);
  CHECK(events.front()["event"] == "run_started");
  CHECK(events.back()["event"] == "run_finished");
  CHECK(events.back()["status"] == "succeeded");
  for (const json& e : events) {
    CHECK(e.contains("time"));
    if (e["event"] == "finished") {
      CHECK(e["exit_code"] == 0);
      CHECK(e.contains("work_dir"));
      CHECK(e.contains("seconds"));
    }
  }
}

TEST_CASE("a dry run plans without running", "[run]") {
  Project p;
  p.write("many.flow", R"(
op step(i: int) -> (o: int) { run "echo ${i} > ${o}" }
workflow main(n: int = 5000) { for i in range(n) { s = step(i = i) } })");
  auto r = p.flowc({"run", "many.flow", "--dry-run"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("5000 tasks can start now") != std::string::npos);
  CHECK_FALSE(p.exists(".flow/work/00"));
}

TEST_CASE("clean removes work dirs the last run did not use", "[run]") {
  Project p;
  p.write("hello.flow", kHello);
  REQUIRE(p.flowc({"run", "hello.flow"}).exit_code == 0);
  REQUIRE(p.flowc({"run", "hello.flow", "-p", R"(names=["Zed"])"}).exit_code == 0);
  auto dry = p.flowc({"clean", "--dry-run"});
  CHECK(dry.err.find("would remove 4 work dirs") != std::string::npos);
  auto c = p.flowc({"clean"});
  CHECK(c.err.find("removed 4 work dirs") != std::string::npos);
  CHECK(c.err.find("kept 2") != std::string::npos);
  // The last run's tasks are still cached; the removed ones run again.
  CHECK(p.flowc({"run", "hello.flow", "-p", R"(names=["Zed"])"}).err.find("(0 ran, 2 cached)") != std::string::npos);
  CHECK(p.flowc({"run", "hello.flow"}).err.find("(4 ran, 0 cached)") != std::string::npos);
}

TEST_CASE("an IR file runs like its source", "[run]") {
  Project p;
  p.write("hello.flow", kHello);
  REQUIRE(p.flowc({"build", "hello.flow", "-o", "hello.ir.json"}).exit_code == 0);
  auto r = p.flowc({"run", "hello.ir.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("4 tasks (4 ran") != std::string::npos);
}

TEST_CASE("a task asking for more than the machine has fails clearly", "[run]") {
  Project p;
  p.write("big.flow", R"(
op huge() -> (o: file) {
    resources { cpus = 4096 }
    run "echo > ${o}"
}
op hungry() -> (o: file) {
    resources { mem = 64TiB }
    run "echo > ${o}"
}
workflow main() { h = huge()  m = hungry() })");
  auto r = p.flowc({"run", "big.flow", "-k"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("asks for 4096 cpus; this machine has") != std::string::npos);
  CHECK(r.err.find("asks for 64TiB of memory") != std::string::npos);
}

TEST_CASE("Ctrl-C stops every task and leaves nothing running", "[run][signals]") {
  Project p;
  std::string marker = "flowc-sigint-marker-" + std::to_string(::getpid());
  p.write("s.flow", R"(
op wait_long(marker: str, i: int) -> (o: file) { run "sh -c 'sleep 39' ${marker}; echo ${i} > ${o}" }
workflow main(marker: str) { for i in range(4) { w = wait_long(marker = marker, i = i) } })");
  std::string out = (p.dir / "out.txt").string(), err = (p.dir / "err.txt").string();
  pid_t pid =
      flowc::test::start_flowc({"run", "s.flow", "-j", "2", "-p", "marker=" + marker}, p.dir.string(), {}, out, err);
  // Wait until two tasks run.
  for (int i = 0; i < 200 && processes_with(marker).size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(processes_with(marker).size() >= 2);
  ::kill(pid, SIGINT);
  int code = flowc::test::wait_exit(pid);
  CHECK(code == 130);
  CHECK(processes_with(marker).empty());
  std::string messages = flowc::test::read_file(err);
  CHECK(messages.find("interrupt received: stopping 2 running tasks") != std::string::npos);
  CHECK(messages.find("cancelled") != std::string::npos);
  CHECK(p.count("cancelled") == 2);
}

TEST_CASE("kill -9 at random moments never loses, redoes or trusts half-written work", "[run][reliability]") {
  Project p;
  fs::create_directories(p.dir / "ledgers");
  // Each task notes its number and process group in the round's ledger when
  // it starts, writes its output in two halves with a pause between, and
  // every 50th leaves a child running in its group (stopped with the group
  // when the task ends, or by the next run when flowc was killed).
  p.write("k.flow", R"(
op work(i: int) -> (o: file) {
    run """
        echo "${i} $$" >> "$LEDGER"
        printf 'begin %d\n' ${i} > ${o}
        if [ $((${i} % 50)) -eq 7 ]; then sleep 300 & fi
        sleep 0.0$((${i} % 3))
        printf 'end %d\n' ${i} >> ${o}
    """
}
op gather(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main(n: int = 500) -> (all: file) {
    for i in range(n) { w = work(i = i) }
    g = gather(parts = w.o)
    return (all = g.all)
})");
  constexpr int kTasks = 500, kKills = 40;
  std::mt19937 rng(4242);
  std::uniform_int_distribution<int> when(40, 700);
  int killed = 0;
  std::set<pid_t> groups;  // every task's process group, from the ledgers
  size_t checked_entries = 0;
  for (int round = 0; round <= kKills; ++round) {
    // The tasks whose success the journal holds before this round: none of
    // them may start again. Every cached output must be whole.
    std::set<std::string> journaled;
    if (p.exists(".flow/flow.db")) {
      auto store = flowc::runtime::Store::open((p.dir / ".flow" / "flow.db").string());
      for (const auto& run : store->recent_runs(100)) {
        for (const auto& t : store->tasks(run.id)) {
          if (t.state == flowc::runtime::TaskState::Succeeded || t.state == flowc::runtime::TaskState::Cached)
            journaled.insert(t.path);
          if (t.state != flowc::runtime::TaskState::Succeeded || t.op != "work") continue;
          auto entry = store->cache_find(t.key);
          if (!entry) continue;
          std::string text = flowc::test::read_file(entry->outputs["o"].get<std::string>());
          std::string i = t.path.substr(7, t.path.size() - 8);  // main.w[I]
          INFO("round " << round << ": the cached output of " << t.path << " is not whole");
          CHECK(text == "begin " + i + "\nend " + i + "\n");
          ++checked_entries;
        }
      }
    }
    std::string ledger = (p.dir / "ledgers" / ("round" + std::to_string(round))).string();
    std::string out = (p.dir / "o.txt").string(), err = (p.dir / "e.txt").string();
    pid_t pid = flowc::test::start_flowc({"run", "k.flow", "-j", "2"}, p.dir.string(), {"LEDGER=" + ledger}, out, err);
    if (round < kKills) {
      std::this_thread::sleep_for(std::chrono::milliseconds(when(rng)));
      if (::kill(pid, SIGKILL) == 0) ++killed;
    }
    int code = flowc::test::wait_exit(pid);
    if (round == kKills) {
      INFO(flowc::test::read_file(err));
      REQUIRE(code == 0);
    }
    std::ifstream in(ledger);
    for (int i, group; in >> i >> group;) {
      groups.insert(group);
      INFO("round " << round << ": task main.w[" << i << "] ran again after its success was journaled");
      CHECK(journaled.count("main.w[" + std::to_string(i) + "]") == 0);
    }
  }
  CHECK(killed >= kKills * 3 / 4);
  CHECK(checked_entries > 0);
  // A byte-exact gather.
  std::string expected;
  for (int i = 0; i < kTasks; ++i) expected += fmt::format("begin {}\nend {}\n", i, i);
  CHECK(p.output_file("all") == expected);
  // Nothing left running: no process in any task's process group (a task
  // left running by a killed flowc is stopped by the next run, with what it
  // started).
  std::vector<pid_t> left = living_in_groups(groups);
  for (pid_t pid : left) ::kill(pid, SIGKILL);  // not to leave them to the next test
  INFO(left.size() << " processes of tasks' process groups are still running");
  CHECK(left.empty());
}
