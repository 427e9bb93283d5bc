// Seeing runs: the plain log and the live line's text, what flowc runs,
// status, logs, show, trace and report say, --detach and cancel,
// $FLOWC_PROGRESS, and the resources measured for a task whose use is known
// (tests/observe/usage_probe.c), all through the real flowc binary on the
// local executor. (The same on containers and Slurm: tests/runtime/
// container_observe_test.cpp and slurm_observe_test.cpp.)
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/observe/monitor.h"
#include "runtime/observe/run_graph.h"
#include "runtime/observe/run_view.h"
#include "runtime/observe/usage.h"
#include "runtime/scheduler/plan.h"
#include "runtime/store/store.h"
#include "tests/support/project.h"
#include "tests/support/usage_probe.h"
#include "tests/support/test_support.h"

using flowc::test::Project;
using nlohmann::json;
namespace fs = std::filesystem;
namespace obs = flowc::runtime::observe;

namespace {

const char* kThree = R"(
op greet(name: str) -> (msg: file) {
    run "echo hello ${name} > ${msg}"
}
op concat(parts: list[file]) -> (all: file) {
    run "cat ${parts} > ${all}"
}
workflow main(names: list[str] = ["a", "b", "c"]) -> (all: file) {
    for n in names {
        g = greet(name = n)
    }
    c = concat(parts = g.msg)
    return (all = c.all)
}
)";

json parse(const std::string& text) {
  INFO(text);
  return json::parse(text);
}

bool wait_until(const std::function<bool()>& ok, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ok();
}

}  // namespace

