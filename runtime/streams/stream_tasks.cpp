// Stream tasks in flowc run: registry check, bridge specs, counts.
#include "runtime/streams/stream_tasks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "ir/find_port.h"
#include "runtime/streams/bridge_spec.h"
#include "runtime/streams/registry.h"

namespace flowc::runtime::streams {
namespace fs = std::filesystem;

namespace {

// T of a stream[T] or list[stream[T]] port.
const ir::Type* element_of(const ir::Type* t) {
  while (t->is(ir::TypeKind::List) || t->is(ir::TypeKind::Optional)) t = t->elem();
  return t->is(ir::TypeKind::Stream) ? t->elem() : t;
}

std::string self_exe() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("flowc") : p.string();
}

}  // namespace

bool uses_streams(const ir::Program& program) {
  for (const ir::Op& op : program.ops) {
    for (const auto* ports : {&op.inputs, &op.outputs}) {
      for (const ir::Port& p : *ports) {
        if (p.type->holds_stream()) return true;
      }
    }
  }
  return false;
}

StreamTasks::StreamTasks(StreamOptions options, std::string run_id, const fs::path& run_dir)
    : options_(std::move(options)), run_id_(std::move(run_id)), self_(self_exe()) {
  registry_url_ = options_.registry.empty() ? "dir://" + (run_dir / "registry").string() : options_.registry;
  if (options_.transport.empty()) {
    options_.transport = options_.registry.empty() && !options_.across_nodes ? "ipc" : "tcp";
  }
  if (options_.hwm <= 0) {
    const char* h = std::getenv("FLOWC_STREAM_HWM");
    options_.hwm = h && std::atoi(h) > 0 ? std::atoi(h) : 100;
  }
  // Both ends of an ipc stream are on this host: a lone stdin/stdout pair
  // may meet through a named pipe (FLOWC_STREAM_LOCAL_PIPES=0: never).
  const char* pipes = std::getenv("FLOWC_STREAM_LOCAL_PIPES");
  local_pipes_ = options_.transport == "ipc" && !options_.across_nodes && !(pipes && std::string(pipes) == "0");
  // ipc socket paths must be short (108 bytes): a folder of their own in /tmp.
  ipc_dir_ = fs::temp_directory_path() / fmt::format("flowc-streams-{}-{}", ::getuid(), run_id_);
}

StreamTasks::~StreamTasks() {
  // Only a folder this run made (or took as its own): never another's.
  std::error_code ec;
  if (ipc_dir_made_) fs::remove_all(ipc_dir_, ec);
}

std::string check_streams(const StreamOptions& options) {
  if (!options.transport.empty() && options.transport != "ipc" && options.transport != "tcp") {
    return fmt::format("unknown stream transport `{}`: ipc or tcp", options.transport);
  }
  if (options.transport == "ipc" && options.across_nodes) {
    return "--stream-transport ipc cannot connect tasks on different nodes, and this run's executor places tasks on "
           "nodes: leave it out (tcp is the default there)";
  }
  if (options.registry.empty()) return "";  // embedded: nothing to reach
  std::string error;
  auto registry = open_registry(options.registry, "check", &error);
  return registry ? "" : error;
}

// The run's folder for ipc sockets and local pipes, in the shared /tmp:
// made with mode 0700, or, if it is there already (a run resumed with its
// id), taken only if it is a folder of this user's that no one else may
// enter. A folder someone else made there first could let them read the
// streams, or swap a socket for their own.
std::string StreamTasks::make_ipc_dir() {
  if (ipc_dir_made_) return "";
  const std::string dir = ipc_dir_.string();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return fmt::format("cannot make the folder for the run's stream sockets `{}`: {}", dir, std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 077) != 0) {
    return fmt::format(
        "the folder for the run's stream sockets `{}` is already there and is not a private folder of yours (it "
        "must be a folder, yours, mode 0700; it is {}): another user may have made it to reach this run's "
        "streams; see who made it, remove it, and run again",
        dir,
        S_ISLNK(st.st_mode)    ? std::string("a symbolic link")
        : !S_ISDIR(st.st_mode) ? std::string("not a folder")
                               : fmt::format("owned by uid {}, mode {:04o}", st.st_uid, st.st_mode & 07777));
  }
  ipc_dir_made_ = true;
  return "";
}

std::string StreamTasks::wrap(const Task& task, const std::string& work_dir, std::vector<std::string>& argv) {
  const ir::Op& op = *task.op;
  if (options_.transport == "ipc") {
    if (std::string e = make_ipc_dir(); !e.empty()) return e;
  }
  fs::path work(work_dir);
  BridgeSpec spec;
  spec.task = task.path;
  spec.command = argv;
  spec.native = op.native_streams;
  spec.registry = registry_url_;
  spec.run_id = run_id_;
  spec.transport = options_.transport;
  spec.across_nodes = options_.across_nodes;
  spec.local_pipes = local_pipes_;
  spec.ipc_dir = ipc_dir_.string();
  spec.hwm = options_.hwm;
  spec.lookup_timeout = options_.lookup_timeout;
  spec.stats = (work / ".stream-stats.jsonl").string();
  for (const auto& [port, in] : task.streams.inputs) {
    spec.inputs[port] = {in, element_of(ir::find_port(op.inputs, port)->type)->str()};
  }
  for (const auto& [port, out] : task.streams.outputs) {
    spec.outputs[port] = {out, element_of(ir::find_port(op.outputs, port)->type)->str()};
  }
  fs::path spec_path = work / ".stream.json";
  {
    std::ofstream out(spec_path);
    out << Value(spec).dump(2) << "\n";
    if (!out) return fmt::format("cannot write `{}`", spec_path.string());
  }
  std::error_code ec;
  fs::remove(work / ".stream-stats.jsonl", ec);
  argv = {self_, "stream-bridge", spec_path.string()};
  return "";
}

std::vector<Value> StreamTasks::stats(const std::string& work_dir) const {
  std::vector<Value> out;
  std::ifstream in(fs::path(work_dir) / ".stream-stats.jsonl");
  for (std::string line; std::getline(in, line);) {
    Value v = Value::parse(line, nullptr, false);
    if (v.is_object()) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace flowc::runtime::streams
