// Preparing tasks (key, reuse, work dir, staging, command) and judging them.
#include "runtime/run/task_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "ir/ir_json.h"
#include "runtime/command/render.h"
#include "runtime/command/shell.h"
#include "runtime/containers/container_launch.h"
#include "runtime/files/disk.h"
#include "runtime/hash/hash.h"
#include "runtime/files/read_small.h"
#include "runtime/process/find_program.h"
#include "runtime/process/helper_programs.h"
#include "runtime/run/companion_text.h"
#include "runtime/run/end_text.h"
#include "runtime/run/full_disk.h"
#include "runtime/run/output_collect.h"
#include "runtime/run/value_scope.h"

extern char** environ;

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

// 2: commands run in strict mode (command/shell.h). A result made under
// version 1's `sh -e`, which let a failing command inside a pipe pass, is
// not trusted: its task runs again once.
constexpr int kKeyVersion = 2;
constexpr size_t kStderrLines = 20;

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

// Writes `text` as the file `path` (created or emptied): 0, or the errno.
// One open and one write: it runs for every task.
int write_whole(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return errno;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return e;
    }
    done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0 ? 0 : errno;
}

bool is_path_type(const ir::Type* t) { return t->non_optional()->is_path(); }
bool is_path_list(const ir::Type* t) { return t->is(ir::TypeKind::List) && t->elem()->is_path(); }

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
  if (input_files_.insert(path).second && witness_) witness_->read(path);
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
          if (witness_) witness_->read(c.path);  // its absence is part of the key
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

// What the steps of preparing a launch share: the task's work dir, the
// names its command and expressions see (its inputs and outputs, relative
// to the work dir), and what a container must be given.
struct TaskRunner::Setup {
  Setup(const ir::Program& program, Prepared& prepared)
      : p(prepared), work(prepared.work_dir), evaluator(program, eval_options(prepared.work_dir)), names(scope) {}
  static EvalOptions eval_options(const std::string& work_dir) {
    EvalOptions options;
    options.base_dir = work_dir;
    options.scratch_dir = (fs::path(work_dir) / ".values").string();
    return options;
  }
  Prepared& p;
  fs::path work;
  Value scope = Value::object();                              // input and output names → paths the command sees
  std::vector<std::string> input_paths;                       // what a container must see
  std::vector<std::pair<std::string, std::string>> task_env;  // the op's env and the task's identity
  Evaluator evaluator;
  ValueScope names;   // `scope`, for expressions
  std::string error;  // the first problem met
};

Prepared TaskRunner::prepare(const Task& task, bool reuse) {
  const ir::Op& op = *task.op;
  Prepared p;
  auto fail = [&](std::string why) {
    p.kind = Prepared::Failed;
    p.error = std::move(why);
    return p;
  };
  if (std::string why = make_key(task, p); !why.empty()) return fail(why);
  // Identical tasks of one run are one task: the key's work dir belongs to
  // the task that holds it, which may be running in it right now.
  if (auto holder = held_.find(p.key); holder != held_.end() && holder->second != task.path) {
    p.kind = Prepared::Identical;
    p.leader = holder->second;
    return p;
  }
  if (reuse_earlier(op, reuse, p)) return p;
  held_.emplace(p.key, task.path);
  if (adoptable_.erase(p.key)) {
    p.kind = Prepared::Adopt;
    return p;
  }
  // A fresh work dir, named by the key.
  std::string error;
  if (!reset_work_dir(p, &error)) return fail(error);
  if (op.tool) return prepare_tool_task(task, std::move(p));
  Setup setup(program_, p);
  for (auto step : {&TaskRunner::stage_inputs, &TaskRunner::place_outputs, &TaskRunner::write_command,
                    &TaskRunner::set_environment, &TaskRunner::read_resources, &TaskRunner::wrap_in_container}) {
    if (std::string why = (this->*step)(task, setup); !why.empty()) return fail(why);
  }
  p.kind = Prepared::Launch;  // a grouped container task's launch is wrapped by the run loop
  return p;
}

