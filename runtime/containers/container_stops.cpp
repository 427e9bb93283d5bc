// Stop commands after stopped tasks.
#include "runtime/containers/container_stops.h"

#include <fcntl.h>
#include <sys/wait.h>

#include <cerrno>

#include "runtime/process/spawn.h"

namespace flowc::runtime {

ContainerStops::ContainerStops(std::unique_ptr<Executor> inner, StopCommand stop_command)
    : inner_(std::move(inner)), stop_command_(std::move(stop_command)) {}

ContainerStops::~ContainerStops() {
  // The executor first: it stops what still runs (the engines' clients);
  // then their containers go, and flowc waits for that.
  inner_.reset();
  for (const auto& [handle, stop] : running_) start(stop);
  reap(/*wait=*/true);
}

uint64_t ContainerStops::submit(const LaunchSpec& spec) { return follow(inner_->submit(spec), spec); }

uint64_t ContainerStops::submit(const LaunchSpec& spec, const BatchHints& hints) {
  return follow(submit_with_hints(*inner_, spec, hints), spec);
}

// Keeps the stop command of a task that runs here (known by its process
// group as soon as it is submitted).
uint64_t ContainerStops::follow(uint64_t handle, const LaunchSpec& spec) {
  std::vector<std::string> argv = stop_command_(spec);
  if (argv.empty()) return handle;
  Recovery* recovery = inner_->recovery();
  if (recovery && recovery->job_ref(handle).pid != 0) running_[handle] = Stop{std::move(argv), spec.env};
  return handle;
}

std::vector<Outcome> ContainerStops::collect() {
  reap(/*wait=*/false);
  std::vector<Outcome> outcomes = inner_->collect();
  for (const Outcome& o : outcomes) {
    auto it = running_.find(o.handle);
    if (it == running_.end()) continue;
    // Stopped, or killed from outside: what it started elsewhere may live on.
    bool stopped =
        o.how == Outcome::How::Cancelled || o.how == Outcome::How::TimedOut || o.how == Outcome::How::Signaled;
    if (stopped) start(it->second);
    running_.erase(it);
  }
  return outcomes;
}

// Starts a stop command in its own process group, its outputs discarded;
// reaped by a later collect() (or waited for by the destructor).
void ContainerStops::start(const Stop& stop) {
  Spawn spawn;
  spawn.open(0, "/dev/null", O_RDONLY);
  spawn.open(1, "/dev/null", O_WRONLY);
  spawn.open(2, "/dev/null", O_WRONLY);
  pid_t pid = -1;
  if (spawn.start(&pid, stop.argv, stop.env) == 0) cleanups_.insert(pid);
}

// Reaps the stop commands that ended, each by its pid (the executor reaps
// its own children); `wait`: all of them, waiting.
void ContainerStops::reap(bool wait) {
  for (auto it = cleanups_.begin(); it != cleanups_.end();) {
    int status = 0;
    pid_t got;
    while ((got = ::waitpid(*it, &status, wait ? 0 : WNOHANG)) < 0 && errno == EINTR) {
    }
    it = got == 0 ? std::next(it) : cleanups_.erase(it);
  }
}

}  // namespace flowc::runtime
