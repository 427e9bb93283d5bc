// podman and docker command lines.
#include "runtime/containers/oci_engine.h"

#include <string>

namespace flowc::runtime {
namespace {

std::string bind_mount(const std::string& path, bool read_only) {
  std::string spec = "type=bind," + csv_field("src=" + path) + "," + csv_field("dst=" + path);
  return read_only ? spec + ",readonly" : spec;
}

}  // namespace

void OciEngine::user_options(const ContainerTask& task, std::vector<std::string>& argv) const {
  argv.insert(argv.end(), {"--user", std::to_string(task.uid) + ":" + std::to_string(task.gid)});
}

std::vector<std::string> OciEngine::run_argv(const ContainerTask& task) const {
  // --pull never: the image was checked before the run started, and its
  // digest is in the task's cache key; nothing may change it now.
  std::vector<std::string> argv = {program(), "run", "--rm", "--init", "--pull", "never", "--name", task.name};
  if (task.keep_stdin) argv.push_back("--interactive");
  for (const auto& [key, value] : task.labels) argv.insert(argv.end(), {"--label", key + "=" + value});
  user_options(task, argv);
  if (!task.network) argv.insert(argv.end(), {"--network", "none"});
  if (!task.work_dir.empty()) argv.insert(argv.end(), {"--mount", bind_mount(task.work_dir, false)});
  for (const std::string& path : task.read_write) argv.insert(argv.end(), {"--mount", bind_mount(path, false)});
  for (const std::string& path : task.read_only) argv.insert(argv.end(), {"--mount", bind_mount(path, true)});
  if (!task.work_dir.empty()) argv.insert(argv.end(), {"--workdir", task.work_dir});
  for (const auto& [name, value] : task.env) argv.insert(argv.end(), {"--env", name + "=" + value});
  if (task.cpus) argv.insert(argv.end(), {"--cpus", std::to_string(*task.cpus)});
  if (task.mem_bytes) argv.insert(argv.end(), {"--memory", std::to_string(*task.mem_bytes)});
  if (task.gpus > 0) gpu_options(task.gpus, argv);
  argv.push_back(task.image);
  argv.insert(argv.end(), task.command.begin(), task.command.end());
  return argv;
}

std::vector<std::string> OciEngine::image_digest_argv(const std::string& image) const {
  return {program(), "image", "inspect", "--format", "{{.Id}}", image};
}

std::string OciEngine::run_reference(const std::string&, const std::string& digest) const {
  // The image id without its algorithm is what both CLIs accept as a name.
  return digest.rfind("sha256:", 0) == 0 ? digest.substr(7) : digest;
}

std::vector<std::string> OciEngine::probe_argv(const std::string& image) const {
  return {program(), "run", "--rm", "--pull", "never", "--network", "none", image, "/bin/sh", "-c", "exit 0"};
}

std::vector<std::string> OciEngine::list_labelled_argv(const std::string& key, const std::string& value) const {
  return {program(), "ps", "--all", "--filter", "label=" + key + "=" + value, "--format", "{{.Names}}"};
}

void PodmanEngine::gpu_options(int, std::vector<std::string>& argv) const {
  // Through CDI (nvidia-ctk cdi generate): podman hands out devices by
  // name, not by count, so the container sees every GPU of the node; the
  // executor's accounting keeps tasks within the count they asked for.
  argv.insert(argv.end(), {"--device", "nvidia.com/gpu=all"});
}

void DockerEngine::gpu_options(int count, std::vector<std::string>& argv) const {
  argv.insert(argv.end(), {"--gpus", std::to_string(count)});
}

void PodmanEngine::user_options(const ContainerTask& task, std::vector<std::string>& argv) const {
  // Rootless podman maps the invoking user to root in the container, and
  // any other uid to a subordinate one: keep-id maps the user to itself, so
  // outputs on the host belong to whoever ran flowc.
  if (task.uid != 0) argv.insert(argv.end(), {"--userns", "keep-id"});
  OciEngine::user_options(task, argv);
}

std::vector<std::string> PodmanEngine::stop_argv(const std::string& name) const {
  // -t 0: the task was already given its grace by the executor.
  return {program(), "rm", "--force", "--ignore", "--time", "0", name};
}

std::vector<std::string> PodmanEngine::list_labelled_argv(const std::string& key, const std::string& value) const {
  return {program(), "ps", "--all", "--filter", csv_field("label=" + key + "=" + value), "--format", "{{.Names}}"};
}

std::vector<std::string> DockerEngine::stop_argv(const std::string& name) const {
  // `docker rm -f` kills at once; a container already gone is only an error
  // message, which no one reads.
  return {program(), "rm", "--force", name};
}

}  // namespace flowc::runtime
