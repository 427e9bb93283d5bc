// Child processes: posix_spawn into a new process group, reaped by waitpid.
#include "runtime/executors/local/local_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "runtime/mpi/mpi_launch.h"
#include "runtime/process/find_program.h"
#include "runtime/process/process_table.h"
#include "runtime/process/reap.h"
#include "runtime/process/spawn.h"

namespace flowc::runtime {
namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int64_t machine_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemTotal:") return kb * 1024;
  }
  return 0;
}

std::string human_bytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.3g}{}", v, units[u]);
}

}  // namespace

LocalExecutor::LocalExecutor(std::chrono::milliseconds grace, std::string state_dir)
    : grace_(grace),
      state_mark_(state_dir.empty() ? "" : "FLOWC_STATE_DIR=" + state_dir),
      machine_cpus_(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
      machine_mem_(machine_memory()) {}

// An MPI task's ranks share the machine's cores (oversubscribed if need be):
// it holds at most all of them.
int LocalExecutor::cpus_of(const LaunchSpec& spec) const {
  int64_t want = static_cast<int64_t>(spec.cpus) * std::max(1, spec.mpi_ranks);
  return static_cast<int>(std::min<int64_t>(want, machine_cpus_));
}

std::optional<Misfit> LocalExecutor::never_fits(const LaunchSpec& spec) const {
  if (spec.cpus > machine_cpus_) {
    return Misfit{fmt::format("asks for {} cpus; this machine has {}", spec.cpus, machine_cpus_), ""};
  }
  if (machine_mem_ && spec.mem_bytes > machine_mem_) {
    return Misfit{fmt::format("asks for {} of memory; this machine has {}", human_bytes(spec.mem_bytes),
                              human_bytes(machine_mem_)),
                  ""};
  }
  if (spec.gpus > 0) {
    return Misfit{
        fmt::format("asks for {} gpu{}; the local executor has none to give", spec.gpus, spec.gpus == 1 ? "" : "s"),
        "run it with --executor slurm"};
  }
  return std::nullopt;
}

bool LocalExecutor::has_room(const LaunchSpec& spec) const {
  if (cpus_used_ > 0 && cpus_used_ + cpus_of(spec) > machine_cpus_) return false;
  if (machine_mem_ && mem_used_ > 0 && mem_used_ + spec.mem_bytes > machine_mem_) return false;
  return true;
}

JobRef LocalExecutor::job_ref(uint64_t handle) const {
  auto it = by_handle_.find(handle);
  if (it == by_handle_.end()) return {};
  const auto& [pid, start] = it->second;
  return {pid, start != 0 ? start : process_start(pid), ""};
}

std::vector<bool> LocalExecutor::settle(const std::vector<LeftBehind>& left) {
  for (const LeftBehind& l : left) {
    pid_t pid = static_cast<pid_t>(l.ref.pid);
    if (pid <= 0) continue;
    // A start of 0 is unknown (the task had ended when it was journaled):
    // it proves nothing, and the pid may be another's by now.
    if (l.ref.pid_start != 0 && process_start(pid) == l.ref.pid_start) {
      ::kill(-pid, SIGKILL);
      continue;
    }
    // The task's shell has ended (while no flowc watched), but what it
    // started in the background may live on in its process group. The
    // kernel does not give a pid to a new process while a group still uses
    // it, and a member with the task's work dir in its environment is the
    // task's for sure.
    for (pid_t member : process_group_members(pid)) {
      if (process_has_env(member, "FLOWC_WORK_DIR=" + l.work_dir)) {
        ::kill(-pid, SIGKILL);
        break;
      }
    }
  }
  return std::vector<bool>(left.size(), false);
}

// Whatever else a killed flowc left here, journaled or not: the lock on the
// state folder means no living flowc runs these. (A scan of /proc: ~5 ms,
// paid only after a flowc was killed.)
void LocalExecutor::stop_strays() {
  if (state_mark_.empty()) return;
  for (pid_t pid : processes_with_env(state_mark_)) ::kill(pid, SIGKILL);
}

uint64_t LocalExecutor::adopt(const LeftBehind&, const LaunchSpec&) {
  return refuse("the local executor cannot follow a task an earlier flowc started");
}

uint64_t LocalExecutor::refuse(const std::string& why) {
  uint64_t handle = next_handle_++;
  Outcome o;
  o.handle = handle;
  o.how = Outcome::How::NotStarted;
  o.error = why;
  not_started_.push_back(std::move(o));
  return handle;
}

LocalExecutor::~LocalExecutor() {
  // Never leave a command running behind us.
  for (auto& [pid, child] : by_pid_) {
    ::kill(-pid, SIGKILL);
    int status;
    ::waitpid(pid, &status, 0);
  }
}

uint64_t LocalExecutor::submit(const LaunchSpec& spec) {
  std::vector<std::string> command = spec.argv;
  if (spec.mpi_ranks > 0) {
    auto mpirun = find_in_path("mpirun", spec.env);
    if (!mpirun) {
      return refuse(
          fmt::format("it is an MPI task of {} ranks, and `mpirun` is not on the PATH (install Open MPI: "
                      "scripts/install-deps.sh)",
                      spec.mpi_ranks));
    }
    command = mpirun_command(*mpirun, spec.mpi_ranks, ::geteuid() == 0, spec.argv);
  }

  std::vector<std::string> env = spec.env;
  if (!state_mark_.empty()) env.push_back(state_mark_);
  Spawn spawn;  // its own process group, every signal unblocked and default
  spawn.chdir(spec.work_dir);
  spawn.open(0, "/dev/null", O_RDONLY);
  spawn.open(1, spec.stdout_path, O_WRONLY | O_CREAT | O_TRUNC);
  spawn.open(2, spec.stderr_path, O_WRONLY | O_CREAT | O_TRUNC);
  pid_t pid = 0;
  // Before the spawn: the child's exec is part of its time (and of its CPU time).
  auto started = Clock::now();
  int64_t tick_before = boot_ticks_now();
  int rc = spawn.start(&pid, command, env);
  // Its start in /proc's clock, when the spawn fell within one tick (nearly
  // always: a spawn takes well under a tick of 10 ms); else job_ref reads it.
  int64_t tick_after = boot_ticks_now();
  if (rc != 0) return refuse(fmt::format("cannot start `{}`: {}", command[0], std::strerror(rc)));

  uint64_t handle = next_handle_++;
  Child child{handle, pid, started, std::nullopt, std::nullopt, Outcome::How::Exited, cpus_of(spec), spec.mem_bytes};
  cpus_used_ += child.cpus;
  mem_used_ += child.mem_bytes;
  if (spec.timeout_seconds > 0) {
    child.deadline = child.started +
                     std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.timeout_seconds));
  }
  by_pid_.emplace(pid, child);
  by_handle_.emplace(handle, std::pair{pid, tick_before == tick_after ? tick_before : int64_t{0}});
  return handle;
}

