// `flowc run`: one run of a workflow on this machine, from inputs to
// published outputs, with its journal, cache, events and progress.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "runtime/executors/make_executor.h"
#include "runtime/run/publish.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

struct RunOptions {
  std::string state_dir = ".flow";  // journal, cache index, work dirs, run logs
  std::string outdir = "flow-out";  // where outputs are published
  PublishMode publish = PublishMode::Link;
  int jobs = 0;                             // tasks at once; 0: one per core
  bool keep_going = false;                  // after a failure, finish what does not depend on it
  bool fresh = false;                       // reuse no earlier result
  bool dry_run = false;                     // plan only: say what would run
  bool json_events = false;                 // events on stdout, as JSON lines
  bool progress = true;                     // a live line on a terminal, else a line per task event
  double summary_seconds = 30;              // not on a terminal: a summary line this often
  int max_depth = 1000;                     // nested workflow calls
  std::string container_engine = "podman";  // runs ops with an image: podman | docker | apptainer
  int container_group = 0;                  // fan-out items per shared container when a call does not say (0, 1: none)
  ExecutorChoice executor;                  // where tasks run (--executor, --profile)
  std::map<std::string, ExecutorChoice>
      op_executors;                // executors ops name (`executor "..."`), by name, with their profile settings
  std::string registry;            // streams: "" embedded, or redis://HOST:PORT
  std::string stream_transport;    // streams: ipc or tcp ("" chooses)
  std::string run_id;              // the run's id, when chosen beforehand (flowc run --detach)
  std::string until;               // --until CALL: only what it needs (runtime/run/targets.h)
  std::vector<std::string> rerun;  // --rerun OP|CALL: run again, with what reads from them
  // Files the program names itself (a CWL document's File literals): an
  // output may pass one on, as it may an input (publishing copies it).
  std::vector<std::string> publishable;
  // Makes the executors (the run's, and those ops name) instead of
  // make_executor: tests drive a whole run in-process with a fake one
  // (tests/runtime/fake_executor.h).
  std::function<std::unique_ptr<Executor>(const ExecutorChoice&, std::vector<std::string>*)> make_executor;
};

struct RunResult {
  int exit_code = 1;  // 0 ok, 1 failed, 2 could not start, 130 interrupted
  std::string run_id;
};

// Runs `workflow` with `inputs` (checked by workflow_inputs). Human-readable
// messages go to `err`; with json_events, events go to stdout.
RunResult run_workflow(const ir::Program& program, const ir::Workflow& workflow, const Value& inputs,
                       const RunOptions& options, std::ostream& err);

}  // namespace flowc::runtime
