// apptainer command lines (Apptainer 1.1 or later: --mount, --env, --cpus,
// --memory).
#include "runtime/containers/apptainer_engine.h"

#include <string>

namespace flowc::runtime {

std::vector<std::string> ApptainerEngine::run_argv(const ContainerTask& task) const {
  // --containall: no host home, /tmp, environment, PID or IPC namespace
  // leaks in; the command sees only what is mounted below. Apptainer always
  // runs as the invoking user, so outputs are theirs without a --user.
  std::vector<std::string> argv = {program(), "exec", "--containall"};
  argv.insert(argv.end(),
              {"--mount", "type=bind," + csv_field("src=" + task.work_dir) + "," + csv_field("dst=" + task.work_dir)});
  for (const std::string& path : task.read_only) {
    argv.insert(argv.end(),
                {"--mount", "type=bind," + csv_field("src=" + path) + "," + csv_field("dst=" + path) + ",ro"});
  }
  argv.insert(argv.end(), {"--pwd", task.work_dir});
  for (const auto& [name, value] : task.env) argv.insert(argv.end(), {"--env", name + "=" + value});
  // A network namespace with no interface but loopback (needs root or a
  // setuid installation, as on most clusters).
  if (!task.network) argv.insert(argv.end(), {"--net", "--network", "none"});
  if (task.cpus) argv.insert(argv.end(), {"--cpus", std::to_string(*task.cpus)});
  if (task.mem_bytes) argv.insert(argv.end(), {"--memory", std::to_string(*task.mem_bytes)});
  // NVIDIA's driver libraries and devices: all of the node's GPUs.
  if (task.gpus > 0) argv.push_back("--nv");
  argv.push_back(task.image);
  argv.insert(argv.end(), task.command.begin(), task.command.end());
  return argv;
}

std::vector<std::string> ApptainerEngine::image_digest_argv(const std::string& image) const {
  // An apptainer image is a file (SIF): its digest is its content's.
  return {"sha256sum", "--", image};
}

std::vector<std::string> ApptainerEngine::probe_argv(const std::string& image) const {
  return {program(), "exec", "--containall", image, "/bin/sh", "-c", "exit 0"};
}

}  // namespace flowc::runtime
