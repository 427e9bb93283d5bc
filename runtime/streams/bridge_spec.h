// What `flowc stream-bridge` is told about its task: written by flowc run
// (stream_tasks.cpp) as `.stream.json` in the task's work dir, read by the
// bridge (bridge.cpp). One typed record, to and from JSON in one place
// (bridge_spec.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/scheduler/stream_wiring.h"
#include "runtime/value/value.h"

namespace flowc::runtime::streams {

// A port's wiring (the plan's) and its element type, as text (`str`,
// `bytes`, a record type...): the bridge frames the command's pipe by it.
struct BridgeInput {
  StreamInputWiring wiring;
  std::string type;
};
struct BridgeOutput {
  StreamOutputWiring wiring;
  std::string type;
};

struct BridgeSpec {
  std::string task;                  // the call path, for people
  std::vector<std::string> command;  // the command the bridge runs
  bool native = false;               // `streams "native"`: it meets its endpoints itself
  std::string registry;              // dir://FOLDER or redis://HOST:PORT
  std::string run_id;
  std::string transport = "ipc";                // ipc or tcp
  bool across_nodes = false;                    // tcp endpoints bind the node's address, not loopback
  std::string ipc_dir;                          // where ipc sockets (and local pipes) go
  bool local_pipes = false;                     // inputs marked `pipe` may be local pipes (local_pipe.h)
  int hwm = 100;                                // messages per socket
  double lookup_timeout = 60;                   // seconds an output waits for its consumers to register
  std::string stats;                            // the JSON lines file the counts go to
  std::map<std::string, BridgeInput> inputs;    // by port
  std::map<std::string, BridgeOutput> outputs;  // by port
};

void to_json(Value& j, const BridgeSpec& spec);
void from_json(const Value& j, BridgeSpec& spec);

}  // namespace flowc::runtime::streams
