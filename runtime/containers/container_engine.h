// The command lines of a container engine: how to run a task's command in an
// image, stop it, identify an image by its digest, and probe that the engine
// works. An engine only builds argv vectors; running them is someone else's
// job (the executor runs a task's, runtime/containers/preflight.cpp the
// checks). A container is a transformation of a task's launch, not an
// executor: whatever runs the wrapped command (a local process, a Slurm job)
// runs the container.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowc::runtime {

// What one task needs from its container, whatever the engine.
struct ContainerTask {
  std::string name;      // unique; names the container so it can be stopped
  std::string image;     // what to run: an image id (or, for apptainer, a file)
  std::string work_dir;  // bind-mounted read-write at the same path; the command runs there
  std::vector<std::string>
      read_write;  // more folders bind-mounted read-write (a shared container: every item's work dir)
  std::vector<std::string> read_only;                    // bind-mounted read-only at the same path (the staged inputs)
  std::vector<std::pair<std::string, std::string>> env;  // passed into the container
  std::vector<std::pair<std::string, std::string>> labels;  // on the container, to find it again
  std::vector<std::string> command;                         // argv inside the container
  std::optional<int> cpus;                                  // limits, when the op's resources ask for them
  std::optional<int64_t> mem_bytes;
  int gpus = 0;               // the op's `resources { gpus }`: passed to the engine's GPU option
  bool network = false;       // the op's `network true`
  bool keep_stdin = false;    // stdin stays open (a shared container lives until it closes)
  uint32_t uid = 0, gid = 0;  // who the command runs as (and owns what it writes)
};

class ContainerEngine {
 public:
  virtual ~ContainerEngine() = default;
  virtual std::string name() const = 0;     // as chosen by --container-engine
  virtual std::string program() const = 0;  // the CLI, looked up on PATH

  // Every argv below starts with a program name; the caller finds it on PATH.
  virtual std::vector<std::string> run_argv(const ContainerTask& task) const = 0;
  // Stops and removes the container `name` (no error if it is gone);
  // empty when stopping the launching process is enough.
  virtual std::vector<std::string> stop_argv(const std::string& name) const = 0;
  // Prints the image's digest (its content, not its tag) on stdout; fails
  // when the engine does not have the image.
  virtual std::vector<std::string> image_digest_argv(const std::string& image) const = 0;
  // "sha256:<hex>" from what image_digest_argv printed; empty if unreadable.
  virtual std::string parse_image_digest(std::string_view out) const;
  // What run_argv is given as the image once the digest is known: running
  // by digest means the image that ran is the image in the cache key.
  virtual std::string run_reference(const std::string& image, const std::string& digest) const = 0;
  // Runs /bin/sh in the image and nothing else: the engine works and the
  // image can run a task's command.
  virtual std::vector<std::string> probe_argv(const std::string& image) const = 0;
  // Whether the tasks of a group may share one container (started with
  // run_argv, stopped with stop_argv by name; see shared_container.h).
  virtual bool can_share() const { return true; }
  // Prints the names of the containers with this label (one a line);
  // empty when the engine has no named containers.
  virtual std::vector<std::string> list_labelled_argv(const std::string& key, const std::string& value) const = 0;
};

// An engine whose container is the launching process itself (apptainer,
// charliecloud): stopping its process group stops it; it has no name to
// stop or list it by, so tasks never share one.
class ProcessEngine : public ContainerEngine {
 public:
  std::vector<std::string> stop_argv(const std::string&) const override { return {}; }
  std::vector<std::string> list_labelled_argv(const std::string&, const std::string&) const override { return {}; }
  bool can_share() const override { return false; }
};

// podman, docker, apptainer or charliecloud; nullptr for another name.
std::unique_ptr<ContainerEngine> make_container_engine(std::string_view name);
const std::vector<std::string>& container_engine_names();

// One field of the CSV that `--mount` options are (podman, docker and
// apptainer read them with a CSV reader): quoted when it holds a comma, a
// quote or a line break, so any path can be mounted.
std::string csv_field(std::string_view text);

}  // namespace flowc::runtime
