// The task runner's part for tool ops (IR 2, ir/tool.h): after the key and
// reuse (which are every op's), the work dir and command come from
// runtime/tool/, and so do the outputs once the command ended.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "runtime/hash/hash.h"
#include "runtime/process/helper_programs.h"
#include "runtime/run/task_runner.h"
#include "runtime/tool/tool_task.h"
#include "runtime/value/file_object.h"

extern char** environ;

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

// Names a tool's resource expressions read: `$inputs` (and the ports).
class InputsScope : public Scope {
 public:
  explicit InputsScope(const Value& inputs) : inputs_(inputs) {}
  const Value* find(std::string_view name) const override {
    if (name == "$inputs") return &inputs_;
    if (name == "$self" || name == "$runtime") return &null_;
    auto it = inputs_.find(std::string(name));
    return it == inputs_.end() ? nullptr : &*it;
  }

 private:
  const Value& inputs_;
  Value null_;
};

// What a tool asks for: cores, RAM (in MiB, CWL's unit) and a time limit.
struct ToolResources {
  int cpus = 1;
  int64_t mem_bytes = 0;
  double limit_seconds = 0;
};

std::optional<ToolResources> tool_resources(const ir::Program& program, const Task& task, const std::string& work_dir,
                                            std::string* error) {
  const ir::Op& op = *task.op;
  EvalOptions options;
  options.base_dir = work_dir;
  Evaluator evaluator(program, options);
  Value detailed = with_file_details(task.inputs);
  InputsScope scope(detailed);
  auto number = [&](const std::optional<ir::Expr>& e, double fallback, const char* what) -> std::optional<double> {
    if (!e) return fallback;
    auto v = evaluator.eval(*e, scope);
    if (auto* f = std::get_if<EvalFailure>(&v)) {
      *error = fmt::format("{}: {}", what, f->message);
      return std::nullopt;
    }
    const Value& value = std::get<Value>(v);
    return value.is_number() ? value.get<double>() : fallback;
  };
  auto cores = number(op.cpus, 1, "ResourceRequirement cores");
  auto ram = number(op.mem, 256, "ResourceRequirement ram");
  auto limit = number(op.timeout, 0, "ToolTimeLimit");
  if (!cores || !ram || !limit) return std::nullopt;
  return ToolResources{std::max(1, static_cast<int>(std::ceil(*cores))),
                       static_cast<int64_t>(std::ceil(*ram)) * 1024 * 1024, *limit};
}

// The launch of a staged tool: its environment (flowc's, with its helpers
// first on PATH, and the task's own `task_env` unless a container gets
// that), the command, and what the machine can give of what it asks for.
void tool_launch(const Task& task, const ToolResources& r, const std::string& helpers_dir,
                 const std::vector<std::pair<std::string, std::string>>& task_env, Prepared& p) {
  const ir::Op& op = *task.op;
  LaunchSpec& spec = p.spec;
  fs::path work(p.work_dir);
  for (char** e = environ; *e; ++e) spec.env.emplace_back(*e);
  put_first_on_path(spec.env, helpers_dir);
  if (!op.image) {
    for (const auto& [name, value] : task_env) spec.env.push_back(name + "=" + value);
  }
  spec.work_dir = p.work_dir;
  spec.argv = {"/bin/sh", ".command.sh"};
  spec.stdout_path = (work / ".stdout").string();
  spec.stderr_path = (work / ".stderr").string();
  // The machine's cores and memory bound what a task may hold; the tool
  // still sees what it asked for in runtime.cores and runtime.ram.
  long machine_cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  spec.cpus = machine_cores > 0 ? std::min<int>(r.cpus, static_cast<int>(machine_cores)) : r.cpus;
  spec.mem_bytes = 0;
  spec.timeout_seconds = r.limit_seconds;
  spec.job_name = task.path;
  spec.executor = op.executor.value_or("");
  p.batch.kind = op.id;
}

}  // namespace

