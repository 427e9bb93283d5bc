// The SQLite journal and cache index.
#include "runtime/store/store.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "runtime/files/disk.h"

namespace flowc::runtime {
namespace fs = std::filesystem;
namespace {

// Bumped when the tables change. An older database is upgraded or, for a
// version this code cannot upgrade, refused with advice; a newer one refused.
// 4: the indexes that keep a run's start and end independent of how many
// runs the journal holds, and the cache's generation (counters). 5:
// runs.replay_of with the run_tasks view (a no-op rerun told by a summary).
constexpr int kSchemaVersion = 5;  // 2: tasks.job (a batch job's id); 3: tasks.usage

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  started REAL NOT NULL,
  finished REAL,
  status TEXT NOT NULL,
  meta TEXT NOT NULL,
  replay_of TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS tasks (
  run_id TEXT NOT NULL,
  path TEXT NOT NULL,
  key TEXT NOT NULL,
  op TEXT NOT NULL,
  state TEXT NOT NULL,
  exit_code INTEGER NOT NULL,
  work_dir TEXT NOT NULL,
  started REAL NOT NULL,
  finished REAL NOT NULL,
  attempt INTEGER NOT NULL,
  error TEXT NOT NULL,
  manifest TEXT NOT NULL,
  pid INTEGER NOT NULL,
  pid_start INTEGER NOT NULL,
  job TEXT NOT NULL DEFAULT '',
  usage TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, path)
);
CREATE INDEX IF NOT EXISTS tasks_by_path ON tasks (path);
CREATE TABLE IF NOT EXISTS cache (
  key TEXT PRIMARY KEY,
  op TEXT NOT NULL,
  work_dir TEXT NOT NULL,
  outputs TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  manifest TEXT NOT NULL,
  created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS ops (
  digest TEXT PRIMARY KEY,
  json TEXT NOT NULL
);
-- Only the rows a run's start looks for: tasks an earlier flowc left
-- running, runs whose flowc was killed (partial indexes: a few entries,
-- however many runs the journal holds).
CREATE INDEX IF NOT EXISTS tasks_running ON tasks (state) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS runs_running ON runs (status) WHERE status = 'running';
-- `generation` of the cache: bumped whenever an entry is changed or removed
-- (not when one is added), by triggers, so that whatever changes the table
-- is seen, a sqlite3 shell included. A run's summary (runtime/run/
-- run_summary.h) is trusted only while it is the one it was written with.
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  n INTEGER NOT NULL
);
INSERT OR IGNORE INTO counters (name, n) VALUES ('cache', 0);
CREATE TRIGGER IF NOT EXISTS cache_updated AFTER UPDATE ON cache
  BEGIN UPDATE counters SET n = n + 1 WHERE name = 'cache'; END;
CREATE TRIGGER IF NOT EXISTS cache_deleted AFTER DELETE ON cache
  BEGIN UPDATE counters SET n = n + 1 WHERE name = 'cache'; END;
-- A run's tasks as readers see them. A no-op rerun told by a run summary
-- (runtime/run/run_summary.h) writes no task rows: its run names the run
-- whose tasks it found in the cache (replay_of), and reads as every task of
-- that run journaled `cached` at its start, with the manifest of a cache
-- hit (no reason for a miss, no leader). A journal then grows by one row
-- per no-op rerun, not by one per task.
CREATE VIEW IF NOT EXISTS run_tasks AS
  SELECT run_id, path, key, op, state, exit_code, work_dir, started, finished, attempt, error, manifest, pid,
         pid_start, job, usage FROM tasks
  UNION ALL
  SELECT runs.id, tasks.path, tasks.key, tasks.op, 'cached', 0, tasks.work_dir, runs.started, runs.started, 0, '',
         CASE WHEN tasks.manifest = '' THEN '' ELSE json_remove(tasks.manifest, '$.cache_miss', '$.identical_to') END,
         0, 0, '', '' FROM runs JOIN tasks ON tasks.run_id = runs.replay_of WHERE runs.replay_of != '';
CREATE TABLE IF NOT EXISTS file_hashes (
  path TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  hash TEXT NOT NULL
);
)sql";

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// SQLite's words for a failure, except for a full disk: where, and what to
// do. (A full disk can also show as an I/O error, or a file that cannot be
// created: the -shm file SQLite makes when it opens the database.)
std::string failure_text(sqlite3* db, const std::string& path, int rc) {
  int code = rc & 0xff;
  fs::path dir = fs::path(path).parent_path();
  if (code == SQLITE_FULL || ((code == SQLITE_IOERR || code == SQLITE_CANTOPEN) && files::nearly_full(dir))) {
    return files::no_space_text(dir);
  }
  return db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
}

