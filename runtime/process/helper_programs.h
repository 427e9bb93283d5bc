// How a task finds the helper programs that come with flowc (flowc-table for
// std/table.flow, flowc-stream-tool...): they are built and installed in the
// folder of the flowc executable, and every task gets that folder at the
// front of its PATH. A `.flow` file then names them like any command, and
// the compiler knows nothing of where they live.
#pragma once

#include <string>
#include <vector>

namespace flowc::runtime {

// The folder holding the running executable ("" if it cannot be known).
std::string own_program_dir();

// `env` (NAME=value entries) with `dir` first on its PATH: PATH is added if
// missing; `dir` is not added twice. Nothing changes when `dir` is empty.
void put_first_on_path(std::vector<std::string>& env, const std::string& dir);

}  // namespace flowc::runtime
