// bench/journal: does a run get slower as the journal grows? The same
// workflow (bench/local/W1.flow, N tasks, --fresh, 2 in flight) runs in two
// state folders in turns: one with a new journal, one whose journal already
// holds R earlier runs of T tasks each (with their cache entries and
// remembered file hashes), written here as flowc 3 (journal version 3, before
// the indexes of issue 19) wrote them, so that a flowc that upgrades it does
// so in the untimed first run. Prints the median wall and CPU time of each,
// their ratio (grown / fresh), and how SQLite answers each query a run makes
// at its start and end against the grown journal (EXPLAIN QUERY PLAN).
//
//   journal_bench FLOWC W1.FLOW [--n 2000] [--runs 100] [--tasks 5000] [--rounds 3] [--baseline OLD_FLOWC]
//
// With --baseline the same is done for another flowc (each in its own pair
// of folders), in the same turns.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace {

// Journal version 3, as flowc wrote it before issue 19.
const char* kVersion3 = R"sql(
CREATE TABLE runs (id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL, status TEXT NOT NULL, meta TEXT NOT NULL);
CREATE TABLE tasks (run_id TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL, state TEXT NOT NULL,
  exit_code INTEGER NOT NULL, work_dir TEXT NOT NULL, started REAL NOT NULL, finished REAL NOT NULL,
  attempt INTEGER NOT NULL, error TEXT NOT NULL, manifest TEXT NOT NULL, pid INTEGER NOT NULL,
  pid_start INTEGER NOT NULL, job TEXT NOT NULL DEFAULT '', usage TEXT NOT NULL DEFAULT '', PRIMARY KEY (run_id, path));
CREATE INDEX tasks_by_path ON tasks (path);
CREATE TABLE cache (key TEXT PRIMARY KEY, op TEXT NOT NULL, work_dir TEXT NOT NULL, outputs TEXT NOT NULL,
  fingerprint TEXT NOT NULL, manifest TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE ops (digest TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE file_hashes (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
  inode INTEGER NOT NULL, hash TEXT NOT NULL);
PRAGMA user_version = 3;
PRAGMA journal_mode = WAL;
)sql";

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::fprintf(stderr, "journal_bench: %s\n  in: %.200s\n", message ? message : "?", sql.c_str());
    std::exit(1);
  }
}

