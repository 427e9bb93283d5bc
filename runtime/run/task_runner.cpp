// Preparing tasks (key, reuse, work dir, staging, command) and judging them.
#include "runtime/run/task_runner.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "ir/ir_json.h"
#include "runtime/command/render.h"
#include "runtime/command/shell.h"
#include "runtime/containers/container_launch.h"
#include "runtime/files/disk.h"
#include "runtime/files/read_small.h"
#include "runtime/hash/hash.h"
#include "runtime/process/find_program.h"
#include "runtime/process/helper_programs.h"
#include "runtime/run/end_text.h"
#include "runtime/run/full_disk.h"
#include "runtime/run/output_check.h"

extern char** environ;

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

// 2: commands run in strict mode (command/shell.h). A result made under
// version 1's `sh -e`, which let a failing command inside a pipe pass, is
// not trusted: its task runs again once.
constexpr int kKeyVersion = 2;
constexpr size_t kStderrLines = 20;
constexpr uint64_t kMaxValueBytes = 64ull << 20;  // a value output, read whole

// Names bound while a task's expressions are evaluated: its inputs and
// outputs.
class ValueScope : public Scope {
 public:
  explicit ValueScope(const Value& values) : values_(values) {}
  const Value* find(std::string_view name) const override {
    auto it = values_.find(std::string(name));
    return it == values_.end() ? nullptr : &*it;
  }

 private:
  const Value& values_;
};

// Removes "loc" everywhere, and the op's own id, name and doc: none of them
// changes what the op does.
void strip_identity(nlohmann::ordered_json& j) {
  if (j.is_object()) {
    j.erase("loc");
    for (auto& [k, v] : j.items()) strip_identity(v);
  } else if (j.is_array()) {
    for (auto& v : j) strip_identity(v);
  }
}

bool inside(const fs::path& dir, const fs::path& path) {
  auto d = dir.lexically_normal(), p = path.lexically_normal();
  auto mismatch = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return mismatch.first == d.end();
}

// The last `n` lines of a log, read from its end: a task may have written
// gigabytes to it before it failed.
std::string last_lines(const fs::path& path, size_t n) {
  files::Tail read = files::read_tail(path.string(), 16 << 10);
  std::string text = std::move(read.text);
  std::erase(text, '\0');  // a sparse or binary log
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (read.cut) {
    // Drop the first line, cut in the middle, unless it is the only one.
    size_t newline = text.find('\n');
    if (newline != std::string::npos) text.erase(0, newline + 1);
  }
  size_t pos = text.size();
  for (size_t k = 0; k < n && pos != std::string::npos && pos > 0; ++k) pos = text.rfind('\n', pos - 1);
  std::string tail = pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
  if (tail.size() > 4000) tail = "..." + tail.substr(tail.size() - 4000);
  return tail;
}

std::string missing_companion_text(const std::string& port, const std::string& path, const CompanionFile& c) {
  return fmt::format("input `{}`: `{}` needs its companion `{}` beside it (\"{}\" in its type), which does not "
                     "exist; make it first (an index: `samtools index`, `bwa index`, ...), or declare it optional "
                     "(`\"{}\"?`)",
                     port, path, fs::path(c.path).filename().string(), c.companion->pattern, c.companion->pattern);
}

bool is_path_type(const ir::Type* t) { return t->non_optional()->is_path(); }
bool is_path_list(const ir::Type* t) {
  return t->is(ir::TypeKind::List) && t->elem()->is_path();
}

}  // namespace

TaskRunner::TaskRunner(const ir::Program& program, Store& store, std::string work_root, bool fresh)
    : program_(program),
      store_(store),
      work_root_(std::move(work_root)),
      fresh_(fresh),
      helpers_dir_(own_program_dir()),
      bash_(find_on_path("bash").value_or("")) {}

const std::string& TaskRunner::op_digest(const ir::Op& op) {
  auto it = op_digests_.find(&op);
  if (it != op_digests_.end()) return it->second;
  nlohmann::ordered_json j = ir::op_to_json(op, *program_.types);
  j.erase("id");
  j.erase("name");
  j.erase("doc");
  strip_identity(j);
  std::string text = Value(j).dump();  // sorted keys: a canonical form
  std::string digest = hash_bytes(text);
  store_.remember_op(digest, j.dump(2));
  return op_digests_.emplace(&op, digest).first->second;
}