Value parse_json(const unsigned char* text) {
  if (!text) return Value();
  Value v = Value::parse(reinterpret_cast<const char*>(text), nullptr, false);
  return v.is_discarded() ? Value() : v;
}

}  // namespace

// A prepared statement, reset after each use.
class Store::Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& path) : db_(db), path_(path) {
    if (int rc = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); rc != SQLITE_OK) {
      throw StoreError(fmt::format("preparing a query failed: {}", failure_text(db, path_, rc)));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& s) {
    check(sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, double d) {
    check(sqlite3_bind_double(stmt_, i, d));
    return *this;
  }
  Statement& bind(int i, int64_t n) {
    check(sqlite3_bind_int64(stmt_, i, n));
    return *this;
  }
  Statement& bind(int i, int n) { return bind(i, static_cast<int64_t>(n)); }
  Statement& bind(int i, uint64_t n) { return bind(i, static_cast<int64_t>(n)); }

  // Steps once: true if a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(fmt::format("the database failed: {}", failure_text(db_, path_, rc)));
  }
  void run() {
    step();
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  Value json(int col) const { return parse_json(sqlite3_column_text(stmt_, col)); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(fmt::format("the database failed: {}", failure_text(db_, path_, rc)));
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::unique_ptr<Store> Store::connect(const std::string& path, int flags, Access access) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? failure_text(db, path, rc) : "out of memory";
    sqlite3_close(db);
    throw StoreError(fmt::format("cannot open `{}`: {}", path, message));
  }
  std::unique_ptr<Store> store(new Store(db, path));
  // Exclusive: the WAL index lives in memory instead of a -shm file beside
  // the database, so the store opens (and is read) on a full disk.
  if (access == Access::Exclusive) store->exec("PRAGMA locking_mode = EXCLUSIVE");
  store->exec("PRAGMA busy_timeout = 10000");
  // INSERT OR REPLACE's deletions fire the cache's delete trigger.
  store->exec("PRAGMA recursive_triggers = ON");
  return store;
}

int Store::schema_version() {
  Statement& version = prepare("PRAGMA user_version");
  version.step();
  int found = static_cast<int>(version.integer(0));
  version.reset();
  return found;
}

std::unique_ptr<Store> Store::open(const std::string& path, Access access) {
  std::unique_ptr<Store> store = connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, access);
  store->exec("PRAGMA journal_mode = WAL");
  // NORMAL: a committed transaction survives the process being killed (the
  // WAL is written before commit returns); only a power loss can undo the
  // last commits, and then the tasks concerned run again.
  store->exec("PRAGMA synchronous = NORMAL");
  int found = store->schema_version();
  if (found > kSchemaVersion) {
    throw StoreError(
        fmt::format("`{}` was written by a newer flowc (database version {}, this flowc knows {}); "
                    "use that flowc, or remove the .flow folder to start afresh",
                    path, found, kSchemaVersion));
  }
  // Written only when it must be: opening a current database writes nothing.
  if (found == kSchemaVersion) return store;
  store->exec("BEGIN IMMEDIATE");
  if (found == 1) store->exec("ALTER TABLE tasks ADD COLUMN job TEXT NOT NULL DEFAULT ''");
  if (found >= 1 && found < 3) store->exec("ALTER TABLE tasks ADD COLUMN usage TEXT NOT NULL DEFAULT ''");
  if (found >= 1 && found < 5) store->exec("ALTER TABLE runs ADD COLUMN replay_of TEXT NOT NULL DEFAULT ''");
  // 4 adds only indexes, a table and triggers, 5 a view besides the column
  // (kSchema, IF NOT EXISTS).
  store->exec(kSchema);
  store->exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str());
  store->exec("COMMIT");
  return store;
}

std::unique_ptr<Store> Store::open_for_reading(const std::string& path) {
  std::unique_ptr<Store> store = connect(path, SQLITE_OPEN_READONLY, Access::Shared);
  int found = store->schema_version();
  if (found == kSchemaVersion) return store;
  // Being created by a run that starts: not a journal yet (and opening it to
  // write would race that run for its lock).
  if (found == 0) throw StoreError(fmt::format("`{}` is being created; try again in a moment", path));
  store.reset();
  return open(path);  // older: upgraded; newer: refused with advice
}

