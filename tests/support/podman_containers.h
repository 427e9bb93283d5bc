// The containers (running or stopped) flowc started for a test project,
// found by the labels flowc puts on each (ContainerLauncher::kStateLabel,
// kTaskLabel). Needs podman and flow_runtime.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/containers/container_engine.h"
#include "runtime/process/run_captured.h"
#include "tests/support/project.h"

namespace flowc::test {

// Names of the containers of the project's state folder; of one task's
// only, if `task` (a call path) is given.
inline std::vector<std::string> containers_started_for(const Project& p, const std::string& task = "") {
  // podman reads --filter values as CSV.
  std::vector<std::string> argv = {"podman", "ps", "--all", "--filter",
                                   flowc::runtime::csv_field("label=flowc.state=" + p.state_dir())};
  if (!task.empty()) argv.insert(argv.end(), {"--filter", flowc::runtime::csv_field("label=flowc.task=" + task)});
  argv.insert(argv.end(), {"--format", "{{.Names}}"});
  auto r = flowc::runtime::capture_output(argv, {}, 120);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> names;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

}  // namespace flowc::test
