// Runs commands as child processes of flowc.
//
// Each command gets its own process group (so stopping it stops everything
// it started), stdin from /dev/null, stdout and stderr in files, and the
// default disposition of every signal. Finished children are reaped with
// waitpid; the caller learns of them through SIGCHLD (it blocks SIGCHLD and
// waits on a signalfd, see runtime/run/signals.h) and calls collect().
// Launching is posix_spawn (clone with CLONE_VFORK): its cost does not grow
// with flowc's memory, unlike fork (bench/spawn measures both).
// It keeps the machine within its cores and memory as the tasks' resources
// ask (a task alone may always start), runs an MPI task under `mpirun`
// (runtime/mpi), and cannot adopt a task a killed flowc left running: it
// stops it instead — its process group, if the pid still names the same
// process, or if a member of the group carries the task's work dir. After a
// flowc was killed, stop_strays() also stops every process carrying the
// state folder's mark (FLOWC_STATE_DIR): tasks started in its last moments,
// not journaled yet. A process that made itself a session leader (a
// daemon) is left alone.
#pragma once

#include <map>
#include <sys/types.h>

#include "runtime/executors/executor.h"

namespace flowc::runtime {

class LocalExecutor : public Executor, public Recovery {
 public:
  // `grace`: how long a stopped command has between SIGTERM and SIGKILL.
  // `state_dir`: the state folder of the run (its lock held): every command
  // gets FLOWC_STATE_DIR=<it> in its environment, so that settle() finds
  // what a killed flowc left running there even when the journal had not
  // recorded it yet.
  explicit LocalExecutor(std::chrono::milliseconds grace = std::chrono::seconds(3), std::string state_dir = "");
  ~LocalExecutor() override;

  std::string name() const override { return "local"; }
  int default_jobs() const override { return machine_cpus_; }
  std::optional<Misfit> never_fits(const LaunchSpec& spec) const override;
  bool has_room(const LaunchSpec& spec) const override;
  uint64_t submit(const LaunchSpec& spec) override;
  void cancel(uint64_t handle) override;
  std::vector<Outcome> collect() override;
  std::optional<Clock::time_point> next_deadline() const override;
  size_t running() const { return by_pid_.size(); }
  // Keeps within `cpus` cores and `mem_bytes` of memory (0: the machine's)
  // rather than the whole machine's: what a batch system gave a pilot's
  // agent on its node.
  void hold_to(int cpus, int64_t mem_bytes) {
    if (cpus > 0) machine_cpus_ = cpus;
    if (mem_bytes > 0) machine_mem_ = mem_bytes;
  }
  Recovery* recovery() override { return this; }
  JobRef job_ref(uint64_t handle) const override;
  std::vector<bool> settle(const std::vector<LeftBehind>& left) override;
  void stop_strays() override;
  uint64_t adopt(const LeftBehind& left, const LaunchSpec& spec) override;

 private:
  struct Child {
    uint64_t handle;
    pid_t pid;
    Clock::time_point started;
    std::optional<Clock::time_point> deadline;  // the timeout
    std::optional<Clock::time_point> kill_at;   // SIGKILL if still alive then
    Outcome::How stopping_as = Outcome::How::Exited;
    int cpus = 0;  // what it holds of the machine
    int64_t mem_bytes = 0;
  };
  void stop(Child& child, Outcome::How as);
  uint64_t refuse(const std::string& why);
  int cpus_of(const LaunchSpec& spec) const;

  std::chrono::milliseconds grace_;
  std::string state_mark_;  // "FLOWC_STATE_DIR=<state dir>", or "" for none
  int machine_cpus_ = 1;
  int64_t machine_mem_ = 0;  // 0: unknown
  int cpus_used_ = 0;
  int64_t mem_used_ = 0;
  uint64_t next_handle_ = 1;
  std::map<pid_t, Child> by_pid_;
  std::map<uint64_t, std::pair<pid_t, int64_t>> by_handle_;  // pid, its start in clock ticks (0: not known)
  std::vector<Outcome> not_started_;
};

}  // namespace flowc::runtime
