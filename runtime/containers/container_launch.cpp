// Wrapping a launch in a container.
#include "runtime/containers/container_launch.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "runtime/containers/container_stops.h"
#include "runtime/observe/usage.h"
#include "runtime/process/find_program.h"

namespace flowc::runtime {
namespace fs = std::filesystem;
namespace {

// A container start takes about a second here, many on a loaded machine.
constexpr double kStartSeconds = 120;

// `text` as one /bin/sh word.
std::string shell_word(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

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

std::string ContainerLauncher::next_name() {
  // Unique on this machine: the run id is unique in its state folder, the
  // pid among the runs alive at once.
  return fmt::format("flowc-{}-{}-{}", run_id_.empty() ? "run" : run_id_, ::getpid(), ++launched_);
}

ContainerTask ContainerLauncher::base_task(const ContainerRequest& request) {
  ContainerTask task;
  task.name = next_name();
  task.image = engine_->run_reference(request.image, *digest(request.image));
  task.read_only = request.read_only;
  std::sort(task.read_only.begin(), task.read_only.end());
  task.read_only.erase(std::unique(task.read_only.begin(), task.read_only.end()), task.read_only.end());
  task.labels = {{kStateLabel, state_dir_}, {kRunLabel, run_id_}, {kTaskLabel, request.task}};
  task.cpus = request.cpus;
  task.mem_bytes = request.mem_bytes;
  task.gpus = request.gpus;
  task.network = request.network;
  task.uid = ::getuid();
  task.gid = ::getgid();
  return task;
}

bool ContainerLauncher::probed(const std::string& image, std::string* error) {
  auto it = probed_.find(image);
  if (it == probed_.end()) {
    std::string why = probe_ ? probe_(image, engine_->run_reference(image, *digest(image))) : "";
    it = probed_.emplace(image, why).first;
  }
  if (it->second.empty()) return true;
  broken_ = true;
  *error = it->second;
  return false;
}

bool ContainerLauncher::wrap(LaunchSpec& spec, const ContainerRequest& request, std::string* error) {
  if (!digest(request.image)) {
    *error = fmt::format("image `{}` was not checked before the run started", request.image);
    return false;
  }
  if (!probed(request.image, error)) return false;
  ContainerTask task = base_task(request);
  task.work_dir = spec.work_dir;
  task.env = request.env;
  task.command = observe::cgroup_measured(spec.argv);  // and what the container used (runtime/observe/usage.h)
  spec.argv = with_path(engine_->run_argv(task));
  stop_commands_[spec.work_dir] = with_path(engine_->stop_argv(task.name));
  return true;
}

bool ContainerLauncher::Shared::covers(const ContainerRequest& request) const {
  auto has = [](const std::vector<std::string>& sorted, const std::string& path) {
    return std::binary_search(sorted.begin(), sorted.end(), path);
  };
  if (request.image != image || request.network != limits.network || request.gpus > limits.gpus) return false;
  if (request.cpus.value_or(0) > limits.cpus.value_or(0)) return false;
  if (request.mem_bytes.value_or(0) > limits.mem_bytes.value_or(0)) return false;
  if (!has(read_write, request.work_dir)) return false;
  return std::all_of(request.read_only.begin(), request.read_only.end(),
                     [&](const std::string& path) { return has(read_only, path); });
}

bool ContainerLauncher::wrap_shared(uint64_t group, LaunchSpec& spec, const ContainerRequest& request,
                                    const std::vector<const ContainerRequest*>& upcoming, std::string* error) {
  if (!digest(request.image)) {
    *error = fmt::format("image `{}` was not checked before the run started", request.image);
    return false;
  }
  if (!probed(request.image, error)) return false;
  if (!engine_->can_share()) return wrap(spec, request, error);

  auto it = shared_.find(group);
  if (it != shared_.end() && (!it->second.container->alive() || !it->second.covers(request))) {
    shared_.erase(it);  // ends it
    it = shared_.end();
  }
  if (it == shared_.end()) {
    // Mount every task of the group that is known now, so they all fit;
    // limits are the largest any of them asks for.
    ContainerTask task = base_task(request);
    task.read_write.push_back(request.work_dir);
    for (const ContainerRequest* next : upcoming) {
      if (next->image != request.image || next->network != request.network) continue;
      task.read_write.push_back(next->work_dir);
      task.read_only.insert(task.read_only.end(), next->read_only.begin(), next->read_only.end());
      if (next->cpus) task.cpus = std::max(task.cpus.value_or(0), *next->cpus);
      if (next->mem_bytes) task.mem_bytes = std::max(task.mem_bytes.value_or(0), *next->mem_bytes);
      task.gpus = std::max(task.gpus, next->gpus);
    }
    for (auto* list : {&task.read_write, &task.read_only}) {
      std::sort(list->begin(), list->end());
      list->erase(std::unique(list->begin(), list->end()), list->end());
    }
    task.labels.back().second = request.task + " (group)";
    task.command = SharedContainer::runner_command();
    task.keep_stdin = true;
    Shared shared;
    shared.image = request.image;
    shared.read_write = task.read_write;
    shared.read_only = task.read_only;
    shared.limits = task;
    shared.container = std::make_unique<SharedContainer>(task.name, with_path(engine_->run_argv(task)),
                                                         with_path(engine_->stop_argv(task.name)), kStartSeconds);
    if (!shared.container->ok()) {
      *error = fmt::format("{} could not start the container its group shares (image `{}`): {}", engine_->name(),
                           request.image, shared.container->error());
      return false;
    }
    it = shared_.emplace(group, std::move(shared)).first;
  }

  // The task's environment, for the container's loop to read.
  std::string env;
  for (const auto& [name, value] : request.env) env += fmt::format("export {}={}\n", name, shell_word(value));
  fs::path env_file = fs::path(spec.work_dir) / SharedContainer::kEnvFile;
  {
    std::ofstream out(env_file, std::ios::binary);
    out << env;
    if (!out) {
      *error = fmt::format("cannot write `{}`", env_file.string());
      return false;
    }
  }
  SharedContainer& container = *it->second.container;
  if (!container.send(spec.work_dir)) {
    *error = fmt::format("the container its group shares (image `{}`) ended before the task could start in it",
                         request.image);
    shared_.erase(it);
    return false;
  }
  spec.argv = container.waiter_argv();
  // The command in the container writes .stdout and .stderr itself.
  spec.stdout_path = spec.stderr_path = "/dev/null";
  // Stopping the waiter leaves the command running in the container:
  // removing the container stops it (nothing else of the group runs there).
  stop_commands_[spec.work_dir] = with_path(engine_->stop_argv(container.name()));
  return true;
}

void ContainerLauncher::end_shared(uint64_t group) { shared_.erase(group); }

std::unique_ptr<Executor> ContainerLauncher::stops(std::unique_ptr<Executor> executor) {
  return std::make_unique<ContainerStops>(std::move(executor), [this](const LaunchSpec& spec) {
    auto it = stop_commands_.find(spec.work_dir);
    if (it == stop_commands_.end()) return std::vector<std::string>{};
    std::vector<std::string> argv = std::move(it->second);
    stop_commands_.erase(it);
    return argv;
  });
}

}  // namespace flowc::runtime
