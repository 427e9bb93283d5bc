// A no-op rerun told by the run's summary (runtime/run/run_summary.h): it
// says and journals what an ordinary no-op rerun does, and anything that
// could make a rerun do something else sends it the ordinary way.
//
// Whether the summary was used is seen from its file: a rerun that used it
// leaves it as it was (the same inode); one that did not removes it and
// writes a new one when it succeeds.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <signal.h>
#include <sstream>

#include <fmt/format.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/store/store.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::Project;
using nlohmann::json;

namespace {

const char* kFanOut = R"(
op up(f: file) -> (o: file) { run "tr a-z A-Z < ${f} > ${o}" }
op join(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main(files: list[file]) -> (all: file) {
    for f in files { u = up(f = f) }
    j = join(parts = u.o)
    return (all = j.all)
})";

const std::vector<std::string> kRun = {"run", "f.flow", "-p", R"(files=["a.txt", "b.txt"])"};

// The summaries in the state folder: file name → content. Not the inode: a
// summary removed and written again may get the inode just freed. Its
// content names the run that wrote it, so a rewritten one differs.
std::map<std::string, std::string> summaries(const Project& p) {
  std::map<std::string, std::string> out;
  fs::path dir = p.dir / ".flow" / "summaries";
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    out[e.path().filename().string()] = text.str();
  }
  return out;
}

std::string only_summary(const Project& p) {
  auto all = summaries(p);
  REQUIRE(all.size() == 1);
  return (p.dir / ".flow" / "summaries" / all.begin()->first).string();
}

// A fan-out run once, then rerun: the rerun used the summary.
struct Finished {
  Project p;
  Finished() {
    p.write("a.txt", "a\n");
    p.write("b.txt", "b\n");
    p.write("f.flow", kFanOut);
    auto first = p.flowc(kRun);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    REQUIRE(summaries(p).size() == 1);
  }
  // Reruns; true if it took the summary's word.
  bool rerun_used_summary(flowc::test::CommandResult* out = nullptr, const std::vector<std::string>& args = kRun) {
    auto before = summaries(p);
    auto r = p.flowc(args);
    if (out) *out = r;
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return !before.empty() && summaries(p) == before;
  }
  std::string work_dir_of(const std::string& task) {
    for (const json& e : p.events()) {
      if ((e["event"] == "cached" || e["event"] == "finished") && e["task"] == task) return e["work_dir"];
    }
    return "";
  }
};

// What a run said, without what differs from run to run (its id, times).
std::string stable_text(std::string err) {
  std::string out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("flowc: run ", 0) == 0) line = line.substr(line.find(" in ") + 1);
    if (line.rfind("flowc: run ", 0) != 0) {
      size_t s = line.find("s: ");
      if (line.rfind("in ", 0) == 0 && s != std::string::npos) line = line.substr(s);
    }
    out += line + "\n";
  }
  return out;
}

