// The run loop driven in-process by a fake executor (fake_executor.h): no
// process starts, each case takes milliseconds. What the loop decides —
// order, retries, timeouts, cancellation, adoption after a crash, identical
// tasks, fan-outs that tolerate failures, the failure report's words for
// each end reason, the journal — is checked here; that real executors do
// what they say is checked end to end elsewhere.
#include <algorithm>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "runtime/store/store.h"
#include "tests/runtime/fake_executor.h"
#include "tests/support/project.h"

namespace fs = std::filesystem;
using flowc::runtime::Outcome;
using flowc::runtime::RunOptions;
using flowc::runtime::Store;
using flowc::runtime::TaskState;
using flowc::test::Act;
using flowc::test::ends;
using flowc::test::FakeRun;
using flowc::test::FakeWorld;
using flowc::test::Project;
using flowc::test::run_fake;
using flowc::test::writes;
using How = Outcome::How;
using Strings = std::vector<std::string>;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

size_t count(const Strings& v, const std::string& s) { return std::count(v.begin(), v.end(), s); }

// Every task succeeds, writing `out` (its path, as text).
Act succeed_with_path(const flowc::runtime::LaunchSpec& spec, int) { return writes({{"out", spec.job_name + "\n"}}); }

std::map<std::string, TaskState> journal(const Project& p, const std::string& run_id) {
  auto store = Store::open(p.state_dir() + "/flow.db");
  std::map<std::string, TaskState> out;
  for (const auto& t : store->tasks(run_id)) out[t.path] = t.state;
  return out;
}

// A workflow of one call `a` of op `name`, whose body has `clauses` before its command.
std::string one_call(const std::string& name, const std::string& clauses) {
  return "op " + name + "(tag: str) -> (out: file) {\n" + clauses + "\n    run \"echo ${tag} > ${out}\"\n}\n" +
         "workflow main() -> (a: file) {\n    a = " + name + "(tag = \"a\")\n    return (a = a.out)\n}\n";
}

const char* kChain = R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
op use(f: file) -> (out: file) { run "cat ${f} > ${out}" }
workflow main() -> (a: file, b: file) {
    a = make(tag = "a")
    b = use(f = a.out)
    return (a = a.out, b = b.out)
}
)";

const char* kOne = R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
workflow main() -> (a: file) {
    a = make(tag = "a")
    return (a = a.out)
}
)";

const std::string kRetry = one_call("flaky", R"(    retry { attempts = 3 })");

}  // namespace

// --- the loop's order and the journal --------------------------------------

TEST_CASE("run loop: a chain runs in order and publishes its outputs", "[run_loop]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  FakeRun r = run_fake(p.dir, kChain, world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.submitted == Strings{"main.a", "main.b"});
  CHECK(r.output(p.dir, "a") == "main.a\n");
  CHECK(r.output(p.dir, "b") == "main.b\n");
  CHECK(has(r.err, "2 tasks (2 ran, 0 cached)"));
}

TEST_CASE("run loop: the journal holds each task's state by name", "[run_loop][journal]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  FakeRun r = run_fake(p.dir, kChain, world);
  REQUIRE(r.exit_code == 0);
  auto states = journal(p, r.run_id);
  CHECK(states["main.a"] == TaskState::Succeeded);
  CHECK(states["main.b"] == TaskState::Succeeded);
  // By name in the database, as earlier flowc wrote it and reads it.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((p.state_dir() + "/flow.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT DISTINCT state FROM tasks", -1, &q, nullptr) == SQLITE_OK);
  Strings names;
  while (sqlite3_step(q) == SQLITE_ROW) names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  sqlite3_finalize(q);
  sqlite3_close(db);
  CHECK(names == Strings{"succeeded"});
}

