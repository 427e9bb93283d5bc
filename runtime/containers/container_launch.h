// Turns a task's launch into the same launch inside a container: the
// command, its work dir and its environment stay what the task runner made;
// the argv becomes the engine's `run`, and the spec learns how to stop the
// container should its process group be killed first.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/containers/container_engine.h"
#include "runtime/executors/executor.h"

namespace flowc::runtime {

// What the task runner knows about a task that runs in an image.
struct ContainerRequest {
  std::string image;                   // as the op wrote it
  std::string task;                    // the call path, e.g. main.g[2]
  std::vector<std::string> read_only;  // the staged inputs' real paths
  std::vector<std::pair<std::string, std::string>> env;  // the op's env and flowc's FLOWC_* variables
  std::optional<int> cpus;             // the op's resources, if it set them
  std::optional<int64_t> mem_bytes;
  bool network = false;
};

class ContainerLauncher {
 public:
  // `digests`: image as written → its digest, found before the run began.
  ContainerLauncher(std::unique_ptr<ContainerEngine> engine, std::string engine_path,
                    std::map<std::string, std::string> digests, std::string state_dir);

  const ContainerEngine& engine() const { return *engine_; }
  // The run whose containers these are (part of their names and labels).
  void set_run(const std::string& run_id) { run_id_ = run_id; }
  // The digest of an image the run checked; nullptr for any other.
  const std::string* digest(const std::string& image) const;
  // Rewrites `spec` (argv, stop_argv; env stays the engine's) so its command
  // runs in the image. False, with `error`, when it cannot.
  bool wrap(LaunchSpec& spec, const ContainerRequest& request, std::string* error);

  // Labels every container of this state folder carries: a run that was
  // killed outright leaves containers the next run can find by them.
  static constexpr const char* kStateLabel = "flowc.state";
  static constexpr const char* kRunLabel = "flowc.run";
  static constexpr const char* kTaskLabel = "flowc.task";

 private:
  std::vector<std::string> with_path(std::vector<std::string> argv) const;

  std::unique_ptr<ContainerEngine> engine_;
  std::string engine_path_;
  std::map<std::string, std::string> digests_;
  std::string state_dir_;
  std::string run_id_;
  uint64_t launched_ = 0;
};

}  // namespace flowc::runtime