// The events of the last run, without times, ids and durations, sorted.
std::vector<std::string> stable_events(const Project& p) {
  std::vector<std::string> out;
  for (json e : p.events()) {
    e.erase("time");
    e.erase("run_id");
    e.erase("seconds");
    out.push_back(e.dump());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The last run's journal records, without times and the run's id.
std::vector<std::string> stable_journal(const Project& p) {
  auto store = flowc::runtime::Store::open_for_reading(p.state_dir() + "/flow.db");
  auto runs = store->recent_runs(1);
  REQUIRE(runs.size() == 1);
  std::vector<std::string> out;
  for (const auto& t : store->tasks(runs[0].id)) {
    out.push_back(json({t.path, t.key, t.op, std::string(flowc::runtime::state_name(t.state)), t.exit_code, t.work_dir,
                        t.attempt, t.error, t.manifest, t.pid, t.pid_start, t.job, t.usage})
                      .dump());
  }
  out.push_back(runs[0].status);
  return out;
}

}  // namespace

TEST_CASE("a no-op rerun told by the summary says, emits and journals what an ordinary one does", "[run][up-to-date]") {
  Finished f;
  flowc::test::CommandResult fast;
  REQUIRE(f.rerun_used_summary(&fast));
  CHECK(fast.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
  auto fast_events = stable_events(f.p);
  auto fast_journal = stable_journal(f.p);
  // The ordinary path: the same rerun without a summary.
  fs::remove_all(f.p.dir / ".flow" / "summaries");
  flowc::test::CommandResult slow;
  CHECK_FALSE(f.rerun_used_summary(&slow));
  CHECK(stable_text(fast.err) == stable_text(slow.err));
  CHECK(fast_events == stable_events(f.p));
  CHECK(fast_journal == stable_journal(f.p));
  // The plain log (--progress on, not a terminal) and JSON events on stdout.
  std::vector<std::string> json_run = kRun;
  json_run.push_back("--log-format");
  json_run.push_back("json");
  flowc::test::CommandResult fast_json;
  REQUIRE(f.rerun_used_summary(&fast_json, json_run));
  fs::remove_all(f.p.dir / ".flow" / "summaries");
  flowc::test::CommandResult slow_json;
  CHECK_FALSE(f.rerun_used_summary(&slow_json, json_run));
  CHECK(std::count(fast_json.out.begin(), fast_json.out.end(), '\n') ==
        std::count(slow_json.out.begin(), slow_json.out.end(), '\n'));
  CHECK(fast_json.out.find(R"("event":"cached")") != std::string::npos);
}

namespace {

int64_t count_rows(const Project& p, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((p.state_dir() + "/flow.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &q, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(q) == SQLITE_ROW);
  int64_t n = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  sqlite3_close(db);
  return n;
}

}  // namespace

// Ninja's log does not grow when nothing is done; flowc's journal grows by
// the rerun's own row, not by a copy of every task (which was half of the
// rerun's time, and 10,000 rows per rerun of a 10,000-task fan-out).
TEST_CASE("a no-op rerun told by the summary journals one row, and reads as every task cached", "[run][up-to-date]") {
  Finished f;
  int64_t task_rows = count_rows(f.p, "SELECT COUNT(*) FROM tasks");
  int64_t runs = count_rows(f.p, "SELECT COUNT(*) FROM runs");
  REQUIRE(f.rerun_used_summary());
  REQUIRE(f.rerun_used_summary());
  CHECK(count_rows(f.p, "SELECT COUNT(*) FROM tasks") == task_rows);
  CHECK(count_rows(f.p, "SELECT COUNT(*) FROM runs") == runs + 2);
  CHECK(count_rows(f.p, "SELECT COUNT(*) FROM runs WHERE replay_of != ''") == 2);
  // What people read of it: status, show and the run list.
  auto status = f.p.flowc({"status"});
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  CHECK((status.out + status.err).find("succeeded") != std::string::npos);
  auto store = flowc::runtime::Store::open_for_reading(f.p.state_dir() + "/flow.db");
  auto recent = store->recent_runs(1);
  REQUIRE(recent.size() == 1);
  auto counts = store->state_counts(recent[0].id);
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].first == "cached");
  CHECK(counts[0].second == 3);
  for (const auto& t : store->tasks(recent[0].id)) {
    CHECK(t.state == flowc::runtime::TaskState::Cached);
    CHECK(t.run_id == recent[0].id);
    CHECK(store->task(recent[0].id, t.path).has_value());
  }
  CHECK(store->op_state_counts(recent[0].id).size() == 2);
  // Its `cached` events say the time the journal gives those tasks.
  std::map<std::string, double> journaled;
  for (const auto& t : store->tasks(recent[0].id)) journaled[t.path] = t.started;
  std::ifstream events(f.p.state_dir() + "/runs/" + recent[0].id + "/events.jsonl");
  size_t cached_events = 0;
  for (std::string line; std::getline(events, line);) {
    auto e = nlohmann::json::parse(line);
    if (e["event"] != "cached") continue;
    ++cached_events;
    INFO(line);
    REQUIRE(journaled.count(e["task"]) == 1);
    CHECK(e["time"].get<double>() == journaled[e["task"]]);
  }
  CHECK(cached_events == 3);
}

TEST_CASE("an edited input is never taken on the summary's word", "[run][up-to-date]") {
  Finished f;
  REQUIRE(f.rerun_used_summary());
  f.p.write("a.txt", "c\n");  // same size
  flowc::test::CommandResult r;
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (2 ran, 1 cached)") != std::string::npos);
  CHECK(f.p.output_file("all") == "C\nB\n");
  // And the next rerun has a summary of what is now.
  CHECK(f.rerun_used_summary(&r));
  CHECK(f.p.output_file("all") == "C\nB\n");
}

TEST_CASE("an input touched (or set back to its old time) but identical is looked at, and cached",
          "[run][up-to-date]") {
  Finished f;
  struct stat before {};
  ::stat(f.p.path("a.txt").c_str(), &before);
  // Rewritten with the same text and its old mtime put back: only ctime tells.
  f.p.write("a.txt", "a\n");
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, f.p.path("a.txt").c_str(), times, 0) == 0);
  flowc::test::CommandResult r;
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
  CHECK(f.rerun_used_summary());
}