TEST_CASE("run loop: a journal with a state flowc does not know is refused, not misread", "[run_loop][journal]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  FakeRun r = run_fake(p.dir, kOne, world);
  REQUIRE(r.exit_code == 0);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((p.state_dir() + "/flow.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "UPDATE tasks SET state = 'sucseeded'", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto store = Store::open(p.state_dir() + "/flow.db");
  CHECK_THROWS_WITH(store->tasks(r.run_id), Catch::Contains("a state flowc does not know: `sucseeded`"));
}

TEST_CASE("run loop: every state's name reads back as that state", "[run_loop][journal]") {
  using flowc::runtime::state_name;
  using flowc::runtime::task_state_named;
  for (TaskState s : {TaskState::Queued, TaskState::Running, TaskState::Succeeded, TaskState::Cached, TaskState::Failed,
                      TaskState::Absent, TaskState::Cancelled}) {
    CHECK(task_state_named(state_name(s)) == s);
  }
  CHECK(state_name(TaskState::Cancelled) == "cancelled");
  CHECK_FALSE(task_state_named("Running"));
}

TEST_CASE("run loop: a second run reuses every result and submits nothing", "[run_loop][cache]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  REQUIRE(run_fake(p.dir, kChain, world).exit_code == 0);
  world.submitted.clear();
  FakeRun again = run_fake(p.dir, kChain, world);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(world.submitted.empty());
  CHECK(again.tasks("cached") == Strings{"main.a", "main.b"});
  auto states = journal(p, again.run_id);
  CHECK(states["main.a"] == TaskState::Cached);
}

TEST_CASE("run loop: --fresh and --rerun run again what they name", "[run_loop][cache]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  REQUIRE(run_fake(p.dir, kChain, world).exit_code == 0);
  world.submitted.clear();
  RunOptions rerun;
  rerun.rerun = {"use"};
  REQUIRE(run_fake(p.dir, kChain, world, rerun).exit_code == 0);
  CHECK(world.submitted == Strings{"main.b"});
  world.submitted.clear();
  RunOptions fresh;
  fresh.fresh = true;
  REQUIRE(run_fake(p.dir, kChain, world, fresh).exit_code == 0);
  CHECK(world.submitted == Strings{"main.a", "main.b"});
}

TEST_CASE("run loop: --until runs only what the call needs", "[run_loop]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  RunOptions options;
  options.until = "a";
  FakeRun r = run_fake(p.dir, kChain, world, options);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.submitted == Strings{"main.a"});
}

TEST_CASE("run loop: a dry run submits nothing", "[run_loop]") {
  Project p;
  FakeWorld world;
  RunOptions options;
  options.dry_run = true;
  FakeRun r = run_fake(p.dir, kChain, world, options);
  CHECK(r.exit_code == 0);
  CHECK(world.submitted.empty());
}

TEST_CASE("run loop: value outputs are read and passed on", "[run_loop]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec& spec, int) {
    return spec.job_name == "main.c" ? writes({{"n", "41\n"}}) : writes({{"m", "42\n"}});
  };
  FakeRun r = run_fake(p.dir, R"(
op count() -> (n: int) { run "echo 41 > ${n}" }
op inc(n: int) -> (m: int) { run "echo $((${n} + 1)) > ${m}" }
workflow main() -> (m: int) {
    c = count()
    i = inc(n = c.n)
    return (m = i.m)
}
)",
                       world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output(p.dir, "m") == "42");
}

TEST_CASE("run loop: a task that wrote no output fails, naming it", "[run_loop]") {
  Project p;
  FakeWorld world;  // succeeds, writing nothing
  FakeRun r = run_fake(p.dir, kOne, world);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "the command did not write output `out` (file)"));
  CHECK(journal(p, r.run_id)["main.a"] == TaskState::Failed);
}

// --- room, jobs, flush, routing --------------------------------------------

const char* kFan = R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
workflow main() -> (all: list[file]) {
    for t in ["a", "b", "c", "d", "e", "f"] {
        m = make(tag = t)
    }
    return (all = m.out)
}
)";