Prepared TaskRunner::prepare_tool_task(const Task& task, Prepared p) {
  const ir::Op& op = *task.op;
  auto fail = [&](std::string why) {  // the run loop says which task
    p.kind = Prepared::Failed;
    p.error = std::move(why);
    return p;
  };
  std::string error;
  auto resources = tool_resources(program_, task, p.work_dir, &error);
  if (!resources) return fail(error);
  auto staged = tool::prepare(program_, op, task.inputs, p.work_dir, resources->cpus, resources->mem_bytes);
  if (auto* why = std::get_if<std::string>(&staged)) return fail(*why);
  tool::Staged& s = std::get<tool::Staged>(staged);
  fs::path command = fs::path(p.work_dir) / ".command.sh";
  {
    std::ofstream out(command, std::ios::binary);
    out << "set -e\n" << s.script;
    if (!out) return fail(fmt::format("cannot write `{}`", command.string()));
  }
  std::vector<std::pair<std::string, std::string>> task_env = s.env;
  task_env.emplace_back("FLOWC_TASK", task.path);
  task_env.emplace_back("FLOWC_WORK_DIR", p.work_dir);
  tool_launch(task, *resources, helpers_dir_, task_env, p);
  for (const auto& [link, target] : s.links) {
    p.batch.staging.inputs.push_back({link, target});
    if (auto stamp = stamp_of(target)) {
      p.input_stamps.emplace_back(target, Value::array({stamp->size, stamp->mtime_ns}));
    }
  }
  p.tool_context = {{"inputs", s.inputs}, {"runtime", s.runtime}, {"reads", s.input_paths}};
  p.kind = Prepared::Launch;
  if (!op.image) return p;
  p.batch.staging.inputs.clear();
  ContainerRequest request;
  request.image = *op.image;
  request.task = task.path;
  request.work_dir = p.work_dir;
  request.read_only = s.input_paths;
  request.env = std::move(task_env);
  request.network = op.network;
  if (task.group && containers_) {
    p.container = std::move(request);
    return p;
  }
  if (!containers_ || !containers_->wrap(p.spec, request, &error)) {
    return fail(error.empty() ? fmt::format("it runs in image `{}`, but this run has no container engine", *op.image)
                              : error);
  }
  return p;
}

Judged TaskRunner::finish_tool_task(const Task& task, const Prepared& prepared, const Outcome& outcome) {
  const ir::Op& op = *task.op;
  Judged j;
  bool exited = outcome.how == Outcome::How::Exited;
  if (!exited || !tool::succeeded(op, outcome.exit_code)) {
    j.error = failure_text(task, prepared, outcome);
    j.transient = exited && tool::temporary_failure(op, outcome.exit_code) && op.retry.attempts > 0;
    return j;
  }
  for (const auto& [path, before] : prepared.input_stamps) {
    auto stamp = stamp_of(path);
    if (!op.tool->inplace_update && (!stamp || Value::array({stamp->size, stamp->mtime_ns}) != before)) {
      j.error = fmt::format(
          "op `{}` at {} ({}) changed its input `{}`, which is not its own; write to an output "
          "instead (or declare InplaceUpdateRequirement)\n  work dir: {}",
          op.name, task.path, program_.where(task.call_loc), path, prepared.work_dir);
      return j;
    }
  }
  const Value& context = prepared.tool_context;
  auto collected =
      tool::collect(program_, op, context.value("inputs", Value::object()), context.value("runtime", Value::object()),
                    context.value("reads", Value::array()), prepared.work_dir, outcome.exit_code);
  if (auto* why = std::get_if<std::string>(&collected)) {
    j.error = fmt::format("op `{}` at {} ({}): {}\n  work dir: {}", op.name, task.path, program_.where(task.call_loc),
                          *why, prepared.work_dir);
    return j;
  }
  tool::Collected& c = std::get<tool::Collected>(collected);
  Value fingerprint = Value::object();
  for (const std::string& path : c.files) {
    std::string error;
    auto stamp = stamp_of(path);
    auto hash = hash_path(path, &error);
    if (!stamp || !hash) {
      j.error = fmt::format("op `{}` at {} ({}): its output `{}` cannot be read{}\n  work dir: {}", op.name, task.path,
                            program_.where(task.call_loc), path, error.empty() ? "" : ": " + error, prepared.work_dir);
      return j;
    }
    known_hashes_[path] = *hash;
    fingerprint[path] = Value::array({stamp->size, stamp->mtime_ns, *hash});
  }
  j.ok = true;
  j.outputs = c.outputs;
  if (op.cache) {
    store_.cache_put(CacheEntry{prepared.key, op.id, prepared.work_dir, c.outputs, fingerprint, prepared.manifest, 0});
  }
  return j;
}

}  // namespace flowc::runtime