void LocalExecutor::stop(Child& child, Outcome::How as) {
  if (child.kill_at) return;  // already stopping
  child.stopping_as = as;
  ::kill(-child.pid, SIGTERM);
  child.kill_at = Clock::now() + grace_;
}

void LocalExecutor::cancel(uint64_t handle) {
  auto it = by_handle_.find(handle);
  if (it == by_handle_.end()) return;
  auto child = by_pid_.find(it->second.first);
  if (child != by_pid_.end()) stop(child->second, Outcome::How::Cancelled);
}

std::vector<Outcome> LocalExecutor::collect() {
  std::vector<Outcome> out;
  out.swap(not_started_);
  // Reap what has ended of our own children, each by its pid: another
  // executor in this process (a pilot agent's pre-fetches) reaps its own.
  std::vector<pid_t> ours;
  for (const auto& entry : by_pid_) ours.push_back(entry.first);
  for (pid_t pid : ours) {
    auto it = by_pid_.find(pid);
    if (it == by_pid_.end()) continue;
    // A task is reaped with what its process tree used (runtime/process/reap.h).
    std::optional<Reaped> reaped = reap_measured(pid);
    if (!reaped) continue;
    int status = reaped->status;
    Child& child = it->second;
    // Whatever the command left running in its group goes with it.
    ::kill(-pid, SIGKILL);
    Outcome o;
    o.handle = child.handle;
    o.seconds = seconds_since(child.started);
    o.usage = std::move(reaped->usage);
    o.usage->wall_seconds = o.seconds;
    if (child.stopping_as != Outcome::How::Exited) {
      o.how = child.stopping_as;
      o.signal = WIFSIGNALED(status) ? WTERMSIG(status) : SIGTERM;
      o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    } else if (WIFEXITED(status)) {
      o.how = Outcome::How::Exited;
      o.exit_code = WEXITSTATUS(status);
    } else {
      o.how = Outcome::How::Signaled;
      o.signal = WTERMSIG(status);
    }
    cpus_used_ -= child.cpus;
    mem_used_ -= child.mem_bytes;
    by_handle_.erase(child.handle);
    by_pid_.erase(it);
    out.push_back(std::move(o));
  }
  // Enforce timeouts and escalate stops that were ignored.
  auto now = Clock::now();
  for (auto& [pid, child] : by_pid_) {
    if (child.kill_at && now >= *child.kill_at) {
      ::kill(-pid, SIGKILL);
      child.kill_at = now + std::chrono::hours(24);  // once is enough; wait for the reap
    } else if (!child.kill_at && child.deadline && now >= *child.deadline) {
      stop(child, Outcome::How::TimedOut);
    }
  }
  return out;
}

std::optional<Clock::time_point> LocalExecutor::next_deadline() const {
  std::optional<Clock::time_point> next;
  if (!not_started_.empty()) return Clock::now();
  for (const auto& [pid, child] : by_pid_) {
    auto t = child.kill_at ? child.kill_at : child.deadline;
    if (t && (!next || *t < *next)) next = t;
  }
  return next;
}

}  // namespace flowc::runtime