Store::Store(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Store::~Store() {
  // Finalise statements before closing. A batch not flushed is rolled back:
  // only flush() makes records durable.
  statements_.clear();
  if (in_batch_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db_);
}

void Store::exec(const char* sql) {
  char* message = nullptr;
  if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message); rc != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    int code = rc & 0xff;
    if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN) {
      std::string full = failure_text(db_, path_, rc);
      if (full != sqlite3_errmsg(db_)) text = full;
    }
    throw StoreError(fmt::format("the database `{}` failed: {}", path_, text));
  }
}

Store::Statement& Store::prepare(const char* sql) {
  for (auto& [text, stmt] : statements_) {
    if (text == sql) {
      stmt->reset();
      return *stmt;
    }
  }
  statements_.emplace_back(sql, std::make_unique<Statement>(db_, sql, path_));
  return *statements_.back().second;
}

void Store::begin_batch() {
  if (in_batch_) return;
  exec("BEGIN IMMEDIATE");
  in_batch_ = true;
}

int64_t Store::data_version() {
  Statement& q = prepare("PRAGMA data_version");
  int64_t out = q.step() ? q.integer(0) : -1;
  q.reset();
  return out;
}

void Store::flush() {
  if (!in_batch_) return;
  exec("COMMIT");
  in_batch_ = false;
}

std::string Store::new_run_id() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::random_device rd;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::string id = fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}-{:03}{:02x}", tm.tm_year + 1900, tm.tm_mon + 1,
                               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms, rd() & 0xff);
  return id;
}

std::string Store::begin_run(const Value& meta, const std::string& given_id) {
  std::string id = given_id.empty() ? new_run_id() : given_id;
  begin_batch();
  prepare("INSERT INTO runs (id, started, finished, status, meta) VALUES (?, ?, NULL, 'running', ?)")
      .bind(1, id)
      .bind(2, now_seconds())
      .bind(3, meta.dump())
      .run();
  flush();
  return id;
}

void Store::finish_run(const std::string& run_id, const std::string& status) {
  begin_batch();
  prepare("UPDATE runs SET finished = ?, status = ? WHERE id = ?")
      .bind(1, now_seconds())
      .bind(2, status)
      .bind(3, run_id)
      .run();
  flush();
}

namespace {

RunRecord read_run(const auto& q) { return RunRecord{q.text(0), q.real(1), q.real(2), q.text(3), q.json(4)}; }

}  // namespace

std::optional<RunRecord> Store::run(const std::string& run_id) {
  Statement& q = prepare("SELECT id, started, finished, status, meta FROM runs WHERE id = ?");
  q.bind(1, run_id);
  std::optional<RunRecord> out;
  if (q.step()) out = read_run(q);
  q.reset();
  return out;
}

std::vector<RunRecord> Store::recent_runs(size_t limit) {
  Statement& q = prepare("SELECT id, started, finished, status, meta FROM runs ORDER BY started DESC, id DESC LIMIT ?");
  q.bind(1, static_cast<int64_t>(limit));
  std::vector<RunRecord> out;
  while (q.step()) out.push_back(read_run(q));
  q.reset();
  return out;
}