TEST_CASE("run loop: no more tasks at once than the executor has room for", "[run_loop]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  world.room = 2;
  FakeRun r = run_fake(p.dir, kFan, world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.submitted.size() == 6);
  CHECK(world.most_at_once == 2);
}

TEST_CASE("run loop: no more tasks at once than --jobs", "[run_loop]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  RunOptions options;
  options.jobs = 3;
  FakeRun r = run_fake(p.dir, kFan, world, options);
  REQUIRE(r.exit_code == 0);
  CHECK(world.most_at_once == 3);
}

TEST_CASE("run loop: the executor is flushed after what is ready was submitted", "[run_loop]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  REQUIRE(run_fake(p.dir, kFan, world).exit_code == 0);
  CHECK(world.flushes >= 1);
}

TEST_CASE("run loop: an op naming another executor gets one of its own", "[run_loop]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  FakeRun r = run_fake(p.dir, R"(
op here(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
op there(tag: str) -> (out: file) {
    executor "slurm"
    run "echo ${tag} > ${out}"
}
workflow main() -> (a: file, b: file) {
    a = here(tag = "a")
    b = there(tag = "b")
    return (a = a.out, b = b.out)
}
)",
                       world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.made == Strings{"local", "slurm"});
}

TEST_CASE("run loop: a task that can never fit fails before it starts, with the executor's remedy or the general one",
          "[run_loop][wording]") {
  Project p;
  FakeWorld world;
  world.misfit =
      flowc::runtime::Misfit{"asks for 2 gpus; the local executor has none to give", "run it with --executor slurm"};
  FakeRun r = run_fake(p.dir, kOne, world);
  CHECK(r.exit_code == 1);
  CHECK(world.submitted.empty());
  CHECK(has(r.err,
            "op `make` at main.a (test.flow:4:5) asks for 2 gpus; the local executor has none to give (run it "
            "with --executor slurm)"));
  world.misfit = flowc::runtime::Misfit{"asks for 64 cpus; this machine has 2", ""};
  FakeRun general = run_fake(p.dir, kOne, world);
  CHECK(has(general.err,
            "asks for 64 cpus; this machine has 2; lower its `resources`, or run it where it fits "
            "(--executor slurm)"));
}

// --- failure, and its words per end reason ---------------------------------

TEST_CASE("run loop: a failed task's report names the op, the call, the end and its stderr", "[run_loop][wording]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec&, int) {
    Act a = ends(How::Exited, 3);
    a.stderr_text = "first\nsecond\n";
    return a;
  };
  FakeRun r = run_fake(p.dir, kOne, world);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "flowc: error: op `make` at main.a (test.flow:4:5) exited with code 3\n  work dir: "));
  CHECK(has(r.err, "/.stderr):\n    first\n    second\n"));
  CHECK(journal(p, r.run_id)["main.a"] == TaskState::Failed);
  CHECK(r.tasks("failed") == Strings{"main.a"});
}

TEST_CASE("run loop: each end reason has its own words in the failure report", "[run_loop][wording]") {
  auto [how, words] = GENERATE(table<How, std::string>({
      {How::Signaled, "was killed by SIGKILL (9) (out of memory, or killed from outside?) (the fake)"},
      {How::OutOfMemory, "ran out of memory and was killed; give it more (`resources { mem }`) (the fake)"},
      {How::NodeFailed, "ended when the node it ran on failed (the fake)"},
      {How::Preempted, "was preempted (stopped to make room for other work) (the fake)"},
      {How::Lost, "was lost: it vanished (the fake)"},
      {How::NotStarted, "could not start: it vanished (the fake)"},
  }));
  Project p;
  FakeWorld world;
  world.act = [how = how](const flowc::runtime::LaunchSpec&, int) {
    Act a = ends(how);
    a.signal = 9;
    a.error = "it vanished";
    a.detail = "the fake";
    return a;
  };
  FakeRun r = run_fake(p.dir, kOne, world);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "op `make` at main.a (test.flow:4:5) " + words + "\n  work dir: "));
  // No reason but a real SIGKILL talks of memory by signal.
  if (how != How::Signaled) CHECK_FALSE(has(r.err, "SIGKILL"));
}

