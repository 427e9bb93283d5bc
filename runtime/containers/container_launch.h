// Turns a task's launch into the same launch inside a container: the
// command, its work dir and its environment stay what the task runner made;
// the argv becomes the engine's `run`. How to stop the container should its
// process group be killed first is the launcher's to keep, for the wrapper
// around the run's executor (stops(), container_stops.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/containers/container_engine.h"
#include "runtime/containers/shared_container.h"
#include "runtime/executors/executor.h"

namespace flowc::runtime {

// What the task runner knows about a task that runs in an image.
struct ContainerRequest {
  std::string image;                                     // as the op wrote it
  std::string task;                                      // the call path, e.g. main.g[2]
  std::string work_dir;                                  // the task's, mounted read-write
  std::vector<std::string> read_only;                    // the staged inputs' real paths
  std::vector<std::pair<std::string, std::string>> env;  // the op's env and flowc's FLOWC_* variables
  std::optional<int> cpus;                               // the op's resources, if it set them
  std::optional<int64_t> mem_bytes;
  int gpus = 0;
  bool network = false;
};

class ContainerLauncher {
 public:
  // `digests`: image as written → its digest, found before the run began.
  ContainerLauncher(std::unique_ptr<ContainerEngine> engine, std::string engine_path,
                    std::map<std::string, std::string> digests, std::string state_dir);

  const ContainerEngine& engine() const { return *engine_; }
  // Checks an image can run a task (the engine works, the image has a
  // shell) before the first task in it starts, not before the run: a run
  // whose tasks are all reused starts no container. Returns "" or the error.
  using Probe = std::function<std::string(const std::string& image, const std::string& reference)>;
  void set_probe(Probe probe) { probe_ = std::move(probe); }
  // A probe failed: the run must start nothing more.
  bool broken() const { return broken_; }
  // The run whose containers these are (part of their names and labels).
  void set_run(const std::string& run_id) { run_id_ = run_id; }
  // The digest of an image the run checked; nullptr for any other.
  const std::string* digest(const std::string& image) const;
  // Rewrites `spec` (argv; env stays the engine's) so its command runs in
  // the image, and keeps its container's stop command by work dir for
  // stops(). False, with `error`, when it cannot.
  bool wrap(LaunchSpec& spec, const ContainerRequest& request, std::string* error);

  // Sharing one container between the tasks of a group (a call's `group`),
  // which run in it one after another (the run loop sees to that).
  // Rewrites `spec` to start its command in the group's container (see
  // shared_container.h: the argv becomes a waiter on the host), starting
  // that container first if there is none running that mounts what this
  // task needs; a new one mounts what `upcoming` (the group's tasks still
  // to run) need too, so they can use it. Stopping the task removes the
  // container (the run ends it with end_shared and the next task starts
  // another). An engine that cannot share: wrap().
  bool wrap_shared(uint64_t group, LaunchSpec& spec, const ContainerRequest& request,
                   const std::vector<const ContainerRequest*>& upcoming, std::string* error);
  // The group is done, or its container was stopped with a task: end it.
  void end_shared(uint64_t group);
  // Containers started so far (each shared one counts once).
  uint64_t started() const { return launched_; }

  // The run's executor, wrapped so that the container of a task it stopped
  // is stopped too (container_stops.h), with the stop command wrap() or
  // wrap_shared() kept for the spec's work dir (one task runs in a work dir
  // at a time). The launcher must outlive what this returns.
  std::unique_ptr<Executor> stops(std::unique_ptr<Executor> executor);

  // Labels every container of this state folder carries: a run that was
  // killed outright leaves containers the next run can find by them.
  static constexpr const char* kStateLabel = "flowc.state";
  static constexpr const char* kRunLabel = "flowc.run";
  static constexpr const char* kTaskLabel = "flowc.task";

 private:
  std::vector<std::string> with_path(std::vector<std::string> argv) const;
  std::map<std::string, std::vector<std::string>> stop_commands_;  // by work dir, until submitted
  std::string next_name();
  ContainerTask base_task(const ContainerRequest& request);

  // A running shared container and what it was started with.
  struct Shared {
    std::unique_ptr<SharedContainer> container;
    std::string image;
    std::vector<std::string> read_write, read_only;  // sorted
    ContainerTask limits;
    bool covers(const ContainerRequest& request) const;
  };
  std::map<uint64_t, Shared> shared_;
  bool probed(const std::string& image, std::string* error);
  Probe probe_;
  std::map<std::string, std::string> probed_;  // image → "" (fine) or why not
  bool broken_ = false;

  std::unique_ptr<ContainerEngine> engine_;
  std::string engine_path_;
  std::map<std::string, std::string> digests_;
  std::string state_dir_;
  std::string run_id_;
  uint64_t launched_ = 0;
};

}  // namespace flowc::runtime