TEST_CASE("without a terminal, flowc prints a line per task event and a summary line", "[observe]") {
  Project p;
  std::string slow = kThree;
  slow.replace(slow.find("echo hello"), 0, "sleep 0.2; ");
  p.write("wf.flow", slow);
  auto r = p.flowc({"run", "wf.flow", "--summary-interval", "0.05"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("started  main.g[0] (greet)") != std::string::npos);
  CHECK(std::regex_search(r.err, std::regex(R"(finished main\.g\[2\] \(greet\) in \d+\.\d\ds)")));
  CHECK(std::regex_search(r.err, std::regex(R"(finished main\.c \(concat\) in )")));
  // Each line starts with the clock.
  CHECK(std::regex_search(r.err, std::regex(R"(flowc: \d\d:\d\d started  main\.c )")));
  // The summary: done/total of what is known so far.
  CHECK(std::regex_search(r.err, std::regex(R"(flowc: \d\d:\d\d \d+/\d+ done)")));

  auto again = p.flowc({"run", "wf.flow"});
  INFO(again.err);
  CHECK(again.err.find("cached   main.g[1] (greet)") != std::string::npos);
  CHECK(again.err.find("started") == std::string::npos);
}

TEST_CASE("a failed task's line names its log", "[observe]") {
  Project p;
  p.write("wf.flow", R"(
op fail() -> (out: file) {
    run "echo broken >&2; exit 3"
}
workflow main() -> (out: file) {
    x = fail()
    return (out = x.out)
}
)");
  auto r = p.flowc({"run", "wf.flow"});
  REQUIRE(r.exit_code == 1);
  INFO(r.err);
  std::smatch m;
  REQUIRE(std::regex_search(r.err, m, std::regex(R"(failed   main\.x \(fail\) exit 3, log: (\S+/\.stderr))")));
  CHECK(fs::exists(m[1].str()));
  CHECK(flowc::test::read_file(m[1].str()) == "broken\n");
}

TEST_CASE("the live line counts what is known, says more is to come, names the longest-running task", "[observe]") {
  std::ostringstream lines;
  obs::RunMonitor monitor(obs::RunMonitor::Mode::Lines, lines, 1000);
  flowc::runtime::Counts c;
  c.total = 4;
  c.growing = true;
  c.running = 2;
  c.done = 1;
  c.cached = 1;
  monitor.event(json{{"event", "started"}, {"task", "main.g[0]"}, {"op", "greet"}, {"work_dir", "/nonexistent"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  monitor.event(json{{"event", "started"}, {"task", "main.g[1]"}, {"op", "greet"}, {"work_dir", "/nonexistent"}});
  std::string text = monitor.summary(c);
  INFO(text);
  CHECK(text.find("1/4 done (1 cached), + more to plan") == 0);
  CHECK(text.find("2 running: greet 2, longest main.g[0]") != std::string::npos);
  CHECK(text.find("ETA") == std::string::npos);  // nothing has finished yet
  c.growing = false;
  CHECK(monitor.summary(c).find("more to plan") == std::string::npos);
  // The plain log had a line for each start, written at the flush.
  CHECK(lines.str().empty());
  monitor.flush();
  CHECK(lines.str().find("started  main.g[1] (greet)") != std::string::npos);
}

TEST_CASE("an ETA appears once enough tasks ran", "[observe]") {
  std::ostringstream lines;
  obs::RunMonitor monitor(obs::RunMonitor::Mode::Quiet, lines);
  obs::RunMonitor counting(obs::RunMonitor::Mode::Lines, lines);
  for (int i = 0; i < 3; ++i) {
    std::string task = "main.g[" + std::to_string(i) + "]";
    counting.event(json{{"event", "started"}, {"task", task}, {"op", "g"}});
    counting.event(json{{"event", "finished"}, {"task", task}, {"op", "g"}, {"seconds", 0.1}});
  }
  flowc::runtime::Counts c;
  c.total = 6;
  c.done = 3;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(std::regex_search(counting.summary(c), std::regex(R"(ETA \d)")));
}

TEST_CASE("a progress file's last N/M line is the task's progress, anything else is not", "[observe]") {
  Project p;
  p.write("w/.flowc-progress", "10/100\n40/100\n");
  CHECK(obs::reported_progress(p.path("w")) == "40/100");
  p.write("w/.flowc-progress", "40/100\n<script>\n");
  CHECK(obs::reported_progress(p.path("w")).empty());
  CHECK(obs::reported_progress(p.path("nowhere")).empty());
}

TEST_CASE("file_tail gives the last lines of a file without reading all of it", "[observe]") {
  Project p;
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  p.write("log", text);
  CHECK(obs::file_tail(p.path("log"), 2, 1 << 20) == "line 998\nline 999\n");
  // Bounded by bytes: a cut first line is dropped.
  CHECK(obs::file_tail(p.path("log"), 100, 20) == "line 998\nline 999\n");
  p.write("one", "no newline");
  CHECK(obs::file_tail(p.path("one"), 3, 100) == "no newline");
}

TEST_CASE("the run's graph has a node per call site and an edge per dependency", "[observe]") {
  auto c = flowc::test::compile_ok(kThree);
  const auto& program = *c->program;
  json g = obs::workflow_graph(program, *program.find_workflow(program.entry));
  INFO(g.dump(2));
  REQUIRE(g["nodes"].size() == 2);
  CHECK(g["nodes"][0]["id"] == "main.g");
  CHECK(g["nodes"][0]["op"] == "greet");
  CHECK(g["nodes"][1]["id"] == "main.c");
  CHECK(g["edges"] == json::array({json::array({"main.g", "main.c"})}));
}

TEST_CASE("runs, status, logs, show and trace read a run's journal", "[observe]") {
  Project p;
  p.write("wf.flow", kThree);
  REQUIRE(p.flowc({"run", "wf.flow"}).exit_code == 0);

  auto runs = p.flowc({"runs", "--json"});
  REQUIRE(runs.exit_code == 0);
  json list = parse(runs.out);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["workflow"] == "main");
  CHECK(list[0]["state"] == "succeeded");
  CHECK(list[0]["counts"]["succeeded"] == 4);
  auto table = p.flowc({"runs"});
  CHECK(table.out.find("RAN/CACHED/FAILED") != std::string::npos);
  CHECK(table.out.find("4/0/0") != std::string::npos);

  auto status = p.flowc({"status", "--json"});
  REQUIRE(status.exit_code == 0);
  json s = parse(status.out);
  CHECK(s["ops"]["greet"]["succeeded"] == 3);
  CHECK(s["ops"]["concat"]["succeeded"] == 1);
  CHECK(s["running"].empty());
  auto text = p.flowc({"status"});
  CHECK(text.out.find("greet") != std::string::npos);

  auto logs = p.flowc({"logs", "main.c"});
  CHECK(logs.exit_code == 0);
  CHECK(logs.out.empty());  // its output went to a file
  auto show = p.flowc({"show", "main.g[1]", "--json"});
  REQUIRE(show.exit_code == 0);
  json t = parse(show.out);
  CHECK(t["state"] == "succeeded");
  CHECK(t["executor"] == "local");
  CHECK(t["command"].get<std::string>().find("echo hello 'b'") != std::string::npos);
  CHECK(t["inputs"]["name"] == "b");
  CHECK(t["outputs"]["msg"].get<std::string>().find(t["work_dir"].get<std::string>()) == 0);
  CHECK(t["usage"]["source"] == "rusage");
  // By a prefix of its key, as in its work dir.
  auto by_key = p.flowc({"show", t["key"].get<std::string>().substr(0, 10)});
  CHECK(by_key.out.find("task main.g[1] (op `greet`)") != std::string::npos);
  auto unknown = p.flowc({"show", "main.g[9]"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("has no task `main.g[9]`") != std::string::npos);

  auto trace = p.flowc({"trace"});
  REQUIRE(trace.exit_code == 0);
  std::istringstream lines(trace.out);
  std::string header;
  std::getline(lines, header);
  CHECK(header.rfind("task_id\thash\tnative_id\tprocess\tname\tstatus\texit", 0) == 0);
  CHECK(header.find("\trealtime\t%cpu\tpeak_rss\trchar\twchar\t") != std::string::npos);
  size_t rows = 0;
  for (std::string line; std::getline(lines, line);) {
    ++rows;
    CHECK(line.find("\tCOMPLETED\t0\t") != std::string::npos);
  }
  CHECK(rows == 4);
}

TEST_CASE("flowc report writes one HTML file that needs nothing from outside", "[observe]") {
  Project p;
  p.write("wf.flow", kThree);
  auto r = p.flowc({"run", "wf.flow", "--report", "r.html"});
  REQUIRE(r.exit_code == 0);
  std::string html = p.read("r.html");
  CHECK(html.find("Content-Security-Policy") != std::string::npos);
  CHECK(html.find("default-src 'none'") != std::string::npos);
  CHECK(html.find("<script src") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("id=\"flowc-data\"") != std::string::npos);
  auto again = p.flowc({"report", "-o", "again.html"});
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("report of run") != std::string::npos);
  auto none = Project().flowc({"report"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("there is no run here yet") != std::string::npos);
}

TEST_CASE("a task's resources are measured: memory, CPU time, bytes written, beside what it asked for",
          "[observe][resources]") {
  Project p;
  p.write("wf.flow", flowc::test::usage_probe_flow("str", "    resources { mem = 512MiB }", 3000000));
  auto r = p.flowc({"run", "wf.flow", "-p", std::string("exe=") + USAGE_PROBE});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json t = parse(p.flowc({"show", "main.p", "--json"}).out);
  json u = t["usage"];
  // The probe burns 0.6 s by its own CPU clock (user + system: touching
  // 200 MiB costs the kernel time too), mostly in user mode.
  flowc::test::check_probe_usage(u, 0.58, 3000000, 512 * 1024 * 1024);
  CHECK(u["source"] == "rusage");
  CHECK(u["rss"].get<double>() < 400.0 * 1024 * 1024);
  CHECK(u["user"].get<double>() + u["sys"].get<double>() < 5);
  CHECK(u["wall"].get<double>() >= 0.55);
  CHECK(u["requested"]["cpus"] == 1);
  auto text = p.flowc({"show", "main.p"});
  CHECK(std::regex_search(text.out, std::regex(R"(peak memory 2\d\d MiB of 512 MiB requested \(\d+%\))")));
  auto logs = p.flowc({"logs", "main.p"});
  CHECK(logs.out.find("allocated 200 MiB") != std::string::npos);
}

TEST_CASE("run --detach prints the run's id; status follows it, progress shows, cancel stops it", "[observe]") {
  Project p;
  p.write("wf.flow", R"(
op slow(n: int) -> (out: file) {
    run """
        echo 40/100 >> "$FLOWC_PROGRESS"
        echo working
        sleep 60
        echo ${n} > ${out}
    """
}
workflow main() -> (out: file) {
    s = slow(n = 1)
    return (out = s.out)
}
)");
  auto d = p.flowc({"run", "wf.flow", "--detach"});
  INFO(d.err);
  REQUIRE(d.exit_code == 0);
  std::string id = d.out.substr(0, d.out.find('\n'));
  REQUIRE(std::regex_match(id, std::regex(R"(\d{8}-\d{6}-\d{3}[0-9a-f]{2})")));
  json s;
  REQUIRE(wait_until(
      [&] {
        s = parse(p.flowc({"status", id, "--json"}).out);
        return !s["running"].empty() && s["running"][0].contains("progress");
      },
      30));
  CHECK(s["state"] == "running");
  CHECK(s["running"][0]["path"] == "main.s");
  CHECK(s["running"][0]["executor"] == "local");
  CHECK(s["running"][0]["job"].get<std::string>().rfind("pid ", 0) == 0);
  CHECK(s["running"][0]["progress"] == "40/100");
  auto text = p.flowc({"status", id});
  CHECK(text.out.find("40/100") != std::string::npos);
  CHECK(wait_until([&] { return p.flowc({"logs", "main.s"}).out == "working\n"; }, 10));

  auto c = p.flowc({"cancel", id.substr(0, 17)});
  INFO(c.err);
  CHECK(c.exit_code == 0);
  CHECK(c.err.find("cancelled") != std::string::npos);
  s = parse(p.flowc({"status", id, "--json"}).out);
  CHECK(s["state"] == "cancelled");
  CHECK(s["counts"]["cancelled"] == 1);
  auto again = p.flowc({"cancel", id});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("is not running") != std::string::npos);
}

TEST_CASE("logs --follow prints a running task's output until it ends", "[observe]") {
  Project p;
  p.write("wf.flow", R"(
op talk() -> (out: file) {
    run """
        for i in 1 2 3 4; do echo "line $i"; sleep 0.4; done
        echo done > ${out}
    """
}
workflow main() -> (out: file) {
    t = talk()
    return (out = t.out)
}
)");
  auto d = p.flowc({"run", "wf.flow", "--detach"});
  REQUIRE(d.exit_code == 0);
  REQUIRE(wait_until([&] { return p.flowc({"show", "main.t", "--json"}).exit_code == 0; }, 20));
  auto f = p.flowc({"logs", "main.t", "--follow"});
  CHECK(f.exit_code == 0);
  CHECK(f.out == "line 1\nline 2\nline 3\nline 4\n");
}

TEST_CASE("a detached run that cannot start says why", "[observe]") {
  Project p;
  p.write("wf.flow", kThree);
  auto d = p.flowc({"run", "wf.flow", "--detach", "-p", "nmes=[]"});
  CHECK(d.exit_code == 2);
  CHECK(d.err.find("the run did not start") != std::string::npos);
  CHECK(d.err.find("nmes") != std::string::npos);
}

TEST_CASE("a journal written before resources were kept is read, and upgraded", "[observe]") {
  Project p;
  fs::create_directories(p.path(".flow"));
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(p.path(".flow/flow.db").c_str(), &db) == SQLITE_OK);
  // The version 2 tables, as flowc wrote them before.
  const char* v2 = R"sql(
CREATE TABLE runs (id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL, status TEXT NOT NULL, meta TEXT NOT NULL);
CREATE TABLE tasks (run_id TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL, state TEXT NOT NULL,
  exit_code INTEGER NOT NULL, work_dir TEXT NOT NULL, started REAL NOT NULL, finished REAL NOT NULL,
  attempt INTEGER NOT NULL, error TEXT NOT NULL, manifest TEXT NOT NULL, pid INTEGER NOT NULL,
  pid_start INTEGER NOT NULL, job TEXT NOT NULL DEFAULT '', PRIMARY KEY (run_id, path));
INSERT INTO runs VALUES ('20260101-000000-00000', 1767225600, 1767225601, 'succeeded', '{"workflow":"main"}');
INSERT INTO tasks VALUES ('20260101-000000-00000', 'main.g', 'abcdef0123', 'greet', 'succeeded', 0, '/w', 1767225600,
  1767225601, 1, '', '', 0, 0, '');
PRAGMA user_version = 2;
)sql";
  REQUIRE(sqlite3_exec(db, v2, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto status = p.flowc({"status", "--json"});
  INFO(status.err);
  REQUIRE(status.exit_code == 0);
  CHECK(parse(status.out)["ops"]["greet"]["succeeded"] == 1);
  auto trace = p.flowc({"trace"});
  CHECK(trace.out.find("main.g\tCOMPLETED\t0\t1\t-\t-\t-") != std::string::npos);
}

TEST_CASE("run --until runs only what a call needs", "[observe][targets]") {
  Project p;
  p.write("wf.flow", R"(
op make(n: int) -> (out: file) {
    run "echo ${n} > ${out}"
}
op use(x: file) -> (out: file) {
    run "cat ${x} > ${out}; echo used >> ${out}"
}
op other() -> (out: file) {
    run "echo other > ${out}"
}
workflow main() -> (a: file, b: file) {
    m = make(n = 1)
    u = use(x = m.out)
    o = other()
    return (a = u.out, b = o.out)
}
)");
  auto r = p.flowc({"run", "wf.flow", "--until", "u"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("finished main.m (make)") != std::string::npos);
  CHECK(r.err.find("finished main.u (use)") != std::string::npos);
  CHECK(r.err.find("main.o") == std::string::npos);
  CHECK(r.err.find("ran what `u` needs") != std::string::npos);
  CHECK_FALSE(p.exists("flow-out/outputs.json"));
  auto bad = p.flowc({"run", "wf.flow", "--until", "nothing"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("`nothing` is no call of workflow `main`; its calls are: main.m, main.o, main.u") !=
        std::string::npos);
}

TEST_CASE("run --rerun runs a call and what reads from it again, reusing the rest", "[observe][targets]") {
  Project p;
  p.write("wf.flow", R"(
op make(n: int) -> (out: file) {
    run "echo ${n} > ${out}"
}
op use(x: file) -> (out: file) {
    run "cat ${x} > ${out}"
}
op other() -> (out: file) {
    run "echo other > ${out}"
}
workflow main(ns: list[int] = [1, 2]) -> (a: list[file], b: file) {
    for n in ns {
        m = make(n = n)
        u = use(x = m.out)
    }
    o = other()
    return (a = u.out, b = o.out)
}
)");
  REQUIRE(p.flowc({"run", "wf.flow"}).exit_code == 0);
  auto r = p.flowc({"run", "wf.flow", "--rerun", "main.m[1]"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("finished main.m[1] (make)") != std::string::npos);
  CHECK(r.err.find("cached   main.m[0] (make)") != std::string::npos);
  // Everything downstream of `m` ran again, though its input did not change.
  CHECK(r.err.find("finished main.u[0] (use)") != std::string::npos);
  CHECK(r.err.find("finished main.u[1] (use)") != std::string::npos);
  CHECK(r.err.find("cached   main.o (other)") != std::string::npos);
  auto by_op = p.flowc({"run", "wf.flow", "--rerun", "other"});
  CHECK(by_op.err.find("finished main.o (other)") != std::string::npos);
  CHECK(by_op.err.find("cached   main.m[0] (make)") != std::string::npos);
  CHECK(p.flowc({"explain", "main.o"}).out.find("--rerun") != std::string::npos);
}

TEST_CASE("the plan says it may grow while calls and fan-outs are still to be reached", "[observe]") {
  auto c = flowc::test::compile_ok(R"(
op count(n: int) -> (k: int) {
    run "echo ${n} > ${k}"
}
op show(i: int) -> (out: file) {
    run "echo ${i} > ${out}"
}
workflow main() -> (outs: list[file]) {
    a = count(n = 3)
    for i in range(a.k) {
        s = show(i = i)
    }
    return (outs = s.out)
}
)");
  const auto& program = *c->program;
  flowc::runtime::Plan plan(program, *program.find_workflow(program.entry), json::object(), {});
  auto first = plan.take_ready();
  REQUIRE(first.size() == 1);
  CHECK(plan.tasks_made() == 1);
  CHECK(plan.growing());  // the `for` waits for a.k: how many is not known yet
  plan.succeeded(first[0], {{"k", 3}});
  auto items = plan.take_ready();
  CHECK(items.size() == 3);
  CHECK_FALSE(plan.growing());  // everything there is to plan is planned
  for (auto id : items) plan.succeeded(id, {{"out", "/w"}});
  CHECK(plan.finished());
  CHECK_FALSE(plan.growing());
}