TEST_CASE("run loop: a failure stops what has not started, --keep-going runs what does not depend on it",
          "[run_loop]") {
  const char* text = R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
op use(f: file) -> (out: file) { run "cat ${f} > ${out}" }
workflow main() -> (b: file, c: file) {
    a = make(tag = "a")
    b = use(f = a.out)
    c = make(tag = "c")
    return (b = b.out, c = c.out)
}
)";
  auto act = [](const flowc::runtime::LaunchSpec& spec, int) {
    return spec.job_name == "main.a" ? ends(How::Exited, 1) : writes({{"out", "x\n"}});
  };
  Project p;
  FakeWorld world;
  world.act = act;
  world.room = 1;  // `c` waits behind `a`
  FakeRun r = run_fake(p.dir, text, world);
  CHECK(r.exit_code == 1);
  CHECK(world.submitted == Strings{"main.a"});
  INFO(r.err);
  CHECK(has(r.err, "2 tasks (0 ran, 0 cached, 1 failed, 1 not started)"));

  Project q;
  FakeWorld again;
  again.act = act;
  again.room = 1;
  RunOptions options;
  options.keep_going = true;
  FakeRun k = run_fake(q.dir, text, again, options);
  CHECK(k.exit_code == 1);
  CHECK(again.submitted == Strings{"main.a", "main.c"});
  CHECK(count(k.tasks("finished"), "main.c") == 1);
}

TEST_CASE("run loop: an optional call may fail: a warning, and the run goes on", "[run_loop]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec& spec, int) {
    return spec.job_name == "main.q" ? ends(How::Exited, 2) : writes({{"out", "x\n"}});
  };
  FakeRun r = run_fake(p.dir, R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
workflow main() -> (a: file, q: file?) {
    a = make(tag = "a")
    q = make(tag = "q") with { optional = true }
    return (a = a.out, q = q.out)
}
)",
                       world);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.err, "flowc: warning: op `make` at main.q"));
  CHECK_FALSE(has(r.err, "flowc: error:"));
}

// --- retries ---------------------------------------------------------------

TEST_CASE("run loop: a retried task runs again and succeeds", "[run_loop][retry]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec&, int attempt) {
    return attempt < 3 ? ends(How::Exited, 1) : writes({{"out", "third\n"}});
  };
  FakeRun r = run_fake(p.dir, kRetry, world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.attempts("main.a") == 3);
  CHECK(r.tasks("retrying").size() == 2);
  CHECK(r.output(p.dir, "a") == "third\n");
  // A `started` event for each attempt.
  CHECK(r.tasks("started") == Strings{"main.a", "main.a", "main.a"});
}

TEST_CASE("run loop: attempts counts every try, the first included", "[run_loop][retry]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec&, int) { return ends(How::Exited, 1); };
  FakeRun r = run_fake(p.dir, kRetry, world);
  CHECK(r.exit_code == 1);
  CHECK(world.attempts("main.a") == 3);
  CHECK(r.tasks("failed") == Strings{"main.a"});
}

TEST_CASE("run loop: with exit codes listed, only those are retried", "[run_loop][retry]") {
  std::string text = one_call("flaky", R"(    retry { attempts = 3, exit_codes = [75] }
    timeout 5s)");
  auto [act, tries] = GENERATE(table<Act, int>({
      {ends(How::Exited, 75), 3},
      {ends(How::Exited, 1), 1},
      {ends(How::Signaled), 1},
      {ends(How::OutOfMemory), 1},
      {ends(How::TimedOut), 1},  // not without on_timeout
  }));
  Project p;
  FakeWorld world;
  world.act = [act = act](const flowc::runtime::LaunchSpec&, int) { return act; };
  FakeRun r = run_fake(p.dir, text, world);
  CHECK(r.exit_code == 1);
  CHECK(world.attempts("main.a") == tries);
}