// R finished runs of T tasks each, as a state folder that has seen them would hold them.
void grow(const fs::path& db_path, long runs, long tasks) {
  sqlite3* db = nullptr;
  sqlite3_open(db_path.c_str(), &db);
  exec(db, kVersion3);
  exec(db, "BEGIN");
  sqlite3_stmt* run = nullptr;
  sqlite3_stmt* task = nullptr;
  sqlite3_stmt* cache = nullptr;
  sqlite3_stmt* hash = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO runs VALUES (?, ?, ?, 'succeeded', '{\"workflow\":\"main\"}')", -1, &run,
                     nullptr);
  sqlite3_prepare_v2(db,
                     "INSERT INTO tasks VALUES (?, ?, ?, 'work', 'succeeded', 0, ?, ?, ?, 1, '', ?, 4242, 99, '', "
                     "'{\"user\":0.001,\"sys\":0.001,\"max_rss\":1000}')",
                     -1, &task, nullptr);
  sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO cache VALUES (?, 'work', ?, '{\"out\":\"x\"}', '{}', ?, ?)", -1,
                     &cache, nullptr);
  sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO file_hashes VALUES (?, 10, 1, 1, 'h')", -1, &hash, nullptr);
  double t0 = 1.7e9;
  for (long r = 0; r < runs; ++r) {
    std::string id = fmt::format("20250101-{:06}-00000", r);
    sqlite3_bind_text(run, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(run, 2, t0 + r * 100);
    sqlite3_bind_double(run, 3, t0 + r * 100 + 50);
    sqlite3_step(run);
    sqlite3_reset(run);
    for (long i = 0; i < tasks; ++i) {
      // Each run its own inputs (other parameters): its own keys.
      std::string key =
          fmt::format("{:016x}{:016x}", static_cast<unsigned long>(r * 2654435761u), static_cast<unsigned long>(i));
      std::string work = fmt::format("/old/.flow/work/{}/{}", key.substr(0, 2), key.substr(2));
      std::string manifest = fmt::format(R"({{"v":2,"op":"{}","inputs":{{"i":{}}}}})", key, i);
      std::string path = fmt::format("main.w[{}]", i);
      sqlite3_bind_text(task, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(task, 2, path.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(task, 3, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(task, 4, work.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(task, 5, t0 + r * 100 + i * 0.001);
      sqlite3_bind_double(task, 6, t0 + r * 100 + i * 0.001 + 0.01);
      sqlite3_bind_text(task, 7, manifest.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(task);
      sqlite3_reset(task);
      sqlite3_bind_text(cache, 1, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(cache, 2, work.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(cache, 3, manifest.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(cache, 4, t0 + r * 100);
      sqlite3_step(cache);
      sqlite3_reset(cache);
      std::string file = work + "/out";
      sqlite3_bind_text(hash, 1, file.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(hash);
      sqlite3_reset(hash);
    }
  }
  for (sqlite3_stmt* s : {run, task, cache, hash}) sqlite3_finalize(s);
  exec(db, "COMMIT");
  exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
}

struct Sample {
  double seconds = -1, cpu = 0;
};

Sample run_in(const fs::path& dir, const std::vector<std::string>& argv) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) _exit(127);
    FILE* log = std::fopen("bench.log", "a");
    if (log) {
      ::dup2(fileno(log), 1);
      ::dup2(fileno(log), 2);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  Sample s;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return s;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// How SQLite answers what a run asks at its start and end, on `db`.
void explain(const fs::path& db_path) {
  const char* queries[] = {
      "SELECT id FROM runs WHERE status = 'running'",
      "SELECT * FROM tasks WHERE state = 'running' AND run_id != '' AND (pid > 0 OR job != '')",
      "SELECT key, op, work_dir, outputs, fingerprint, created FROM cache WHERE key = 'k'",
      "SELECT hash FROM file_hashes WHERE path = 'p' AND size = 1 AND mtime_ns = 1 AND inode = 1",
      "SELECT state, COUNT(*) FROM tasks WHERE run_id = 'r' GROUP BY state",
      "SELECT id, started, finished, status, meta FROM runs ORDER BY started DESC, id DESC LIMIT 5",
  };
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::printf("\nEXPLAIN QUERY PLAN on the grown journal (%s):\n", db_path.c_str());
  for (const char* q : queries) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, fmt::format("EXPLAIN QUERY PLAN {}", q).c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      continue;
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      plan += (plan.empty() ? "" : "; ") + std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)));
    }
    sqlite3_finalize(stmt);
    std::printf("  %-90.90s\n      -> %s\n", q, plan.c_str());
  }
  sqlite3_close(db);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: journal_bench FLOWC W1.FLOW [--n 2000] [--runs 100] [--tasks 5000] [--rounds 3] "
                 "[--baseline OLD_FLOWC]\n");
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> flowcs = {{"flowc", fs::absolute(argv[1]).string()}};
  std::string flow = fs::absolute(argv[2]).string();
  long n = 2000, runs = 100, tasks = 5000;
  int rounds = 3;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--n") n = std::atol(v.c_str());
    else if (a == "--runs") runs = std::atol(v.c_str());
    else if (a == "--tasks") tasks = std::atol(v.c_str());
    else if (a == "--rounds") rounds = std::max(1, std::atoi(v.c_str()));
    else if (a == "--baseline") flowcs.push_back({"baseline", fs::absolute(v).string()});
  }
  fs::path root = fs::temp_directory_path() / fmt::format("flowc-bench-journal.{}", ::getpid());
  fs::create_directories(root);
  std::printf("== The same run (W1, N = %ld, --fresh, -j 2) with a new journal and one of %ld runs x %ld tasks ==\n", n,
              runs, tasks);
  auto t0 = std::chrono::steady_clock::now();
  fs::path grown_db = root / "grown.db";
  grow(grown_db, runs, tasks);
  std::printf("grown journal made in %.1f s: %.0f MB\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
              static_cast<double>(fs::file_size(grown_db)) / 1e6);
  struct Case {
    std::string name, flowc;
    fs::path dir;
    std::vector<double> wall, cpu;
  };
  std::vector<Case> cases;
  for (const auto& [name, flowc] : flowcs) {
    for (const char* journal : {"fresh", "grown"}) {
      Case c{fmt::format("{} {}", name, journal), flowc, root / fmt::format("{}-{}", name, journal), {}, {}};
      fs::create_directories(c.dir / ".flow");
      fs::copy_file(flow, c.dir / "W1.flow");
      if (std::string(journal) == "grown") fs::copy_file(grown_db, c.dir / ".flow" / "flow.db");
      cases.push_back(std::move(c));
    }
  }
  auto argv_of = [&](const Case& c) {
    return std::vector<std::string>{c.flowc, "run", "W1.flow", "-p", fmt::format("n={}", n), "-j", "2", "--fresh"};
  };
  // Untimed: the work dirs made once, and a journal of an older version upgraded.
  for (Case& c : cases) {
    if (run_in(c.dir, argv_of(c)).seconds < 0) {
      std::fprintf(stderr, "journal_bench: `%s run` failed in %s (see bench.log there)\n", c.flowc.c_str(),
                   c.dir.c_str());
      return 1;
    }
  }
  for (int r = 0; r < rounds; ++r) {
    for (size_t k = 0; k < cases.size(); ++k) {
      Case& c = cases[(k + r) % cases.size()];
      Sample s = run_in(c.dir, argv_of(c));
      if (s.seconds < 0) {
        std::fprintf(stderr, "journal_bench: a run failed in %s (see bench.log there)\n", c.dir.c_str());
        return 1;
      }
      c.wall.push_back(s.seconds);
      c.cpu.push_back(s.cpu);
    }
  }
  std::printf("\n%-22s %12s %14s\n", "", "wall (median)", "CPU (median)");
  for (const Case& c : cases) std::printf("%-22s %10.3f s %12.3f s\n", c.name.c_str(), median(c.wall), median(c.cpu));
  for (size_t i = 0; i + 1 < cases.size(); i += 2) {
    std::printf("%s: grown / fresh = %.2fx wall, %.2fx CPU\n", flowcs[i / 2].first.c_str(),
                median(cases[i + 1].wall) / median(cases[i].wall), median(cases[i + 1].cpu) / median(cases[i].cpu));
  }
  explain(cases[1].dir / ".flow" / "flow.db");
  if (!std::getenv("KEEP")) fs::remove_all(root);
  return 0;
}
