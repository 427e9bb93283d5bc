// What a run shows while it goes, fed by the run's events and counts.
//
// On a terminal: one live line, redrawn a few times a second:
//   [01:23] 120/400 done (35 cached), + more to plan · 2 running: greet 2, longest main.g[17] 12s 40/100 · 1 failed · ETA 2m05s
// (done/total of the tasks known so far; "+ more to plan" while fan-outs and
// calls are still to be expanded; the longest-running task with what it
// reported through $FLOWC_PROGRESS; an ETA once enough tasks ran.)
// Elsewhere (a file, CI, nohup, a batch job): one line per task event, like
// Nextflow's plain log, and the same summary every `summary_seconds`:
//   flowc: 00:04 finished main.g[0] (greet) in 0.81s
//   flowc: 00:05 failed   main.x (check) exit 1, log: .flow/work/ab/cdef/.stderr
//   flowc: 00:30 120/400 done (35 cached), + more to plan · 2 running ...
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "runtime/observe/counts.h"
#include "runtime/value/value.h"

namespace flowc::runtime::observe {

class RunMonitor {
 public:
  enum class Mode { Terminal, Lines, Quiet };
  // Terminal when stderr is one, else Lines; Quiet when `wanted` is false.
  static Mode choose(bool wanted);

  // Lines go to `lines`; the terminal's line to stderr.
  RunMonitor(Mode mode, std::ostream& lines, double summary_seconds = 30);

  // Every event the run emits ({"event": ..., "task": ..., ...}).
  void event(const Value& e);
  // The same for a `cached` event, without making one (a no-op rerun told
  // by its summary: runtime/run/run_summary.h).
  void cached(const std::string& task, const std::string& op);
  // The run's counts; redraws (terminal) or prints the periodic summary
  // (lines) when it is time, or at once if `force`.
  void update(const Counts& counts, bool force = false);
  // Removes the live line before other output, and at the end; writes the
  // lines not yet written.
  void clear();
  // Writes the lines not yet written (the run loop calls it before it waits:
  // a line per task event cost a write each, a tenth of flowc's own time).
  void flush();
  ~RunMonitor() { flush(); }

  // The summary text for `counts` now (also what the tests read).
  std::string summary(const Counts& counts);

 private:
  struct RunningTask {
    std::string op;
    std::string work_dir;
    std::chrono::steady_clock::time_point since;
  };
  std::string clock() const;
  void line(const std::string& text);

  Mode mode_;
  std::ostream& lines_;
  std::string pending_;  // lines not yet written to lines_
  double summary_seconds_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  std::optional<std::chrono::steady_clock::time_point> first_start_;  // of a task that ran
  size_t ran_ = 0;                                                    // finished after running
  std::map<std::string, RunningTask> running_;                        // by call path
};

// The last "N/M" (or "N") line a task wrote to its $FLOWC_PROGRESS file, or "".
std::string reported_progress(const std::string& work_dir);

// "1h02m", "2m05s", "12s", "0.81s".
std::string duration_text(double seconds);

}  // namespace flowc::runtime::observe