std::optional<std::string> TaskRunner::content_hash(const std::string& path, std::string* error) {
  input_files_.insert(path);
  if (auto it = known_hashes_.find(path); it != known_hashes_.end()) return it->second;
  auto stamp = stamp_of(path);
  if (!stamp) {
    *error = fmt::format("input `{}` does not exist", path);
    return std::nullopt;
  }
  if (auto remembered = store_.file_hash(path, stamp->size, stamp->mtime_ns, stamp->inode)) {
    known_hashes_.emplace(path, *remembered);
    return remembered;
  }
  auto hash = hash_path(path, error);
  if (!hash) return std::nullopt;
  store_.remember_file_hash(path, stamp->size, stamp->mtime_ns, stamp->inode, *hash);
  known_hashes_.emplace(path, *hash);
  return hash;
}

Value TaskRunner::key_value(const Value& v, const ir::Type* t, const std::string& port, std::string* error) {
  bool failed = false;
  auto file_key = [&](const std::string& path) -> std::optional<std::string> {
    auto hash = content_hash(path, error);
    if (!hash) return std::nullopt;
    return fmt::format("file:{}:{}", fs::path(path).filename().string(), *hash);
  };
  Value out = map_typed_paths(v, t, [&](const std::string& path, const ir::Type* type) -> Value {
    if (failed) return {};
    auto key = file_key(path);
    if (!key) {
      failed = true;
      return {};
    }
    std::vector<CompanionFile> companions = companions_of(path, type);
    if (companions.empty()) return *key;
    // A file with companions: {"file": its key, "with": {pattern: hash, or
    // null for an optional one that is not there}}. A plain file's key is
    // unchanged, so adding this kept every earlier key.
    Value with = Value::object();
    for (const CompanionFile& c : companions) {
      if (!stamp_of(c.path)) {
        if (!c.companion->required) {
          with[c.companion->pattern] = nullptr;
          continue;
        }
        *error = missing_companion_text(port, path, c);
        failed = true;
        return {};
      }
      auto hash = content_hash(c.path, error);
      if (!hash) {
        failed = true;
        return {};
      }
      with[c.companion->pattern] = *hash;
    }
    return Value{{"file", *key}, {"with", std::move(with)}};
  });
  return failed ? Value() : out;
}

bool TaskRunner::outputs_intact(const CacheEntry& entry, std::string* why) {
  if (!entry.fingerprint.is_object()) return true;
  for (auto& [path, print] : entry.fingerprint.items()) {
    auto stamp = stamp_of(path);
    if (!stamp) {
      *why = fmt::format("its output `{}` is gone", path);
      return false;
    }
    if (stamp->size != print.at(0).get<uint64_t>() || stamp->mtime_ns != print.at(1).get<int64_t>()) {
      *why = fmt::format("its output `{}` was changed after it was made", path);
      return false;
    }
  }
  return true;
}