TEST_CASE("run loop: on_timeout retries a timeout", "[run_loop][retry]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec&, int attempt) {
    if (attempt == 1) {
      Act a;
      a.forever = true;  // stopped at its timeout
      return a;
    }
    return writes({{"out", "ok\n"}});
  };
  FakeRun r = run_fake(p.dir, one_call("slow", R"(    retry { attempts = 2, exit_codes = [75], on_timeout = true }
    timeout 2s)"),
                       world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.attempts("main.a") == 2);
}

TEST_CASE("run loop: every end but a start refused or a cancel is retried by `retry N`", "[run_loop][retry]") {
  auto [how, tries] = GENERATE(table<How, int>({
      {How::Exited, 2},
      {How::Signaled, 2},
      {How::TimedOut, 2},
      {How::Lost, 2},
      {How::OutOfMemory, 2},
      {How::NodeFailed, 2},
      {How::Preempted, 2},
      {How::NotStarted, 1},
  }));
  Project p;
  FakeWorld world;
  world.act = [how = how](const flowc::runtime::LaunchSpec&, int) { return ends(how, 1); };
  FakeRun r = run_fake(p.dir, one_call("flaky", R"(    retry 1)"), world);
  CHECK(r.exit_code == 1);
  CHECK(world.attempts("main.a") == tries);
}

// --- timeouts and cancellation ---------------------------------------------

TEST_CASE("run loop: a task stopped at its timeout says which limit", "[run_loop][timeout]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec&, int) {
    Act a;
    a.forever = true;
    return a;
  };
  FakeRun r = run_fake(p.dir, one_call("slow", R"(    timeout 2m)"), world);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "op `slow` at main.a (test.flow:6:5) ran longer than its timeout of 2m and was stopped"));
}

TEST_CASE("run loop: Ctrl-C cancels what runs, starts nothing more, and says so", "[run_loop][cancel]") {
  Project p;
  FakeWorld world;
  world.room = 2;
  world.act = [](const flowc::runtime::LaunchSpec& spec, int) {
    Act a;
    a.forever = true;
    a.interrupt = spec.job_name == "main.m[1]";
    return a;
  };
  FakeRun r = run_fake(p.dir, kFan, world);
  INFO(r.err);
  CHECK(r.exit_code == 130);
  CHECK(world.submitted == Strings{"main.m[0]", "main.m[1]"});
  std::sort(world.cancelled.begin(), world.cancelled.end());
  CHECK(world.cancelled == Strings{"main.m[0]", "main.m[1]"});
  CHECK(has(r.err, "flowc: interrupt received: stopping 2 running tasks"));
  CHECK(has(r.err, "cancelled in"));
  CHECK(has(r.err, "2 cancelled, 4 not started"));
  auto states = journal(p, r.run_id);
  CHECK(states["main.m[0]"] == TaskState::Cancelled);
  CHECK(states.count("main.m[2]") == 0);
}

TEST_CASE("run loop: a cancelled task is not retried", "[run_loop][cancel][retry]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec&, int) {
    Act a;
    a.forever = true;
    a.interrupt = true;
    return a;
  };
  FakeRun r = run_fake(p.dir, kRetry, world);
  CHECK(r.exit_code == 130);
  CHECK(world.attempts("main.a") == 1);
  CHECK(journal(p, r.run_id)["main.a"] == TaskState::Cancelled);
}

// --- adoption after a crash ------------------------------------------------

