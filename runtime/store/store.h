// The project's memory between runs, in one SQLite file (.flow/flow.db):
// the journal of every run (each task's state changes), the cache index
// (which finished task left which outputs where), and the remembered content
// hashes of input files.
//
// Writes are batched in a transaction that flush() commits; the runtime
// flushes often (and on every exit path), so a crash loses at most the last
// moments, and a task whose success was never committed simply runs again.
// Every failure to read or write is a StoreError: loud, never a silent
// "nothing cached" that would rerun everything.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/store/task_state.h"
#include "runtime/value/value.h"

struct sqlite3;

namespace flowc::runtime {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One task of one run, as the journal knows it.
struct TaskRecord {
  std::string run_id;
  std::string path;  // the call path: main.g[3]
  std::string key;   // cache key (empty until known)
  std::string op;    // op id
  TaskState state = TaskState::Queued;
  int exit_code = -1;
  std::string work_dir;
  double started = 0;  // seconds since the epoch
  double finished = 0;
  int attempt = 0;
  std::string error;      // why it failed, for people
  Value manifest;         // what the cache key was made of (for `flowc explain`)
  int64_t pid = 0;        // while running: its process group, and
  int64_t pid_start = 0;  // the process's start time, to tell a reused pid
  std::string job;        // while running under a batch system: its job ("slurm:4242")
  Value usage;            // when it ended: what it used and asked for (runtime/observe/usage.h)
};

// A finished task the cache can give again.
struct CacheEntry {
  std::string key;
  std::string op;
  std::string work_dir;
  Value outputs;      // the task's output values (paths inside work_dir)
  Value fingerprint;  // {path: [size, mtime_ns]} of its output files, to tell tampering
  Value manifest;     // written by cache_put; cache_find leaves it null
  double created = 0;
};

struct RunRecord {
  std::string id;
  double started = 0;
  double finished = 0;
  std::string status;  // running succeeded failed cancelled killed
  Value meta;          // workflow, source, params, ...
};

class Store {
 public:
  enum class Access {
    Shared,     // other flowc processes may read it at the same time (explain)
    Exclusive,  // this process alone, while it holds the state folder's lock;
                // opens and reads without writing any file (a full disk)
  };
  // Opens (creating if needed) the database at `path`. A database written by
  // a newer flowc is refused rather than misread. A failure for want of
  // space says so ("no space left on device in DIR ...").
  static std::unique_ptr<Store> open(const std::string& path, Access access = Access::Shared);
  // Opens an existing database to read it while a run may be writing it
  // (`flowc status`, `flowc serve`): no lock is taken beyond a reader's. A
  // database of an older version is upgraded first (as open() does).
  static std::unique_ptr<Store> open_for_reading(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Runs
  // Returns the run's id: `id` if given (made by new_run_id beforehand, as
  // `flowc run --detach` does to name the run before it starts), else a new one.
  std::string begin_run(const Value& meta, const std::string& id = "");
  // A new id: sortable by time, unique even for runs started in the same second.
  static std::string new_run_id();
  void finish_run(const std::string& run_id, const std::string& status);
  std::optional<RunRecord> run(const std::string& run_id);
  std::vector<RunRecord> recent_runs(size_t limit);  // newest first

  // The journal
  void record_task(const TaskRecord& task);  // insert or replace by (run_id, path)
  std::optional<TaskRecord> task(const std::string& run_id, const std::string& path);
  std::vector<TaskRecord> tasks(const std::string& run_id);
  // The same without manifests (cheaper: reports and status read every task),
  // in the order they started; each_task_summary hands them one by one
  // instead of holding them all (a report of 100,000 tasks).
  std::vector<TaskRecord> task_summaries(const std::string& run_id);
  void each_task_summary(const std::string& run_id, const std::function<void(const TaskRecord&)>& take);
  // How many tasks of a run are in each state.
  std::vector<std::pair<std::string, size_t>> state_counts(const std::string& run_id);
  // ... by op and state: (op, state, count).
  std::vector<std::tuple<std::string, std::string, size_t>> op_state_counts(const std::string& run_id);
  // The CPU seconds (user + system) its tasks used, as measured.
  double cpu_seconds(const std::string& run_id);
  // The newest record for `path` in a run before `run_id` that has a manifest.
  std::optional<TaskRecord> previous_attempt(const std::string& path, const std::string& before_run);
  // Tasks recorded as running in runs other than `except_run` (left behind
  // when a flowc process died).
  std::vector<TaskRecord> left_running(const std::string& except_run);
  // Runs still marked running: their flowc was killed (the lock says no
  // flowc runs now).
  std::vector<std::string> unfinished_runs();

  // The cache index
  std::optional<CacheEntry> cache_find(const std::string& key);
  void cache_put(const CacheEntry& entry);
  void cache_drop(const std::string& key);
  std::vector<std::string> cached_work_dirs();
  // Bumped whenever a cache entry is changed or removed (not added).
  int64_t cache_generation();

  // A no-op rerun told by a run summary (runtime/run/run_summary.h):
  // whether `run_id` succeeded with exactly `tasks` tasks, each of which
  // succeeded or was cached and still has its cache entry; and every task
  // of `from_run` read as journaled again in `run_id`, found in the cache
  // at its start (the run_tasks view: one row written, not one per task).
  // Returns that start: the time the view gives each of those tasks.
  bool replayable(const std::string& run_id, size_t tasks);
  double record_replay(const std::string& run_id, const std::string& from_run);

  // Op definitions by digest, so manifests can name them without copies.
  void remember_op(const std::string& digest, const std::string& json);
  std::optional<std::string> op_json(const std::string& digest);

  // Remembered content hashes of files, by path and stamp.
  std::optional<std::string> file_hash(const std::string& path, uint64_t size, int64_t mtime_ns, uint64_t inode);
  void remember_file_hash(const std::string& path, uint64_t size, int64_t mtime_ns, uint64_t inode,
                          const std::string& hash);

  // Commits everything recorded since the last flush.
  void flush();
  // Changes whenever another connection commits to the database (SQLite's
  // data_version): a reader keeps what it counted while this stays the same.
  int64_t data_version();

 private:
  explicit Store(sqlite3* db, std::string path);
  // A connection with `flags` (SQLITE_OPEN_...) and a busy timeout.
  static std::unique_ptr<Store> connect(const std::string& path, int flags, Access access);
  int schema_version();
  class Statement;
  Statement& prepare(const char* sql);
  void exec(const char* sql);
  void begin_batch();

  sqlite3* db_;
  std::string path_;
  bool in_batch_ = false;
  std::vector<std::pair<const char*, std::unique_ptr<Statement>>> statements_;
};

}  // namespace flowc::runtime
