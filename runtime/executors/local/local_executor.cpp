// Child processes: posix_spawn into a new process group, reaped by waitpid.
#include "runtime/executors/local/local_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace flowc::runtime {
namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// posix_spawn attributes and file actions, released on every path.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// Starts `argv` in its own process group with its outputs discarded; -1 if
// it cannot start.
pid_t spawn_quietly(const std::vector<std::string>& command, const std::vector<std::string>& env) {
  SpawnSetup setup;
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv, envp;
  for (const std::string& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  return posix_spawn(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data()) == 0 ? pid : -1;
}

}  // namespace

LocalExecutor::~LocalExecutor() {
  // Never leave a command running behind us, nor what it started outside
  // its process group.
  for (auto& [pid, child] : by_pid_) {
    ::kill(-pid, SIGKILL);
    int status;
    ::waitpid(pid, &status, 0);
    start_cleanup(child);
  }
  for (pid_t pid : cleanups_) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void LocalExecutor::start_cleanup(const Child& child) {
  if (child.stop_argv.empty()) return;
  pid_t pid = spawn_quietly(child.stop_argv, child.env);
  if (pid > 0) cleanups_.insert(pid);
}

uint64_t LocalExecutor::submit(const LaunchSpec& spec) {
  uint64_t handle = next_handle_++;
  auto refuse = [&](const std::string& why) {
    Outcome o;
    o.handle = handle;
    o.how = Outcome::How::NotStarted;
    o.error = why;
    not_started_.push_back(std::move(o));
    return handle;
  };

  SpawnSetup setup;
  // Its own process group; every signal back to its default and unblocked
  // (flowc blocks SIGCHLD, SIGINT and SIGTERM for its signalfd).
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_addchdir_np(&setup.actions, spec.work_dir.c_str());
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, 1, spec.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&setup.actions, 2, spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);

  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data());
  if (rc != 0) return refuse(fmt::format("cannot start `{}`: {}", spec.argv[0], std::strerror(rc)));

  Child child{handle, pid, Clock::now(), std::nullopt, std::nullopt, Outcome::How::Exited, spec.stop_argv, {}};
  if (!spec.stop_argv.empty()) child.env = spec.env;
  if (spec.timeout_seconds > 0) {
    child.deadline = child.started + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(spec.timeout_seconds));
  }
  by_pid_.emplace(pid, child);
  by_handle_.emplace(handle, pid);
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
  auto child = by_pid_.find(it->second);
  if (child != by_pid_.end()) stop(child->second, Outcome::How::Cancelled);
}

std::vector<Outcome> LocalExecutor::collect() {
  std::vector<Outcome> out;
  out.swap(not_started_);
  // Reap everything that has ended.
  while (!by_pid_.empty() || !cleanups_.empty()) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    if (cleanups_.erase(pid)) continue;
    auto it = by_pid_.find(pid);
    if (it == by_pid_.end()) continue;  // not one of ours
    Child& child = it->second;
    // Whatever the command left running in its group goes with it.
    ::kill(-pid, SIGKILL);
    Outcome o;
    o.handle = child.handle;
    o.seconds = seconds_since(child.started);
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
    // Stopped, or killed from outside: what it started elsewhere may live on.
    if (child.stopping_as != Outcome::How::Exited || WIFSIGNALED(status)) start_cleanup(child);
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