TEST_CASE("run loop: a job a killed flowc left running is adopted by the next run, not submitted again",
          "[run_loop][adopt]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec& spec, int) {
    Act a = writes({{"out", "from the first flowc\n"}});
    a.crash = spec.job_name == "main.a";
    a.ticks = 2;
    return a;
  };
  FakeRun crashed = run_fake(p.dir, kChain, world);
  CHECK(crashed.exit_code == 1);
  REQUIRE(world.alive.size() == 1);
  CHECK(journal(p, crashed.run_id)["main.a"] == TaskState::Running);

  world.submitted.clear();
  FakeRun r = run_fake(p.dir, kChain, world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.adopted == Strings{"main.a"});
  CHECK(world.submitted == Strings{"main.b"});
  CHECK(r.tasks("adopted") == Strings{"main.a"});
  CHECK(r.output(p.dir, "a") == "from the first flowc\n");
  // The first run is known to have been killed, its task as stopped.
  auto store = Store::open(p.state_dir() + "/flow.db");
  CHECK(store->run(crashed.run_id)->status == "killed");
  CHECK(journal(p, crashed.run_id)["main.a"] == TaskState::Cancelled);
}

TEST_CASE("run loop: a job that did not outlive the crash runs again", "[run_loop][adopt]") {
  Project p;
  FakeWorld world;
  bool crashed = false;
  world.act = [&crashed](const flowc::runtime::LaunchSpec& spec, int) {
    Act a = writes({{"out", spec.job_name + "\n"}});
    a.crash = spec.job_name == "main.a" && !crashed;
    crashed = crashed || a.crash;
    return a;
  };
  REQUIRE(run_fake(p.dir, kChain, world).exit_code == 1);
  world.alive.clear();  // the batch system lost it
  world.submitted.clear();
  FakeRun r = run_fake(p.dir, kChain, world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.adopted.empty());
  CHECK(world.submitted == Strings{"main.a", "main.b"});
}

// Batch jobs are journaled so that a killed flowc's rerun adopts them; the
// journal is committed once per round of submissions, not once per task
// (10,000 commits for 10,000 pilot tasks), and before the executor's
// flush() hands the round out: a task that may already run is known to the
// journal, whatever moment flowc is killed at.
const char* kEight = R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
workflow main() -> (all: list[file]) {
    for t in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        m = make(tag = t)
    }
    return (all = m.out)
}
)";

TEST_CASE("run loop: batch jobs are journaled in one commit per round, before the executor hands them out",
          "[run_loop][adopt]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  // What another process (a rerun after kill -9) would find in the journal:
  // tasks recorded as running with their job.
  auto committed_jobs = [&p] {
    auto store = Store::open_for_reading(p.state_dir() + "/flow.db");
    auto runs = store->recent_runs(1);
    size_t n = 0;
    if (runs.empty()) return n;
    for (const auto& t : store->tasks(runs[0].id)) n += t.state == TaskState::Running && !t.job.empty();
    return n;
  };
  std::vector<size_t> at_submit, at_flush;
  world.on_submit = [&](const flowc::runtime::LaunchSpec&) { at_submit.push_back(committed_jobs()); };
  world.on_flush = [&] { at_flush.push_back(committed_jobs()); };
  RunOptions options;
  options.jobs = 8;
  FakeRun r = run_fake(p.dir, kEight, world, options);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(at_submit.size() == 8);
  REQUIRE_FALSE(at_flush.empty());
  // The eight go in one round: none is committed while the round is
  // submitted (one commit each would show 0, 1, 2, ...)...
  CHECK(at_submit == std::vector<size_t>(8, 0));
  // ...and all eight are before flush() hands them out.
  CHECK(at_flush[0] == 8);
}

// --- identical tasks -------------------------------------------------------

const char* kTwins = R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
workflow main() -> (a: file, b: file) {
    a = make(tag = "same")
    b = make(tag = "same")
    return (a = a.out, b = b.out)
}
)";

