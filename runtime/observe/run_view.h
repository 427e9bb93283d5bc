// Reading runs back from a state folder's journal, for `flowc runs`,
// `status`, `logs`, `show`, `trace`, `report` and `flowc serve`: which run
// or task a user means, what state a run is in (a "running" run whose flowc
// is gone is reported as such), and both as JSON (docs/api.md).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/store/store.h"

namespace flowc::runtime::observe {

// The journal of `state_dir`, opened for reading; nothing (and why) if there
// is none yet.
std::unique_ptr<Store> open_journal(const std::string& state_dir, std::string* error);

// Whether the flowc that runs `run` is alive on this machine (its pid, in
// the run's meta, still names a flowc process).
bool run_process_alive(const RunRecord& run);
// The run's state as people should see it: running, succeeded, failed,
// cancelled, or "stopped" (journaled as running, but its flowc is gone).
std::string run_state(const RunRecord& run);

// A run by id or unique id prefix; "" or "latest": the newest.
std::optional<RunRecord> find_run(Store& store, const std::string& which, std::string* error);
// A task of `run` by call path (`main.g[2]`) or a prefix of its cache key
// (at least 6 hex digits); the error lists near names when none matches.
std::optional<TaskRecord> find_task(Store& store, const std::string& run_id, const std::string& which,
                                    std::string* error);

// Where a task ran: "local", "slurm", "slurm-pilot", ... and its job id or pid.
std::string executor_of(const TaskRecord& task);
std::string job_of(const TaskRecord& task);
// The task's stdout or stderr file.
std::string log_path(const TaskRecord& task, bool stderr_log);

struct RunSummary {
  RunRecord run;
  std::string state;
  double duration = 0;  // so far, if it still runs
  size_t total = 0;
  std::map<std::string, size_t> by_state;                      // state → tasks
  std::map<std::string, std::map<std::string, size_t>> by_op;  // op → state → tasks
  double cpu_seconds = 0;                                      // user + system, measured
};
RunSummary summarize(const RunRecord& run, const std::vector<TaskRecord>& tasks);
// The same, a task at a time: start(run), add(task)... (a report streams them).
RunSummary start_summary(const RunRecord& run);
void add_to_summary(RunSummary& summary, const TaskRecord& task);
// Counts only (no task rows): cheap enough to poll. `by_op` adds the
// counts per op and the CPU time (still without reading a task's row).
RunSummary summarize_counts(Store& store, const RunRecord& run, bool by_op = false);

Value run_json(const RunSummary& summary);
// One task as JSON; `detail` adds the error, manifest inputs and command.
Value task_json(const TaskRecord& task, bool detail);

// The last `max_lines` lines of a file (at most `max_bytes` of its end): a
// log may be huge, only its end is read.
std::string file_tail(const std::string& path, size_t max_lines, size_t max_bytes);

// "2026-12-01 14:03:07" in local time.
std::string local_time(double epoch_seconds);

}  // namespace flowc::runtime::observe