TEST_CASE("an input replaced by a link to the same text is looked at", "[run][up-to-date]") {
  Finished f;
  f.p.write("elsewhere/a.txt", "a\n");
  fs::remove(f.p.path("a.txt"));
  fs::create_symlink(f.p.path("elsewhere/a.txt"), f.p.path("a.txt"));
  flowc::test::CommandResult r;
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
  // The link's target edited: seen through the link.
  REQUIRE(f.rerun_used_summary());
  f.p.write("elsewhere/a.txt", "z\n");
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (2 ran, 1 cached)") != std::string::npos);
  CHECK(f.p.output_file("all") == "Z\nB\n");
}

TEST_CASE("a task's output deleted or edited in its work dir makes that task run again", "[run][up-to-date]") {
  Finished f;
  REQUIRE(f.rerun_used_summary());
  std::string out = f.work_dir_of("main.u[1]") + "/o";
  REQUIRE(fs::exists(out));
  fs::remove(out);
  flowc::test::CommandResult r;
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (1 ran, 2 cached)") != std::string::npos);
  REQUIRE(f.rerun_used_summary());
  out = f.work_dir_of("main.u[0]") + "/o";
  flowc::test::write_file(out, "tampered\n");
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (1 ran, 2 cached)") != std::string::npos);
  CHECK(f.p.output_file("all") == "A\nB\n");
}

TEST_CASE("a published output deleted or replaced is published again", "[run][up-to-date]") {
  Finished f;
  REQUIRE(f.rerun_used_summary());
  fs::remove_all(f.p.dir / "flow-out" / "all");
  flowc::test::CommandResult r;
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
  CHECK(f.p.output_file("all") == "A\nB\n");
  REQUIRE(f.rerun_used_summary());
  fs::remove(f.p.dir / "flow-out" / "outputs.json");
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(f.p.output_file("all") == "A\nB\n");
  // --outdir elsewhere: nothing there yet.
  REQUIRE(f.rerun_used_summary());
  std::vector<std::string> other = kRun;
  other.push_back("--outdir");
  other.push_back("out2");
  CHECK_FALSE(f.rerun_used_summary(&r, other));
  CHECK(f.p.exists("out2/outputs.json"));
}

TEST_CASE("a folder input that gained a file, or whose file changed deep inside, is looked at", "[run][up-to-date]") {
  Project p;
  p.write("data/x/one.txt", "1\n");
  p.write("f.flow", R"(
op count(d: dir) -> (o: file) { run "find ${d}/ -type f | wc -l > ${o}; cat ${d}/x/*.txt >> ${o}" }
workflow main(d: dir) -> (o: file) {
    c = count(d = d)
    return (o = c.o)
})");
  std::vector<std::string> run = {"run", "f.flow", "-p", "d=data"};
  REQUIRE(p.flowc(run).exit_code == 0);
  auto before = summaries(p);
  REQUIRE(p.flowc(run).exit_code == 0);
  REQUIRE(summaries(p) == before);  // used
  p.write("data/x/two.txt", "2\n");
  auto r = p.flowc(run);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("1 task (1 ran, 0 cached)") != std::string::npos);
  CHECK(p.output_file("o") == "2\n1\n2\n");
  p.write("data/x/one.txt", "9\n");
  r = p.flowc(run);
  CHECK(r.err.find("1 task (1 ran, 0 cached)") != std::string::npos);
  CHECK(p.output_file("o") == "2\n9\n2\n");
}