// The cache key: the hash of the op's digest and its inputs (each file by
// its name and content hash), the image and its digest, a stream task's wiring.
std::string TaskRunner::make_key(const Task& task, Prepared& p) {
  const ir::Op& op = *task.op;
  std::string error;
  Value inputs_for_key = Value::object();
  for (const ir::Port& port : op.inputs) {
    Value v = key_value(task.inputs.value(port.name, Value()), port.type, port.name, &error);
    if (!error.empty()) return error;
    inputs_for_key[port.name] = std::move(v);
  }
  p.manifest = {{"v", kKeyVersion}, {"op", op_digest(op)}, {"inputs", std::move(inputs_for_key)}};
  if (op.image) {
    const std::string* digest = containers_ ? containers_->digest(*op.image) : nullptr;
    if (!digest)
      return fmt::format("op `{}` runs in image `{}`, which was not checked before the run", op.name, *op.image);
    p.manifest["image"] = *op.image;
    p.manifest["image_digest"] = *digest;
  }
  // A stream task's live input has no content to hash: its key holds how it
  // is connected, and its gang is reused only as a whole (runtime/streams).
  if (task.gang) p.manifest["streams"] = task.streams;
  p.key = hash_bytes(canonical(p.manifest));
  p.work_dir = (fs::path(work_root_) / p.key.substr(0, 2) / p.key.substr(2)).string();
  return {};
}

// An earlier result with this key, whose outputs are as they were made:
// true, and `p` is Cached. Otherwise `p.cache_miss` says why not.
bool TaskRunner::reuse_earlier(const ir::Op& op, bool reuse, Prepared& p) {
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
      p.outputs = std::move(entry->outputs);
      p.work_dir = std::move(entry->work_dir);
      return true;
    }
    p.cache_miss = "an earlier result could not be used: " + why;
    store_.cache_drop(p.key);
  } else {
    p.cache_miss = "no earlier run had these inputs";
  }
  return false;
}

// Inputs, staged as links in inputs/<port>/ (several files: a numbered
// folder each, so equal names do not collide), each file's companions
// beside it under their own names. A link lets the command write through
// it to a file someone else made; their stamps are kept to tell
// afterwards. The command sees each link by its path relative to the work
// dir (inputs/bams/0/A.sorted.bam), so what it records of its inputs'
// names is the same wherever the state folder lives.
std::string TaskRunner::stage_inputs(const Task& task, Setup& s) {
  for (const ir::Port& port : task.op->inputs) {
    Value v = task.inputs.value(port.name, Value());
    size_t count = 0;
    for_each_path(v, port.type, [&](const std::string&, bool) { ++count; });
    size_t k = 0;
    Value staged = map_typed_paths(v, port.type, [&](const std::string& path, const ir::Type* type) -> Value {
      fs::path dir = s.work / "inputs" / port.name;
      if (count > 1) dir /= std::to_string(k++);
      std::error_code ec;
      fs::create_directories(dir, ec);
      fs::path link = dir / fs::path(path).filename();
      stage_input(s, path, link, false);
      for (const CompanionFile& c : companions_of(path, type)) {
        if (!stamp_of(c.path)) {
          if (c.companion->required && s.error.empty()) s.error = missing_companion_text(port.name, path, c);
          continue;
        }
        stage_input(s, c.path, dir / fs::path(c.path).filename(), true);
      }
      return link.lexically_relative(s.work).string();
    });
    if (!s.error.empty()) return s.error;
    s.scope[port.name] = std::move(staged);
  }
  return {};
}

// One input file (or a companion `beside_previous`), linked at `link`.
void TaskRunner::stage_input(Setup& s, const std::string& path, const fs::path& link, bool beside_previous) {
  if (auto stamp = stamp_of(path)) {
    s.p.input_stamps.emplace_back(path, Value::array({stamp->size, stamp->mtime_ns}));
  }
  s.input_paths.push_back(fs::absolute(path).string());
  s.p.batch.staging.inputs.push_back({link.string(), s.input_paths.back(), beside_previous});
  std::error_code ec;
  fs::create_symlink(s.input_paths.back(), link, ec);
  if (ec && s.error.empty()) {
    s.error = fmt::format("cannot stage input `{}` in `{}`: {}", path, link.parent_path().string(),
                          files::io_error_text(ec.value(), link.parent_path()));
  }
}