Prepared TaskRunner::prepare(const Task& task, bool reuse) {
  const ir::Op& op = *task.op;
  Prepared p;
  auto fail = [&](std::string why) {
    p.kind = Prepared::Failed;
    p.error = std::move(why);
    return p;
  };

  // The key.
  std::string error;
  Value inputs_for_key = Value::object();
  for (const ir::Port& port : op.inputs) {
    Value v = key_value(task.inputs.value(port.name, Value()), port.type, port.name, &error);
    if (!error.empty()) return fail(error);
    inputs_for_key[port.name] = std::move(v);
  }
  p.manifest = {{"v", kKeyVersion}, {"op", op_digest(op)}, {"inputs", inputs_for_key}};
  if (op.image) {
    const std::string* digest = containers_ ? containers_->digest(*op.image) : nullptr;
    if (!digest) return fail(fmt::format("op `{}` runs in image `{}`, which was not checked before the run", op.name, *op.image));
    p.manifest["image"] = *op.image;
    p.manifest["image_digest"] = *digest;
  }
  // A stream task's live input has no content to hash: its key holds how it
  // is connected, and its gang is reused only as a whole (runtime/streams).
  if (task.gang) p.manifest["streams"] = task.streams;
  p.key = hash_bytes(canonical(p.manifest));
  p.work_dir = (fs::path(work_root_) / p.key.substr(0, 2) / p.key.substr(2)).string();

  // Identical tasks of one run are one task: the key's work dir belongs to
  // the task that holds it, which may be running in it right now.
  if (auto holder = held_.find(p.key); holder != held_.end() && holder->second != task.path) {
    p.kind = Prepared::Identical;
    p.leader = holder->second;
    return p;
  }

  // Reuse.
  if (!op.cache) {
    p.cache_miss = "the op says `cache false`";
  } else if (!reuse) {
    p.cache_miss = "it was asked to run again (--rerun, or another task of its stream gang had to)";
  } else if (fresh_) {
    p.cache_miss = "the run was started with --fresh";
  } else if (auto entry = store_.cache_find(p.key)) {
    std::string why;
    if (outputs_intact(*entry, &why)) {
      for (auto& [path, print] : entry->fingerprint.items()) {
        if (print.size() > 2) known_hashes_[path] = print[2].get<std::string>();
      }
      p.kind = Prepared::Cached;
      p.outputs = entry->outputs;
      p.work_dir = entry->work_dir;
      return p;
    }
    p.cache_miss = "an earlier result could not be used: " + why;
    store_.cache_drop(p.key);
  } else {
    p.cache_miss = "no earlier run had these inputs";
  }

  held_.emplace(p.key, task.path);
  if (adoptable_.erase(p.key)) {
    p.kind = Prepared::Adopt;
    return p;
  }

  // A fresh work dir, named by the key.
  if (!reset_work_dir(p, &error)) return fail(error);
  if (op.tool) return prepare_tool_task(task, std::move(p));
  fs::path work(p.work_dir);

  // Inputs, staged as links in inputs/<port>/ (several files: a numbered
  // folder each, so equal names do not collide), each file's companions
  // beside it under their own names. A link lets the command write through
  // it to a file someone else made; their stamps are kept to tell
  // afterwards. The command sees each link by its path relative to the work
  // dir (inputs/bams/0/A.sorted.bam), so what it records of its inputs'
  // names is the same wherever the state folder lives.
  Value scope = Value::object();
  std::vector<std::string> input_paths;  // what a container must see
  for (const ir::Port& port : op.inputs) {
    Value v = task.inputs.value(port.name, Value());
    size_t count = 0;
    for_each_path(v, port.type, [&](const std::string&, bool) { ++count; });
    size_t k = 0;
    std::error_code ec;
    auto stage = [&](const std::string& path, const fs::path& link, bool beside_previous) {
      if (auto stamp = stamp_of(path)) {
        p.input_stamps.emplace_back(path, Value::array({stamp->size, stamp->mtime_ns}));
      }
      input_paths.push_back(fs::absolute(path).string());
      p.spec.stage_in.push_back({link.string(), input_paths.back(), beside_previous});
      fs::create_symlink(input_paths.back(), link, ec);
      if (ec && error.empty()) {
        error = fmt::format("cannot stage input `{}` in `{}`: {}", path, link.parent_path().string(),
                            files::io_error_text(ec.value(), link.parent_path()));
      }
    };
    Value staged = map_typed_paths(v, port.type, [&](const std::string& path, const ir::Type* type) -> Value {
      fs::path dir = work / "inputs" / port.name;
      if (count > 1) dir /= std::to_string(k++);
      fs::create_directories(dir, ec);
      fs::path link = dir / fs::path(path).filename();
      stage(path, link, false);
      for (const CompanionFile& c : companions_of(path, type)) {
        if (!stamp_of(c.path)) {
          if (c.companion->required && error.empty()) error = missing_companion_text(port.name, path, c);
          continue;
        }
        stage(c.path, dir / fs::path(c.path).filename(), true);
      }
      return link.lexically_relative(work).string();
    });
    if (!error.empty()) return fail(error);
    scope[port.name] = std::move(staged);
  }

  // Where outputs go (lists found by glob are known only afterwards).
  EvalOptions options;
  options.base_dir = p.work_dir;
  options.scratch_dir = (work / ".values").string();
  Evaluator evaluator(program_, options);
  ValueScope inputs_scope(scope);
  for (const ir::Port& port : op.outputs) {
    if (is_path_list(port.type) || port.type->holds_stream()) {
      scope[port.name] = nullptr;
      continue;
    }
    std::string relative = port.name;
    if (port.path && is_path_type(port.type)) {
      auto result = evaluator.eval(*port.path, inputs_scope);
      if (auto* f = std::get_if<EvalFailure>(&result)) {
        return fail(fmt::format("the path of output `{}`: {}", port.name, f->message));
      }
      relative = std::get<Value>(result).get<std::string>();
    }
    fs::path where = (work / relative).lexically_normal();
    if (!inside(work, where) || where == work.lexically_normal()) {
      return fail(fmt::format("output `{}` would be written to `{}`, outside the task's work dir; an output's path "
                              "must stay inside it",
                              port.name, relative));
    }
    std::error_code ec;
    fs::create_directories(where.parent_path(), ec);
    scope[port.name] = where.lexically_relative(work).string();  // as the inputs: relative to the work dir
    // A file (not a folder: a command may mkdir it) can be written to
    // scratch, and so can its companions.
    if (is_path_type(port.type) && !port.type->non_optional()->is(ir::TypeKind::Dir)) {
      p.spec.stage_out.push_back(where.string());
      for (const CompanionFile& c : companions_of(where.string(), port.type->non_optional())) {
        p.spec.stage_out.push_back(c.path);
      }
    }
  }

  // The command.
  ValueScope command_scope(scope);
  auto script = render_command(op, command_scope, evaluator);
  if (auto* f = std::get_if<EvalFailure>(&script)) return fail(fmt::format("the command: {}", f->message));
  std::string text = shell_prologue(op) + std::get<std::string>(script) + "\n";
  {
    std::ofstream out(work / ".command.sh", std::ios::binary);
    out << text;
    out.flush();
    if (!out) {
      int e = errno;
      return fail(fmt::format("cannot write `{}`: {}", (work / ".command.sh").string(), files::io_error_text(e, work)));
    }
  }

  // Environment: flowc's own (in a container: only the engine's) with
  // flowc's folder first on PATH (where its helper programs are), the op's,
  // and the task's identity.
  LaunchSpec& spec = p.spec;
  std::vector<std::pair<std::string, std::string>> task_env;
  for (char** e = environ; *e; ++e) spec.env.emplace_back(*e);
  put_first_on_path(spec.env, helpers_dir_);
  for (const auto& [name, expr] : op.env) {
    auto v = evaluator.eval(expr, inputs_scope);
    if (auto* f = std::get_if<EvalFailure>(&v)) return fail(fmt::format("env `{}`: {}", name, f->message));
    const Value& value = std::get<Value>(v);
    if (!value.is_null()) task_env.emplace_back(name, scalar_text(value, expr.type));
  }
  task_env.emplace_back("FLOWC_TASK", task.path);
  task_env.emplace_back("FLOWC_WORK_DIR", p.work_dir);
  // Where the command may append "N/M" lines to say how far it is (flowc status, the UI).
  task_env.emplace_back("FLOWC_PROGRESS", (work / ".flowc-progress").string());
  if (!op.image) {
    for (const auto& [name, value] : task_env) spec.env.push_back(name + "=" + value);
  }
  spec.work_dir = p.work_dir;
  // A container's image decides for itself (shell.h): its /bin/sh starts
  // the script, which becomes bash if the image has it.
  spec.argv = shell_argv(op.shell, op.image ? std::string() : bash_);
  spec.stdout_path = (work / ".stdout").string();
  spec.stderr_path = (work / ".stderr").string();

  auto number = [&](const std::optional<ir::Expr>& e, const char* what) -> std::optional<double> {
    if (!e) return std::nullopt;
    auto v = evaluator.eval(*e, inputs_scope);
    if (auto* f = std::get_if<EvalFailure>(&v)) {
      error = fmt::format("{}: {}", what, f->message);
      return std::nullopt;
    }
    const Value& value = std::get<Value>(v);
    return value.is_number() ? std::optional<double>(value.get<double>()) : std::nullopt;
  };
  if (auto t = number(op.timeout, "timeout")) spec.timeout_seconds = *t;
  if (auto c = number(op.cpus, "cpus")) spec.cpus = static_cast<int>(*c);
  if (auto m = number(op.mem, "mem")) spec.mem_bytes = static_cast<int64_t>(*m);
  if (auto g = number(op.gpus, "gpus")) spec.gpus = static_cast<int>(*g);
  if (auto t = number(op.time, "time")) spec.time_limit_seconds = *t;
  if (auto r = number(op.mpi_ranks, "mpi ranks")) spec.mpi_ranks = static_cast<int>(*r);
  spec.job_name = task.path;
  spec.kind = op.id;
  spec.executor = op.executor.value_or("");
  if (!error.empty()) return fail(error);
  if (spec.cpus < 1) return fail(fmt::format("op `{}` asks for {} cpus; at least 1 is needed", op.name, spec.cpus));
  if (op.mpi_ranks && spec.mpi_ranks < 1) {
    return fail(fmt::format("op `{}` asks for {} MPI ranks; at least 1 is needed", op.name, spec.mpi_ranks));
  }

  if (op.image) {
    // The container sees the inputs where they are, not a node's scratch.
    spec.stage_in.clear();
    spec.stage_out.clear();
    ContainerRequest request;
    request.image = *op.image;
    request.task = task.path;
    request.work_dir = p.work_dir;
    request.read_only = std::move(input_paths);
    request.env = std::move(task_env);
    if (op.cpus) request.cpus = spec.cpus;
    if (op.mem && spec.mem_bytes > 0) request.mem_bytes = spec.mem_bytes;
    request.gpus = spec.gpus;
    request.network = op.network;
    if (task.group && containers_) {
      // Its group's container is chosen when it starts (the run loop).
      p.kind = Prepared::Launch;
      p.container = std::move(request);
      return p;
    }
    if (!containers_ || !containers_->wrap(spec, request, &error)) {
      return fail(error.empty() ? fmt::format("op `{}` runs in image `{}`, but this run has no container engine",
                                              op.name, *op.image)
                                : error);
    }
  }

  p.kind = Prepared::Launch;
  return p;
}

