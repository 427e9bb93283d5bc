// The family of docker-compatible CLIs (podman, docker): the same `run`
// options, the same `--mount` syntax, the same inspect formats. A member
// supplies only what differs.
#pragma once

#include "runtime/containers/container_engine.h"

namespace flowc::runtime {

class OciEngine : public ContainerEngine {
 public:
  std::vector<std::string> run_argv(const ContainerTask& task) const override;
  std::vector<std::string> image_digest_argv(const std::string& image) const override;
  std::string run_reference(const std::string& image, const std::string& digest) const override;
  std::vector<std::string> probe_argv(const std::string& image) const override;
  std::vector<std::string> list_labelled_argv(const std::string& key, const std::string& value) const override;

 protected:
  // How the container gets `count` GPUs.
  virtual void gpu_options(int count, std::vector<std::string>& argv) const = 0;
  // Options that make the container's files belong to task.uid:task.gid.
  virtual void user_options(const ContainerTask& task, std::vector<std::string>& argv) const;
};

// Podman (rootful or rootless). `--init` (catatonit) as PID 1 passes
// SIGTERM on to the command, which a shell as PID 1 would ignore.
class PodmanEngine : public OciEngine {
 public:
  std::string name() const override { return "podman"; }
  std::string program() const override { return "podman"; }
  std::vector<std::string> stop_argv(const std::string& name) const override;
  // podman reads --filter values as CSV (docker does not).
  std::vector<std::string> list_labelled_argv(const std::string& key, const std::string& value) const override;

 protected:
  void gpu_options(int count, std::vector<std::string>& argv) const override;
  void user_options(const ContainerTask& task, std::vector<std::string>& argv) const override;
};

class DockerEngine : public OciEngine {
 public:
  std::string name() const override { return "docker"; }
  std::string program() const override { return "docker"; }
  std::vector<std::string> stop_argv(const std::string& name) const override;

 protected:
  void gpu_options(int count, std::vector<std::string>& argv) const override;
};

}  // namespace flowc::runtime
