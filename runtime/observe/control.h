// Starting a run in the background and stopping one: `flowc run --detach`,
// `flowc cancel`, and flowc serve's POST /api/runs and .../cancel.
#pragma once

#include <string>
#include <sys/types.h>
#include <variant>
#include <vector>

#include "runtime/store/store.h"

namespace flowc::runtime::observe {

struct Detached {
  std::string run_id;
  pid_t pid = 0;    // its flowc (the caller reaps it, or leaves it to init)
  std::string log;  // where its output goes: <state>/runs/<id>/flowc.log
};

// Starts `flowc run RUN_ARGS --run-id ID` (this flowc executable) in `cwd`
// (`state_dir`, relative to `cwd`, is the one RUN_ARGS name),
// in a process group of its own, its output in the run's folder, and waits
// until it has journaled the run. If it ends before (bad inputs, another run
// holding the folder), the error is what it printed.
std::variant<Detached, std::string> start_detached(const std::vector<std::string>& run_args, const std::string& cwd,
                                                   const std::string& state_dir);

// Stops `run` as Ctrl-C would (SIGINT to its flowc, which stops its tasks
// and journals them). An error if it does not run. With `wait_seconds`,
// waits that long for it to end.
std::string cancel_run(Store& store, const RunRecord& run, double wait_seconds);

}  // namespace flowc::runtime::observe
