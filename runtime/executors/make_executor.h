// Choosing an executor: by name (`--executor`, or a profile's default) with
// the settings a profile gives it. The only place that knows every executor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/executors/executor.h"

namespace flowc::runtime {

struct ExecutorChoice {
  std::string name = "local";                          // local, slurm, slurm-pilot
  nlohmann::json settings = nlohmann::json::object();  // the profile's settings for it, with command-line overrides
  std::string where = "the command line";              // for messages: "prof.json: executors.slurm"
  std::string state_dir = ".flow";                     // the run's state folder (a pilot's channel lives there)
};

// The executor names, for messages and --help.
const std::vector<std::string>& executor_names();

// The executor, or nothing with every mistake in `errors`.
std::unique_ptr<Executor> make_executor(const ExecutorChoice& choice, std::vector<std::string>* errors);

}  // namespace flowc::runtime