TEST_CASE("a glob() that matches another file, and read_lines of a changed file, plan anew", "[run][up-to-date]") {
  Project p;
  p.write("in/a.txt", "a\n");
  p.write("names.txt", "x\n");
  p.write("f.flow", R"(
op up(f: file) -> (o: file) { run "tr a-z A-Z < ${f} > ${o}" }
op say(s: str) -> (o: file) { run "echo ${s} > ${o}" }
op join(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main() -> (all: file) {
    for f in glob("in/*.txt") { u = up(f = f) }
    for s in read_lines("names.txt") { n = say(s = s) }
    j = join(parts = flatten([u.o, n.o]))
    return (all = j.all)
})");
  std::vector<std::string> run = {"run", "f.flow"};
  auto first = p.flowc(run);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  auto before = summaries(p);
  REQUIRE(p.flowc(run).exit_code == 0);
  REQUIRE(summaries(p) == before);
  p.write("in/b.txt", "b\n");  // in/ gains a file: a new task
  auto r = p.flowc(run);
  INFO(r.err);
  CHECK(r.err.find("(2 ran, 2 cached)") != std::string::npos);
  CHECK(p.output_file("all") == "A\nB\nx\n");
  p.write("names.txt", "x\ny\n");  // a new line: a new task
  r = p.flowc(run);
  CHECK(r.err.find("(2 ran, 3 cached)") != std::string::npos);
  CHECK(p.output_file("all") == "A\nB\nx\ny\n");
}

TEST_CASE("a changed parameter is another run, and --fresh or --dry-run never take the summary's word",
          "[run][up-to-date]") {
  Finished f;
  flowc::test::CommandResult r;
  CHECK_FALSE(f.rerun_used_summary(&r, {"run", "f.flow", "-p", R"(files=["a.txt"])"}));
  CHECK(r.err.find("2 tasks (1 ran, 1 cached)") != std::string::npos);
  CHECK(f.p.output_file("all") == "A\n");
  CHECK(summaries(f.p).size() == 2);  // one per digest
  // Back to the first parameters: that run's published outputs were
  // replaced meanwhile, so it publishes them again, and then has its word.
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
  CHECK(f.p.output_file("all") == "A\nB\n");
  REQUIRE(f.rerun_used_summary());
  std::vector<std::string> fresh = kRun;
  fresh.push_back("--fresh");
  auto before = summaries(f.p);
  r = f.p.flowc(fresh);
  CHECK(r.err.find("3 tasks (3 ran, 0 cached)") != std::string::npos);
  // The fresh run did not read the summary; it wrote a new one, which the
  // next rerun takes.
  CHECK(summaries(f.p).size() == 2);
  CHECK(summaries(f.p) != before);
  CHECK(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
  std::vector<std::string> again = kRun;
  again.push_back("--rerun");
  again.push_back("up");
  before = summaries(f.p);
  r = f.p.flowc(again);
  CHECK(r.err.find("3 tasks (3 ran, 0 cached)") != std::string::npos);
  CHECK(summaries(f.p) != before);
  std::vector<std::string> dry = kRun;
  dry.push_back("--dry-run");
  before = summaries(f.p);
  CHECK(f.p.flowc(dry).exit_code == 0);
  CHECK(summaries(f.p) == before);
}

TEST_CASE("a corrupt, truncated, half-written or other-version summary is no summary", "[run][up-to-date]") {
  Finished f;
  REQUIRE(f.rerun_used_summary());
  std::string path = only_summary(f.p);
  std::string good = flowc::test::read_file(path);
  auto check_ignored = [&](const std::string& bytes) {
    flowc::test::write_file(path, bytes);
    flowc::test::CommandResult r;
    CHECK_FALSE(f.rerun_used_summary(&r));
    CHECK(r.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
    CHECK(f.p.output_file("all") == "A\nB\n");
    good = flowc::test::read_file(only_summary(f.p));
  };
  SECTION("a byte flipped in the payload") {
    std::string bad = good;
    bad[bad.size() - 10] ^= 0x20;
    check_ignored(bad);
  }
  SECTION("truncated, as a killed writer could leave it") {
    check_ignored(good.substr(0, good.size() / 2));
    check_ignored(good.substr(0, 5));
    check_ignored("");
  }
  SECTION("another format version") {
    std::string bad = good;
    bad[8] = 2;
    check_ignored(bad);
  }
  SECTION("a stray temporary file of a killed writer beside a good summary is left alone") {
    flowc::test::write_file(path + ".99999.tmp", good.substr(0, 100));
    CHECK(f.rerun_used_summary());
  }
}

TEST_CASE("a writer killed (kill -9) while it writes the summary leaves the next rerun right", "[run][up-to-date]") {
  // Many tasks make the summary long enough to be caught half-written.
  Project p;
  std::string files = "[";
  for (int i = 0; i < 300; ++i) {
    p.write(fmt::format("in/{}.txt", i), fmt::format("x{}\n", i));
    files += fmt::format("{}\"in/{}.txt\"", i ? ", " : "", i);
  }
  files += "]";
  p.write("f.flow", kFanOut);
  std::vector<std::string> run = {"run", "f.flow", "-p", "files=" + files};
  REQUIRE(p.flowc(run).exit_code == 0);
  for (int delay_ms : {1, 5, 20, 60}) {
    fs::remove_all(p.dir / ".flow" / "summaries");
    pid_t pid = flowc::test::start_flowc(run, p.dir.string(), {}, p.path("killed.out"), p.path("killed.err"));
    ::usleep(static_cast<useconds_t>(delay_ms) * 1000);
    ::kill(pid, SIGKILL);
    flowc::test::wait_exit(pid);
    auto r = p.flowc(run);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("301 tasks (0 ran, 301 cached)") != std::string::npos);
    std::string all = p.output_file("all");
    CHECK(std::count(all.begin(), all.end(), '\n') == 300);
    CHECK(all.rfind("X0\nX1\n", 0) == 0);
  }
}

TEST_CASE("two workflows in one state folder keep a summary each", "[run][up-to-date]") {
  Finished f;
  f.p.write("g.flow", R"(
op low(f: file) -> (o: file) { run "tr A-Z a-z < ${f} > ${o}" }
workflow main(f: file) -> (o: file) {
    l = low(f = f)
    return (o = l.o)
})");
  std::vector<std::string> other = {"run", "g.flow", "-p", "f=a.txt", "--outdir", "g-out"};
  REQUIRE(f.p.flowc(other).exit_code == 0);
  CHECK(summaries(f.p).size() == 2);
  REQUIRE(f.rerun_used_summary());
  flowc::test::CommandResult r;
  REQUIRE(f.rerun_used_summary(&r, other));
  CHECK(r.err.find("1 task (0 ran, 1 cached)") != std::string::npos);
  REQUIRE(f.rerun_used_summary());
}

TEST_CASE("a cache entry changed by another run, or a killed run in the journal, sends the rerun the ordinary way",
          "[run][up-to-date]") {
  Finished f;
  REQUIRE(f.rerun_used_summary());
  {
    auto store = flowc::runtime::Store::open(f.p.state_dir() + "/flow.db");
    auto runs = store->recent_runs(1);
    auto tasks = store->tasks(runs[0].id);
    REQUIRE_FALSE(tasks.empty());
    store->cache_drop(tasks[0].key);
    store->flush();
  }
  flowc::test::CommandResult r;
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (1 ran, 2 cached)") != std::string::npos);
  REQUIRE(f.rerun_used_summary());
  {
    auto store = flowc::runtime::Store::open(f.p.state_dir() + "/flow.db");
    store->begin_run({{"workflow", "main"}});  // left "running", as by a flowc killed
  }
  CHECK_FALSE(f.rerun_used_summary(&r));
  CHECK(r.err.find("3 tasks (0 ran, 3 cached)") != std::string::npos);
}