void Store::record_task(const TaskRecord& t) {
  begin_batch();
  prepare(
      "INSERT OR REPLACE INTO tasks (run_id, path, key, op, state, exit_code, work_dir, started, finished, attempt, "
      "error, manifest, pid, pid_start, job, usage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, t.run_id)
      .bind(2, t.path)
      .bind(3, t.key)
      .bind(4, t.op)
      .bind(5, std::string(state_name(t.state)))
      .bind(6, t.exit_code)
      .bind(7, t.work_dir)
      .bind(8, t.started)
      .bind(9, t.finished)
      .bind(10, t.attempt)
      .bind(11, t.error)
      .bind(12, t.manifest.is_null() ? std::string() : t.manifest.dump())
      .bind(13, t.pid)
      .bind(14, t.pid_start)
      .bind(15, t.job)
      .bind(16, t.usage.is_null() ? std::string() : t.usage.dump())
      .run();
}

namespace {

const char* kTaskColumns =
    "run_id, path, key, op, state, exit_code, work_dir, started, finished, attempt, error, manifest, pid, pid_start, "
    "job, usage";

TaskRecord read_task(const auto& q) {
  TaskRecord t;
  t.run_id = q.text(0);
  t.path = q.text(1);
  t.key = q.text(2);
  t.op = q.text(3);
  std::string state = q.text(4);
  auto known = task_state_named(state);
  // Every name flowc ever wrote is known: another is a database written by
  // something else, refused rather than misread.
  if (!known)
    throw StoreError(
        fmt::format("task `{}` of run {} is in a state flowc does not know: `{}`", t.path, t.run_id, state));
  t.state = *known;
  t.exit_code = static_cast<int>(q.integer(5));
  t.work_dir = q.text(6);
  t.started = q.real(7);
  t.finished = q.real(8);
  t.attempt = static_cast<int>(q.integer(9));
  t.error = q.text(10);
  t.manifest = q.json(11);
  t.pid = q.integer(12);
  t.pid_start = q.integer(13);
  t.job = q.text(14);
  t.usage = q.json(15);
  return t;
}

}  // namespace

std::optional<TaskRecord> Store::task(const std::string& run_id, const std::string& path) {
  static const std::string sql = fmt::format("SELECT {} FROM run_tasks WHERE run_id = ? AND path = ?", kTaskColumns);
  Statement& q = prepare(sql.c_str());
  q.bind(1, run_id).bind(2, path);
  std::optional<TaskRecord> out;
  if (q.step()) out = read_task(q);
  q.reset();
  return out;
}

std::vector<TaskRecord> Store::tasks(const std::string& run_id) {
  static const std::string sql = fmt::format("SELECT {} FROM run_tasks WHERE run_id = ? ORDER BY path", kTaskColumns);
  Statement& q = prepare(sql.c_str());
  q.bind(1, run_id);
  std::vector<TaskRecord> out;
  while (q.step()) out.push_back(read_task(q));
  q.reset();
  return out;
}

void Store::each_task_summary(const std::string& run_id, const std::function<void(const TaskRecord&)>& take) {
  static const std::string sql =
      "SELECT run_id, path, key, op, state, exit_code, work_dir, started, finished, attempt, error, '', pid, "
      "pid_start, job, usage FROM run_tasks WHERE run_id = ? ORDER BY started, path";
  Statement& q = prepare(sql.c_str());
  q.bind(1, run_id);
  while (q.step()) take(read_task(q));
  q.reset();
}

std::vector<TaskRecord> Store::task_summaries(const std::string& run_id) {
  std::vector<TaskRecord> out;
  each_task_summary(run_id, [&](const TaskRecord& t) { out.push_back(t); });
  return out;
}

std::vector<std::pair<std::string, size_t>> Store::state_counts(const std::string& run_id) {
  Statement& q = prepare("SELECT state, COUNT(*) FROM run_tasks WHERE run_id = ? GROUP BY state");
  q.bind(1, run_id);
  std::vector<std::pair<std::string, size_t>> out;
  while (q.step()) out.emplace_back(q.text(0), static_cast<size_t>(q.integer(1)));
  q.reset();
  return out;
}

std::vector<std::tuple<std::string, std::string, size_t>> Store::op_state_counts(const std::string& run_id) {
  Statement& q = prepare("SELECT op, state, COUNT(*) FROM run_tasks WHERE run_id = ? GROUP BY op, state");
  q.bind(1, run_id);
  std::vector<std::tuple<std::string, std::string, size_t>> out;
  while (q.step()) out.emplace_back(q.text(0), q.text(1), static_cast<size_t>(q.integer(2)));
  q.reset();
  return out;
}

double Store::cpu_seconds(const std::string& run_id) {
  Statement& q = prepare(
      "SELECT TOTAL(json_extract(usage, '$.user')) + TOTAL(json_extract(usage, '$.sys')) FROM tasks "
      "WHERE run_id = ? AND usage != ''");
  q.bind(1, run_id);
  double out = q.step() ? q.real(0) : 0;
  q.reset();
  return out;
}

std::optional<TaskRecord> Store::previous_attempt(const std::string& path, const std::string& before_run) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM tasks WHERE path = ? AND manifest != '' AND run_id IN "
      "(SELECT id FROM runs WHERE started < (SELECT started FROM runs WHERE id = ?)) "
      "ORDER BY (SELECT started FROM runs WHERE runs.id = tasks.run_id) DESC LIMIT 1",
      kTaskColumns);
  Statement& q = prepare(sql.c_str());
  q.bind(1, path).bind(2, before_run);
  std::optional<TaskRecord> out;
  if (q.step()) out = read_task(q);
  q.reset();
  return out;
}

std::vector<TaskRecord> Store::left_running(const std::string& except_run) {
  static const std::string sql = fmt::format(
      "SELECT {} FROM tasks WHERE state = 'running' AND run_id != ? AND (pid > 0 OR job != '')", kTaskColumns);
  Statement& q = prepare(sql.c_str());
  q.bind(1, except_run);
  std::vector<TaskRecord> out;
  while (q.step()) out.push_back(read_task(q));
  q.reset();
  return out;
}

std::vector<std::string> Store::unfinished_runs() {
  Statement& q = prepare("SELECT id FROM runs WHERE status = 'running'");
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.text(0));
  q.reset();
  return out;
}

