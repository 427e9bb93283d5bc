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

#include "runtime/process/resource_usage.h"  // what a task used (Outcome::usage)

namespace flowc::runtime {

using Clock = std::chrono::steady_clock;

// What every executor needs to run a task's command. What only some
// executors use travels beside it, typed and owned by them: a batch
// system's hints (which tasks are alike, what to stage in node-local
// scratch: batch/batch_hints.h, taken through batch()); and a container's
// clean-up after its task was stopped is not an executor's business at all
// (runtime/containers/container_stops.h wraps the executor).
struct LaunchSpec {
  std::string work_dir;           // the command runs here
  std::vector<std::string> argv;  // argv[0] is a path
  std::vector<std::string> env;   // the whole environment, NAME=value
  std::string stdout_path;
  std::string stderr_path;
  double timeout_seconds = 0;  // 0: no limit
  int cpus = 1;                // per MPI rank when mpi_ranks > 0
  int64_t mem_bytes = 0;
  int gpus = 0;
  double time_limit_seconds = 0;  // `resources { time }`: what a batch system is told; 0: none
  int mpi_ranks = 0;              // > 0: run argv as an MPI job of that many ranks
  std::string job_name;           // for people reading a queue: the task's call path
  std::string executor;           // the executor the op asks for (`executor "slurm"`); empty: the run's
};

// How a task ended, in words that belong to no executor: each executor says
// what happened (a batch system's state, a process's wait status), and the
// runtime alone chooses the words people read (runtime/run/end_text.h).
struct Outcome {
  uint64_t handle = 0;
  enum class How {
    Exited,       // the command exited: exit_code
    Signaled,     // a signal killed it (from outside flowc, or the kernel): signal
    TimedOut,     // flowc or the batch system stopped it at its time limit
    Cancelled,    // flowc stopped it (the run was interrupted, its stream gang failed)
    NotStarted,   // it never ran: error says why
    Lost,         // it may have run, but how it ended cannot be known: error says why
    OutOfMemory,  // the batch system killed it for using more memory than it asked for
    NodeFailed,   // the node it ran on failed under it
    Preempted,    // the batch system stopped it for other work
  } how = How::NotStarted;
  int exit_code = -1;  // Exited
  int signal = 0;      // Signaled: the signal; otherwise what stopped it, when one did (for a pilot's agent)
  std::string error;   // NotStarted, Lost: why
  std::string detail;  // what the executor knows beyond that (a batch job's id and state), for people
  double seconds = 0;  // wall time
  std::optional<ResourceUsage> usage;  // when the executor measured it
};

// How a running task is known outside flowc, journaled so that a later run
// can find it if this flowc dies: a process group (and the process's start
// time, to tell a reused pid), or a batch job: "<executor name>:<its id>"
// ("slurm:4242").
struct JobRef {
  int64_t pid = 0;
  int64_t pid_start = 0;
  std::string job;
};

// A task an earlier flowc left running, as its journal knows it.
struct LeftBehind {
  JobRef ref;
  std::string work_dir;
};

// Why a task can never run on an executor (more cores or memory than there
// are), and what would make it fit, when the executor knows.
struct Misfit {
  std::string why;     // "asks for 64 cpus; this machine has 8"
  std::string remedy;  // "run it with --executor slurm"; empty: the runtime advises in general
};

class Recovery;
class BatchSubmit;

// The core every executor implements (Ninja's CommandRunner size): whether a
// task fits and has room, submit, cancel, collect, and when to collect
// again. What only some executors can do is a capability they offer beside
// it: batching (flush, and hints through batch()) and recovery after a
// crash (recovery()). Writing an executor: docs/runtime.md, "Writing an
// executor".
class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::string name() const = 0;

  // How many tasks at once when the user does not say (--jobs).
  virtual int default_jobs() const = 0;
  // Why `spec` can never run here (more cores or memory than there are), or
  // nothing. A cluster decides this itself: its executor says nothing.
  virtual std::optional<Misfit> never_fits(const LaunchSpec& spec) const = 0;
  // Whether `spec` may start now (free cores and memory, room in the queue,
  // the submission rate). When not, next_deadline() says when to ask again,
  // or a finished task frees room.
  virtual bool has_room(const LaunchSpec& spec) const = 0;

  // Starts a command; its outcome comes later from collect() (a command that
  // cannot start at all is an outcome too: NotStarted). An executor may
  // keep it until flush(), to start alike tasks together.
  virtual uint64_t submit(const LaunchSpec& spec) = 0;
  // Stops a command (its whole process tree); it is reported as Cancelled.
  virtual void cancel(uint64_t handle) = 0;
  // What finished since the last call. Never blocks for long.
  virtual std::vector<Outcome> collect() = 0;
  // When collect() must be called again even if nothing else happens
  // (a timeout to enforce, a queue to poll), if ever.
  virtual std::optional<Clock::time_point> next_deadline() const = 0;

  // Batching (optional): starts what submit() kept. The run loop calls it
  // once it has submitted every task ready now (and after each retry, which
  // thus goes alone).
  virtual void flush() {}
  // Batch hints (optional): an executor over a batch system takes, beside
  // the spec, which tasks are alike and what to stage in node-local scratch
  // (batch/batch_hints.h: submit_with_hints). Nothing: submit() alone.
  virtual BatchSubmit* batch() { return nullptr; }
  // Recovery (optional): how its tasks are known outside flowc, so that a
  // later run can stop or adopt them if this flowc dies. Nothing: its tasks
  // die with flowc, and nothing is journaled to find them.
  virtual Recovery* recovery() { return nullptr; }
};

// What an executor whose tasks can outlive flowc offers (Executor::recovery).
class Recovery {
 public:
  virtual ~Recovery() = default;
  // What to journal for a running command; empty while the executor has not
  // started it yet (kept for flush(), waiting for the submission rate): the
  // run loop asks again after flush() and collect().
  virtual JobRef job_ref(uint64_t handle) const = 0;
  // Tasks a killed flowc left running: each one is either stopped (so it
  // cannot race a new attempt for its work dir) or, if this executor can
  // follow it to its end, kept for adopt(). Returns which were kept.
  virtual std::vector<bool> settle(const std::vector<LeftBehind>& left) = 0;
  // An earlier flowc was killed here: stop whatever it left running that
  // the journal does not know of (started in its last moments). Only the
  // local executor has such processes to find.
  virtual void stop_strays() {}
  // Follows a task settle() kept, as if submitted now: its outcome comes from
  // collect(). `spec` is what the task would run now (for limits and logs).
  virtual uint64_t adopt(const LeftBehind& left, const LaunchSpec& spec) = 0;
};

}  // namespace flowc::runtime