// Where outputs go (lists found by glob are known only afterwards).
std::string TaskRunner::place_outputs(const Task& task, Setup& s) {
  for (const ir::Port& port : task.op->outputs) {
    if (is_path_list(port.type) || port.type->holds_stream()) {
      s.scope[port.name] = nullptr;
      continue;
    }
    std::string relative = port.name;
    if (port.path && is_path_type(port.type)) {
      auto result = s.evaluator.eval(*port.path, s.names);
      if (auto* f = std::get_if<EvalFailure>(&result)) {
        return fmt::format("the path of output `{}`: {}", port.name, f->message);
      }
      relative = std::get<Value>(result).get<std::string>();
    }
    fs::path where = (s.work / relative).lexically_normal();
    if (!inside(s.work, where) || where == s.work.lexically_normal()) {
      return fmt::format(
          "output `{}` would be written to `{}`, outside the task's work dir; an output's path "
          "must stay inside it",
          port.name, relative);
    }
    // The work dir itself exists: only an output in a subfolder needs one made.
    if (where.parent_path() != s.work.lexically_normal()) {
      std::error_code ec;
      fs::create_directories(where.parent_path(), ec);
    }
    s.scope[port.name] = where.lexically_relative(s.work).string();  // as the inputs: relative to the work dir
    // A file (not a folder: a command may mkdir it) can be written to
    // scratch, and so can its companions.
    if (is_path_type(port.type) && !port.type->non_optional()->is(ir::TypeKind::Dir)) {
      s.p.batch.staging.outputs.push_back(where.string());
      for (const CompanionFile& c : companions_of(where.string(), port.type->non_optional())) {
        s.p.batch.staging.outputs.push_back(c.path);
      }
    }
  }
  return {};
}

// The command, rendered with every value written in, as .command.sh.
std::string TaskRunner::write_command(const Task& task, Setup& s) {
  auto script = render_command(*task.op, s.names, s.evaluator);
  if (auto* f = std::get_if<EvalFailure>(&script)) return fmt::format("the command: {}", f->message);
  std::string text = shell_prologue(*task.op) + std::get<std::string>(script) + "\n";
  fs::path file = s.work / ".command.sh";
  if (int e = write_whole(file.string(), text); e != 0) {
    return fmt::format("cannot write `{}`: {}", file.string(), files::io_error_text(e, s.work));
  }
  return {};
}

// Environment: flowc's own (in a container: only the engine's) with
// flowc's folder first on PATH (where its helper programs are), the op's,
// and the task's identity; and how the command is started.
std::string TaskRunner::set_environment(const Task& task, Setup& s) {
  const ir::Op& op = *task.op;
  LaunchSpec& spec = s.p.spec;
  spec.env = base_env();
  for (const auto& [name, expr] : op.env) {
    auto v = s.evaluator.eval(expr, s.names);
    if (auto* f = std::get_if<EvalFailure>(&v)) return fmt::format("env `{}`: {}", name, f->message);
    const Value& value = std::get<Value>(v);
    if (!value.is_null()) s.task_env.emplace_back(name, scalar_text(value, expr.type));
  }
  s.task_env.emplace_back("FLOWC_TASK", task.path);
  s.task_env.emplace_back("FLOWC_WORK_DIR", s.p.work_dir);
  // Where the command may append "N/M" lines to say how far it is (flowc status, the UI).
  s.task_env.emplace_back("FLOWC_PROGRESS", (s.work / ".flowc-progress").string());
  if (!op.image) {
    for (const auto& [name, value] : s.task_env) spec.env.push_back(name + "=" + value);
  }
  spec.work_dir = s.p.work_dir;
  // A container's image decides for itself (shell.h): its /bin/sh starts
  // the script, which becomes bash if the image has it.
  spec.argv = shell_argv(op.shell, op.image ? std::string() : bash_);
  spec.stdout_path = (s.work / ".stdout").string();
  spec.stderr_path = (s.work / ".stderr").string();
  spec.job_name = task.path;
  s.p.batch.kind = op.id;
  spec.executor = op.executor.value_or("");
  return {};
}

