// Runs commands as child processes of flowc.
//
// Each command gets its own process group (so stopping it stops everything
// it started), stdin from /dev/null, stdout and stderr in files, and the
// default disposition of every signal. Finished children are reaped with
// waitpid; the caller learns of them through SIGCHLD (it blocks SIGCHLD and
// waits on a signalfd, see runtime/run/signals.h) and calls collect().
// Launching is posix_spawn (clone with CLONE_VFORK): its cost does not grow
// with flowc's memory, unlike fork (bench/spawn measures both).
// A command that was stopped, or died of a signal, gets its spec's
// stop_argv run after it (it may have left something outside its process
// group, like a container); the destructor waits for those to finish.
#pragma once

#include <map>
#include <set>
#include <sys/types.h>

#include "runtime/executors/executor.h"

namespace flowc::runtime {

class LocalExecutor : public Executor {
 public:
  // `grace`: how long a stopped command has between SIGTERM and SIGKILL.
  explicit LocalExecutor(std::chrono::milliseconds grace = std::chrono::seconds(3)) : grace_(grace) {}
  ~LocalExecutor() override;

  std::string name() const override { return "local"; }
  uint64_t submit(const LaunchSpec& spec) override;
  void cancel(uint64_t handle) override;
  std::vector<Outcome> collect() override;
  std::optional<Clock::time_point> next_deadline() const override;
  size_t running() const override { return by_pid_.size(); }
  // The process (and process group) id of a running command, if running.
  std::optional<pid_t> pid_of(uint64_t handle) const {
    auto it = by_handle_.find(handle);
    return it == by_handle_.end() ? std::nullopt : std::optional<pid_t>(it->second);
  }

 private:
  struct Child {
    uint64_t handle;
    pid_t pid;
    Clock::time_point started;
    std::optional<Clock::time_point> deadline;  // the timeout
    std::optional<Clock::time_point> kill_at;   // SIGKILL if still alive then
    Outcome::How stopping_as = Outcome::How::Exited;
    std::vector<std::string> stop_argv;  // with its environment, for after it stopped
    std::vector<std::string> env;
  };
  void stop(Child& child, Outcome::How as);
  // Starts a task's stop command, reaped later by collect() (or waited for
  // by the destructor).
  void start_cleanup(const Child& child);

  std::chrono::milliseconds grace_;
  uint64_t next_handle_ = 1;
  std::map<pid_t, Child> by_pid_;
  std::map<uint64_t, pid_t> by_handle_;
  std::vector<Outcome> not_started_;
  std::set<pid_t> cleanups_;  // stop commands still running
};

}  // namespace flowc::runtime
