// Wrapping a launch in a container.
#include "runtime/containers/container_launch.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "runtime/containers/capture.h"
#include "runtime/process/find_program.h"

namespace flowc::runtime {

ContainerLauncher::ContainerLauncher(std::unique_ptr<ContainerEngine> engine, std::string engine_path,
                                     std::map<std::string, std::string> digests, std::string state_dir)
    : engine_(std::move(engine)),
      engine_path_(std::move(engine_path)),
      digests_(std::move(digests)),
      state_dir_(std::move(state_dir)) {}

const std::string* ContainerLauncher::digest(const std::string& image) const {
  auto it = digests_.find(image);
  return it == digests_.end() ? nullptr : &it->second;
}

std::vector<std::string> ContainerLauncher::with_path(std::vector<std::string> argv) const {
  if (argv.empty()) return argv;
  if (argv[0] == engine_->program()) {
    argv[0] = engine_path_;
  } else if (auto path = find_on_path(argv[0])) {
    argv[0] = *path;
  }
  return argv;
}

bool ContainerLauncher::wrap(LaunchSpec& spec, const ContainerRequest& request, std::string* error) {
  const std::string* image_digest = digest(request.image);
  if (!image_digest) {
    *error = fmt::format("image `{}` was not checked before the run started", request.image);
    return false;
  }
  ContainerTask task;
  // Unique on this machine: the run id is unique in its state folder, the
  // pid among the runs alive at once.
  task.name = fmt::format("flowc-{}-{}-{}", run_id_.empty() ? "run" : run_id_, ::getpid(), ++launched_);
  task.image = engine_->run_reference(request.image, *image_digest);
  task.work_dir = spec.work_dir;
  task.read_only = request.read_only;
  std::sort(task.read_only.begin(), task.read_only.end());
  task.read_only.erase(std::unique(task.read_only.begin(), task.read_only.end()), task.read_only.end());
  task.env = request.env;
  task.labels = {{kStateLabel, state_dir_}, {kRunLabel, run_id_}, {kTaskLabel, request.task}};
  task.command = spec.argv;
  task.cpus = request.cpus;
  task.mem_bytes = request.mem_bytes;
  task.network = request.network;
  task.uid = ::getuid();
  task.gid = ::getgid();
  spec.argv = with_path(engine_->run_argv(task));
  spec.stop_argv = with_path(engine_->stop_argv(task.name));
  return true;
}

}  // namespace flowc::runtime