bool TaskRunner::reset_work_dir(const Prepared& prepared, std::string* error) {
  std::error_code ec;
  // Empty it but keep the folder itself: a container that shares it with a
  // group (bind-mounted) keeps seeing it, where a new folder of the same
  // name would be invisible to it.
  if (fs::is_directory(fs::symlink_status(prepared.work_dir, ec))) {
    for (const auto& entry : fs::directory_iterator(prepared.work_dir, ec)) {
      fs::remove_all(entry.path(), ec);
      if (ec) break;
    }
  } else {
    fs::remove_all(prepared.work_dir, ec);
  }
  if (ec) {
    *error = fmt::format("cannot clear the work dir `{}`: {}", prepared.work_dir, ec.message());
    return false;
  }
  fs::create_directories(prepared.work_dir, ec);
  if (ec) {
    *error = fmt::format("cannot create the work dir `{}`: {}", prepared.work_dir,
                         files::io_error_text(ec.value(), prepared.work_dir));
    return false;
  }
  return true;
}

std::string TaskRunner::failure_text(const Task& task, const Prepared& prepared, const Outcome& outcome) {
  const ir::Op& op = *task.op;
  std::string what = end_text(outcome, prepared.spec.timeout_seconds);
  std::string text = fmt::format("op `{}` at {} ({}) {}\n  work dir: {}", op.name, task.path,
                                 program_.where(task.call_loc), what, prepared.work_dir);
  fs::path err = fs::path(prepared.work_dir) / ".stderr";
  std::string tail = last_lines(err, kStderrLines);
  if (!tail.empty()) {
    text += fmt::format("\n  last lines of its stderr ({}):", err.string());
    std::istringstream lines(tail);
    for (std::string line; std::getline(lines, line);) text += "\n    " + line;
  }
  // Out of space: its partial outputs must not keep the disk full (full_disk.h).
  if (failed_for_space(prepared.work_dir, tail)) text += "\n  " + free_failed_task(prepared.work_dir);
  return text;
}

