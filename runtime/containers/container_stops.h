// A container's clean-up after its task was stopped, kept out of the
// executors. Stopping a task stops its process group; on this machine that
// holds the engine's client (`podman run`), not the container, which the
// engine keeps running (conmon). So the run's executor is wrapped in this:
// after a task that was stopped (cancelled, timed out) or killed by a
// signal, its container's stop command runs (`podman rm --force ...`), and
// so it does, once the executor stopped them, for each task still running
// when the executor goes away (a second Ctrl-C); its destructor waits for
// those. It passes every other call on unchanged.
//
// Only a task that runs on this machine has its container stopped here: one
// known by its process group (JobRef::pid). A batch system's task runs on a
// node, where its job's end takes its processes with it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <sys/types.h>

#include "runtime/executors/batch/batch_hints.h"
#include "runtime/executors/executor.h"

namespace flowc::runtime {

class ContainerStops : public Executor, public Recovery, public BatchSubmit {
 public:
  // The stop command of the container `spec` starts (argv[0] a path), asked
  // once as it is submitted; empty: it starts none.
  using StopCommand = std::function<std::vector<std::string>(const LaunchSpec& spec)>;
  ContainerStops(std::unique_ptr<Executor> inner, StopCommand stop_command);
  ~ContainerStops() override;

  std::string name() const override { return inner_->name(); }
  int default_jobs() const override { return inner_->default_jobs(); }
  std::optional<Misfit> never_fits(const LaunchSpec& spec) const override { return inner_->never_fits(spec); }
  bool has_room(const LaunchSpec& spec) const override { return inner_->has_room(spec); }
  uint64_t submit(const LaunchSpec& spec) override;
  uint64_t submit(const LaunchSpec& spec, const BatchHints& hints) override;
  void cancel(uint64_t handle) override { inner_->cancel(handle); }
  std::vector<Outcome> collect() override;
  std::optional<Clock::time_point> next_deadline() const override { return inner_->next_deadline(); }
  void flush() override { inner_->flush(); }
  BatchSubmit* batch() override { return inner_->batch() ? this : nullptr; }
  Recovery* recovery() override { return inner_->recovery() ? this : nullptr; }
  JobRef job_ref(uint64_t handle) const override { return inner_->recovery()->job_ref(handle); }
  std::vector<bool> settle(const std::vector<LeftBehind>& left) override { return inner_->recovery()->settle(left); }
  void stop_strays() override { inner_->recovery()->stop_strays(); }
  uint64_t adopt(const LeftBehind& left, const LaunchSpec& spec) override {
    return inner_->recovery()->adopt(left, spec);
  }

 private:
  // A task submitted with a container to stop, that runs here.
  struct Stop {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // the task's: the stop command runs with it
  };
  uint64_t follow(uint64_t handle, const LaunchSpec& spec);
  void start(const Stop& stop);
  void reap(bool wait);

  std::unique_ptr<Executor> inner_;
  StopCommand stop_command_;
  std::map<uint64_t, Stop> running_;  // by handle, until the task ends
  std::set<pid_t> cleanups_;          // stop commands still running
};

}  // namespace flowc::runtime
