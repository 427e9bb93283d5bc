// flowc run's side of streams: the registry chosen for the run, and each
// stream task turned into a bridged launch (`flowc stream-bridge`) with its
// spec, and the counts it reports afterwards. docs/runtime.md, Streams.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "runtime/scheduler/plan.h"

namespace flowc::runtime::streams {

struct StreamOptions {
  std::string registry;        // "": embedded in the run; or redis://HOST:PORT
  std::string transport;       // ipc or tcp; "": ipc with the embedded registry, tcp with Redis
  int hwm = 0;                 // messages per socket; 0: FLOWC_STREAM_HWM or 100
  double lookup_timeout = 60;  // seconds a producer waits for its consumers to register
  // Tasks may run on other nodes (a batch executor): tcp by default, each
  // endpoint bound to its node's address instead of 127.0.0.1.
  bool across_nodes = false;
};

// Does any op of the program have a stream port?
bool uses_streams(const ir::Program& program);
// Before anything starts: "" or why streams cannot run with these options
// (an unknown transport, ipc across nodes, a Redis registry that does not
// answer).
std::string check_streams(const StreamOptions& options);

class StreamTasks {
 public:
  StreamTasks(StreamOptions options, std::string run_id, const std::filesystem::path& run_dir);
  ~StreamTasks();
  StreamTasks(const StreamTasks&) = delete;
  StreamTasks& operator=(const StreamTasks&) = delete;

  // Writes the task's `.stream.json` (bridge_spec.h) in `work_dir` and makes
  // `flowc stream-bridge` its command: `argv` is the command it runs, and
  // becomes the bridge's. "" or what went wrong.
  std::string wrap(const Task& task, const std::string& work_dir, std::vector<std::string>& argv);
  // What the task's streams carried (one object per port), from the counts
  // its bridge or native client wrote in `work_dir`.
  std::vector<Value> stats(const std::string& work_dir) const;

 private:
  StreamOptions options_;
  std::string run_id_;
  std::string registry_url_;
  std::string make_ipc_dir();

  std::filesystem::path ipc_dir_;
  bool ipc_dir_made_ = false;
  bool local_pipes_ = false;  // BridgeSpec::local_pipes, the same for every task of the run
  std::string self_;
};

}  // namespace flowc::runtime::streams