Judged TaskRunner::finish(const Task& task, const Prepared& prepared, const Outcome& outcome) {
  const ir::Op& op = *task.op;
  if (op.tool) return finish_tool_task(task, prepared, outcome);
  Judged j;
  if (outcome.how != Outcome::How::Exited || outcome.exit_code != 0) {
    j.error = failure_text(task, prepared, outcome);
    // Retry only what the op declares transient: without exit_codes, any
    // failure; with them, those exit codes (and timeouts if on_timeout).
    const ir::RetryPolicy& retry = op.retry;
    bool listed = std::find(retry.exit_codes.begin(), retry.exit_codes.end(), outcome.exit_code) != retry.exit_codes.end();
    bool could = retry.attempts > 0 && outcome.how != Outcome::How::Cancelled && outcome.how != Outcome::How::NotStarted;
    if (retry.exit_codes.empty()) {
      j.transient = could;
    } else if (outcome.how == Outcome::How::TimedOut) {
      j.transient = could && retry.on_timeout;
    } else {
      j.transient = could && outcome.how == Outcome::How::Exited && listed;
    }
    return j;
  }

  fs::path work(prepared.work_dir);

  // Inputs belong to whoever made them; a command that changed one has
  // damaged another task's (or the user's) result.
  for (const auto& [path, before] : prepared.input_stamps) {
    auto stamp = stamp_of(path);
    if (!stamp || Value::array({stamp->size, stamp->mtime_ns}) != before) {
      j.error = fmt::format("op `{}` at {} ({}) changed its input `{}`, which is not its own; write to an output "
                            "instead\n  work dir: {}",
                            op.name, task.path, program_.where(task.call_loc), path, prepared.work_dir);
      return j;
    }
  }
  auto fail = [&](std::string why) {
    j.ok = false;
    j.error = fmt::format("op `{}` at {} ({}): {}\n  work dir: {}", op.name, task.path, program_.where(task.call_loc),
                          why, prepared.work_dir);
    return j;
  };

  // An output must be the task's own (inside its work dir), or one of its
  // inputs passed through; so must everything in a folder output
  // (runtime/run/output_check.h).
  std::vector<std::string> input_paths;
  for (const ir::Port& port : op.inputs) {
    for_each_typed_path(task.inputs.value(port.name, Value()), port.type,
                        [&](const std::string& path, const ir::Type* type) {
                          input_paths.push_back(path);
                          for (const CompanionFile& c : companions_of(path, type)) input_paths.push_back(c.path);
                        });
  }

  Value outputs = Value::object();
  Value fingerprint = Value::object();
  EvalOptions options;
  options.base_dir = prepared.work_dir;
  options.scratch_dir = (work / ".values").string();
  Evaluator evaluator(program_, options);
  ValueScope inputs_scope(task.inputs);

  // Checks a path output and records its hash and stamp: what the cache
  // and the tasks downstream will trust.
  auto record_output = [&](const std::string& path, const std::string& port) -> std::string {
    auto checked = check_output(port, path, prepared.work_dir, input_paths);
    if (auto* refused = std::get_if<OutputRefused>(&checked)) return refused->why;
    const auto& entries = std::get<std::vector<files::Entry>>(checked);
    std::string error;
    auto hash = hash_tree(entries, &error);
    if (!hash) return fmt::format("output `{}`: {}", port, error);
    FileStamp stamp = stamp_of_tree(entries);
    known_hashes_[path] = *hash;
    fingerprint[path] = Value::array({stamp.size, stamp.mtime_ns, *hash});
    return {};
  };

  // An output's companions, beside it: checked, owned and fingerprinted like it.
  auto record_companions = [&](const std::string& path, const ir::Type* type, const std::string& port) -> std::string {
    std::error_code ec;
    for (const CompanionFile& c : companions_of(path, type)) {
      if (!fs::exists(fs::symlink_status(c.path, ec))) {
        if (!c.companion->required) continue;
        return fmt::format("the command did not write `{}`, the companion (\"{}\") of output `{}` that its type "
                           "declares beside `{}`",
                           fs::path(c.path).filename().string(), c.companion->pattern, port,
                           fs::path(path).filename().string());
      }
      if (std::string why = record_output(c.path, port); !why.empty()) return why;
    }
    return {};
  };

  for (const ir::Port& port : op.outputs) {
    const ir::Type* t = port.type;
    if (t->holds_stream()) continue;  // the plan knows its channel
    if (is_path_list(t)) {
      std::vector<std::string> paths;
      if (port.path) {
        auto result = evaluator.eval(*port.path, inputs_scope);
        if (auto* f = std::get_if<EvalFailure>(&result)) return fail(fmt::format("output `{}`: {}", port.name, f->message));
        for (const Value& v : std::get<Value>(result)) {
          fs::path p = fs::path(v.get<std::string>());
          paths.push_back((p.is_absolute() ? p : work / p).lexically_normal().string());
        }
      }
      Value list = Value::array();
      for (const std::string& path : paths) {
        if (!fs::exists(path)) return fail(fmt::format("output `{}`: `{}` does not exist", port.name, path));
        if (std::string why = record_output(path, port.name); !why.empty()) return fail(why);
        if (std::string why = record_companions(path, t->elem(), port.name); !why.empty()) return fail(why);
        list.push_back(path);
      }
      outputs[port.name] = std::move(list);
    } else if (is_path_type(t)) {
      std::string relative = port.name;
      if (port.path) {
        auto result = evaluator.eval(*port.path, inputs_scope);
        if (auto* f = std::get_if<EvalFailure>(&result)) return fail(fmt::format("output `{}`: {}", port.name, f->message));
        relative = std::get<Value>(result).get<std::string>();
      }
      fs::path path = (work / relative).lexically_normal();
      std::error_code ec;
      if (!fs::exists(fs::symlink_status(path, ec))) {
        if (t->is_optional()) {
          outputs[port.name] = nullptr;
          continue;
        }
        return fail(fmt::format("the command did not write output `{}` ({}): `{}` does not exist", port.name,
                                t->non_optional()->str(), path.string()));
      }
      bool want_dir = t->non_optional()->is(ir::TypeKind::Dir);
      if (want_dir != fs::is_directory(path, ec)) {
        return fail(fmt::format("output `{}` should be a {}, but `{}` is {}", port.name, want_dir ? "directory" : "file",
                                path.string(), want_dir ? "not a directory" : "a directory"));
      }
      if (std::string why = record_output(path.string(), port.name); !why.empty()) return fail(why);
      if (std::string why = record_companions(path.string(), t->non_optional(), port.name); !why.empty()) return fail(why);
      outputs[port.name] = path.string();
    } else {
      // A value, written by the command to the file its name gave.
      fs::path path = work / port.name;
      if (!fs::exists(path)) {
        if (t->is_optional()) {
          outputs[port.name] = nullptr;
          continue;
        }
        return fail(fmt::format("the command did not write value output `{}` ({}): it should write it to the file "
                                "`${{{}}}` names, `{}`",
                                port.name, t->str(), port.name, path.string()));
      }
      std::string error;
      auto text = files::read_small(path.string(), kMaxValueBytes, &error);
      if (!text) {
        return fail(fmt::format("value output `{}` ({}): {}; a value is read whole: write a big result to a file "
                                "output instead",
                                port.name, program_.types->display(t), error));
      }
      auto value = read_value_text(*text, t, &error);
      if (!value) return fail(fmt::format("value output `{}` ({}): {}", port.name, program_.types->display(t), error));
      outputs[port.name] = coerce(*value, t);
    }
  }

  j.ok = true;
  j.outputs = outputs;
  if (op.cache) {
    store_.cache_put(CacheEntry{prepared.key, op.id, prepared.work_dir, outputs, fingerprint, prepared.manifest, 0});
  }
  return j;
}

}  // namespace flowc::runtime