TEST_CASE("run loop: identical calls run once; the follower takes the leader's result", "[run_loop][identical]") {
  Project p;
  FakeWorld world;
  world.act = succeed_with_path;
  FakeRun r = run_fake(p.dir, kTwins, world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.submitted == Strings{"main.a"});
  CHECK(r.output(p.dir, "b") == "main.a\n");
  CHECK(has(r.err, "2 tasks (1 ran, 1 cached)"));
  bool said = false;
  for (const auto& e : r.events) said = said || (e["event"] == "cached" && e.value("identical_to", "") == "main.a");
  CHECK(said);
  CHECK(journal(p, r.run_id)["main.b"] == TaskState::Cached);
}

TEST_CASE("run loop: identical calls fail together, in one report", "[run_loop][identical]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec&, int) { return ends(How::Exited, 4); };
  FakeRun r = run_fake(p.dir, kTwins, world);
  CHECK(r.exit_code == 1);
  CHECK(world.submitted == Strings{"main.a"});
  CHECK(has(r.err, "the same task (same op and inputs) is also called at main.b, which failed with it"));
  CHECK(journal(p, r.run_id)["main.b"] == TaskState::Failed);
  CHECK(has(r.err, "2 failed"));
}

TEST_CASE("run loop: a follower waits through its leader's retries", "[run_loop][identical][retry]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec&, int attempt) {
    return attempt == 1 ? ends(How::Exited, 1) : writes({{"out", "second\n"}});
  };
  FakeRun r = run_fake(p.dir, R"(
op flaky(tag: str) -> (out: file) {
    retry 1
    run "echo ${tag} > ${out}"
}
workflow main() -> (a: file, b: file) {
    a = flaky(tag = "same")
    b = flaky(tag = "same")
    return (a = a.out, b = b.out)
}
)",
                       world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(world.submitted == Strings{"main.a", "main.a"});
  CHECK(r.output(p.dir, "b") == "second\n");
}

TEST_CASE("run loop: an identical call that becomes ready later takes the result at once", "[run_loop][identical]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec& spec, int) {
    return spec.job_name == "main.t" ? writes({{"v", "same\n"}}) : writes({{"out", spec.job_name + "\n"}});
  };
  FakeRun r = run_fake(p.dir, R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
op tick() -> (v: str) { run "echo same > ${v}" }
workflow main() -> (a: file, b: file) {
    a = make(tag = "same")
    t = tick()
    b = make(tag = t.v)
    return (a = a.out, b = b.out)
}
)",
                       world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(count(world.submitted, "main.b") == 0);
  CHECK(r.output(p.dir, "b") == "main.a\n");
}

// --- fan-outs that tolerate failures ---------------------------------------

const char* kMinSuccess = R"(
op make(tag: str) -> (out: file) { run "echo ${tag} > ${out}" }
workflow main() -> (all: list[file]) {
    for t in ["a", "b", "c", "d"] with { min_success = 3 } {
        m = make(tag = t)
    }
    return (all = m.out)
}
)";

TEST_CASE("run loop: a fan-out with min_success goes on without the items that failed", "[run_loop][fanout]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec& spec, int) {
    return spec.job_name == "main.m[1]" ? ends(How::Exited, 1) : writes({{"out", spec.job_name + "\n"}});
  };
  FakeRun r = run_fake(p.dir, kMinSuccess, world);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto all = nlohmann::json::parse(p.read("flow-out/outputs.json"))["all"];
  CHECK(all.size() == 3);
  CHECK(has(r.err, "flowc: warning: op `make` at main.m[1]"));
}

TEST_CASE("run loop: a fan-out with too few successes fails the run", "[run_loop][fanout]") {
  Project p;
  FakeWorld world;
  world.act = [](const flowc::runtime::LaunchSpec& spec, int) {
    bool bad = spec.job_name == "main.m[1]" || spec.job_name == "main.m[2]";
    return bad ? ends(How::Exited, 1) : writes({{"out", spec.job_name + "\n"}});
  };
  FakeRun r = run_fake(p.dir, kMinSuccess, world);
  CHECK(r.exit_code == 1);
  CHECK(journal(p, r.run_id)["main.m[3]"] != TaskState::Failed);
}
