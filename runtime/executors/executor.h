// The interface every executor implements: launch a command, say what
// finished, stop one. Executors know nothing of workflows, caching or
// retries (the runtime does all that, once, for all of them), and nothing of
// each other.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowc::runtime {

using Clock = std::chrono::steady_clock;

struct LaunchSpec {
  std::string work_dir;                // the command runs here
  std::vector<std::string> argv;       // argv[0] is a path
  std::vector<std::string> env;        // the whole environment, NAME=value
  std::string stdout_path;
  std::string stderr_path;
  double timeout_seconds = 0;          // 0: no limit
  int cpus = 1;
  int64_t mem_bytes = 0;
  // A command the executor runs after it stops this task (cancel, timeout,
  // a signal, or the executor going away while it runs), to clean up what
  // stopping the task's processes cannot reach: a container its launcher
  // started, say. argv[0] is a path; empty: nothing to do.
  std::vector<std::string> stop_argv;
};

struct Outcome {
  uint64_t handle = 0;
  enum class How { Exited, Signaled, TimedOut, Cancelled, NotStarted } how = How::NotStarted;
  int exit_code = -1;  // Exited
  int signal = 0;      // the signal that ended it (Signaled, TimedOut, Cancelled)
  std::string error;   // NotStarted: why
  double seconds = 0;  // wall time
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::string name() const = 0;
  // Starts a command; its outcome comes later from collect() (a command that
  // cannot start at all is an outcome too: NotStarted).
  virtual uint64_t submit(const LaunchSpec& spec) = 0;
  // Stops a command (its whole process tree); it is reported as Cancelled.
  virtual void cancel(uint64_t handle) = 0;
  // What finished since the last call. Never blocks.
  virtual std::vector<Outcome> collect() = 0;
  // When collect() must be called again even if nothing else happens
  // (a timeout to enforce, a queue to poll), if ever.
  virtual std::optional<Clock::time_point> next_deadline() const = 0;
  virtual size_t running() const = 0;
};

}  // namespace flowc::runtime