std::optional<CacheEntry> Store::cache_find(const std::string& key) {
  // Not the manifest: nothing that looks a result up reads it, and parsing
  // it for every task took a fifth of a no-op rerun (bench/local).
  Statement& q = prepare("SELECT key, op, work_dir, outputs, fingerprint, created FROM cache WHERE key = ?");
  q.bind(1, key);
  std::optional<CacheEntry> out;
  if (q.step()) out = CacheEntry{q.text(0), q.text(1), q.text(2), q.json(3), q.json(4), Value(), q.real(5)};
  q.reset();
  return out;
}

void Store::cache_put(const CacheEntry& e) {
  begin_batch();
  // An upsert: replacing an entry is an update (the generation's trigger).
  prepare(
      "INSERT INTO cache (key, op, work_dir, outputs, fingerprint, manifest, created) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (key) DO UPDATE SET op = excluded.op, work_dir = excluded.work_dir, outputs = excluded.outputs, "
      "fingerprint = excluded.fingerprint, manifest = excluded.manifest, created = excluded.created")
      .bind(1, e.key)
      .bind(2, e.op)
      .bind(3, e.work_dir)
      .bind(4, e.outputs.dump())
      .bind(5, e.fingerprint.dump())
      .bind(6, e.manifest.dump())
      .bind(7, e.created ? e.created : now_seconds())
      .run();
}

void Store::cache_drop(const std::string& key) {
  begin_batch();
  prepare("DELETE FROM cache WHERE key = ?").bind(1, key).run();
}

int64_t Store::cache_generation() {
  Statement& q = prepare("SELECT n FROM counters WHERE name = 'cache'");
  int64_t out = q.step() ? q.integer(0) : -1;
  q.reset();
  return out;
}

bool Store::replayable(const std::string& run_id, size_t tasks) {
  auto run_record = run(run_id);
  if (!run_record || run_record->status != "succeeded") return false;
  // Every task of it ended well, and its key's cache entry is still there,
  // for the work dir it names.
  Statement& q = prepare(
      "SELECT COUNT(*), SUM(state IN ('succeeded', 'cached')), "
      "SUM(EXISTS (SELECT 1 FROM cache WHERE cache.key = tasks.key AND cache.work_dir = tasks.work_dir)) "
      "FROM tasks WHERE run_id = ?");
  q.bind(1, run_id);
  bool ok = q.step() && static_cast<size_t>(q.integer(0)) == tasks && static_cast<size_t>(q.integer(1)) == tasks &&
            static_cast<size_t>(q.integer(2)) == tasks;
  q.reset();
  return ok;
}

double Store::record_replay(const std::string& run_id, const std::string& from_run) {
  begin_batch();
  prepare("UPDATE runs SET replay_of = ? WHERE id = ?").bind(1, from_run).bind(2, run_id).run();
  Statement& q = prepare("SELECT started FROM runs WHERE id = ?");
  q.bind(1, run_id);
  double started = q.step() ? q.real(0) : 0;
  q.reset();
  return started;
}

std::vector<std::string> Store::cached_work_dirs() {
  Statement& q = prepare("SELECT work_dir FROM cache");
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.text(0));
  q.reset();
  return out;
}

void Store::remember_op(const std::string& digest, const std::string& json) {
  begin_batch();
  prepare("INSERT OR IGNORE INTO ops (digest, json) VALUES (?, ?)").bind(1, digest).bind(2, json).run();
}

std::optional<std::string> Store::op_json(const std::string& digest) {
  Statement& q = prepare("SELECT json FROM ops WHERE digest = ?");
  q.bind(1, digest);
  std::optional<std::string> out;
  if (q.step()) out = q.text(0);
  q.reset();
  return out;
}

std::optional<std::string> Store::file_hash(const std::string& path, uint64_t size, int64_t mtime_ns, uint64_t inode) {
  Statement& q = prepare("SELECT hash FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ? AND inode = ?");
  q.bind(1, path).bind(2, size).bind(3, mtime_ns).bind(4, inode);
  std::optional<std::string> out;
  if (q.step()) out = q.text(0);
  q.reset();
  return out;
}

void Store::remember_file_hash(const std::string& path, uint64_t size, int64_t mtime_ns, uint64_t inode,
                               const std::string& hash) {
  begin_batch();
  prepare("INSERT OR REPLACE INTO file_hashes (path, size, mtime_ns, inode, hash) VALUES (?, ?, ?, ?, ?)")
      .bind(1, path)
      .bind(2, size)
      .bind(3, mtime_ns)
      .bind(4, inode)
      .bind(5, hash)
      .run();
}

}  // namespace flowc::runtime