// What the task asks for: its timeout, cpus, memory, gpus, time and MPI ranks.
std::string TaskRunner::read_resources(const Task& task, Setup& s) {
  const ir::Op& op = *task.op;
  LaunchSpec& spec = s.p.spec;
  std::string error;
  auto number = [&](const std::optional<ir::Expr>& e, const char* what) -> std::optional<double> {
    if (!e || !error.empty()) return std::nullopt;
    auto v = s.evaluator.eval(*e, s.names);
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
  if (!error.empty()) return error;
  if (spec.cpus < 1) return fmt::format("op `{}` asks for {} cpus; at least 1 is needed", op.name, spec.cpus);
  if (op.mpi_ranks && spec.mpi_ranks < 1) {
    return fmt::format("op `{}` asks for {} MPI ranks; at least 1 is needed", op.name, spec.mpi_ranks);
  }
  return {};
}

// An op with an image runs in a container: its launch wrapped now, or, in
// a group, by the run loop in the group's container (`p` is then Launch).
std::string TaskRunner::wrap_in_container(const Task& task, Setup& s) {
  const ir::Op& op = *task.op;
  if (!op.image) return {};
  LaunchSpec& spec = s.p.spec;
  // The container sees the inputs where they are, not a node's scratch.
  s.p.batch.staging = {};
  ContainerRequest request;
  request.image = *op.image;
  request.task = task.path;
  request.work_dir = s.p.work_dir;
  request.read_only = std::move(s.input_paths);
  request.env = std::move(s.task_env);
  if (op.cpus) request.cpus = spec.cpus;
  if (op.mem && spec.mem_bytes > 0) request.mem_bytes = spec.mem_bytes;
  request.gpus = spec.gpus;
  request.network = op.network;
  if (task.group && containers_) {
    // Its group's container is chosen when it starts (the run loop).
    s.p.kind = Prepared::Launch;
    s.p.container = std::move(request);
    return {};
  }
  std::string error;
  if (!containers_ || !containers_->wrap(spec, request, &error)) {
    return error.empty()
               ? fmt::format("op `{}` runs in image `{}`, but this run has no container engine", op.name, *op.image)
               : error;
  }
  return {};
}

// flowc's environment with its own folder first on PATH, made once.
const std::vector<std::string>& TaskRunner::base_env() {
  if (!base_env_) {
    base_env_.emplace();
    for (char** e = environ; *e; ++e) base_env_->emplace_back(*e);
    put_first_on_path(*base_env_, helpers_dir_);
  }
  return *base_env_;
}

bool TaskRunner::reset_work_dir(const Prepared& prepared, std::string* error) {
  // Mostly it does not exist yet: made in one call (two with its `ab/`
  // folder), without looking first.
  if (::mkdir(prepared.work_dir.c_str(), 0777) == 0) return true;
  if (errno == ENOENT) {
    std::string parent = fs::path(prepared.work_dir).parent_path().string();
    if ((::mkdir(parent.c_str(), 0777) == 0 || errno == EEXIST) && ::mkdir(prepared.work_dir.c_str(), 0777) == 0) {
      return true;
    }
  }
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
  if (outcome.how != Outcome::How::Exited || outcome.exit_code != 0) return judge_failure(task, prepared, outcome);
  Judged j;
  if (std::string why = changed_input(task, prepared); !why.empty()) {
    j.error = why;
    return j;
  }
  OutputCollector collector(program_, task, prepared.work_dir);
  auto collected = collector.collect();
  if (auto* why = std::get_if<std::string>(&collected)) {
    j.error = fmt::format("op `{}` at {} ({}): {}\n  work dir: {}", op.name, task.path, program_.where(task.call_loc),
                          *why, prepared.work_dir);
    return j;
  }
  for (auto& [path, hash] : collector.hashes()) known_hashes_[path] = hash;
  j.ok = true;
  j.outputs = std::move(std::get<Value>(collected));
  if (op.cache) {
    store_.cache_put(
        CacheEntry{prepared.key, op.id, prepared.work_dir, j.outputs, collector.fingerprint(), prepared.manifest, 0});
  }
  return j;
}

// A task that failed: what to say, and whether its op's retry policy
// allows another attempt.
Judged TaskRunner::judge_failure(const Task& task, const Prepared& prepared, const Outcome& outcome) {
  Judged j;
  j.error = failure_text(task, prepared, outcome);
  // Retry only what the op declares transient: without exit_codes, any
  // failure; with them, those exit codes (and timeouts if on_timeout).
  const ir::RetryPolicy& retry = task.op->retry;
  bool listed =
      std::find(retry.exit_codes.begin(), retry.exit_codes.end(), outcome.exit_code) != retry.exit_codes.end();
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

// Inputs belong to whoever made them; a command that changed one has
// damaged another task's (or the user's) result: "" or what it changed.
std::string TaskRunner::changed_input(const Task& task, const Prepared& prepared) {
  for (const auto& [path, before] : prepared.input_stamps) {
    auto stamp = stamp_of(path);
    if (!stamp || Value::array({stamp->size, stamp->mtime_ns}) != before) {
      return fmt::format(
          "op `{}` at {} ({}) changed its input `{}`, which is not its own; write to an output "
          "instead\n  work dir: {}",
          task.op->name, task.path, program_.where(task.call_loc), path, prepared.work_dir);
    }
  }
  return {};
}

}  // namespace flowc::runtime
