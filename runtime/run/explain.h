// `flowc explain TASK`: why a task of the last run ran instead of reusing an
// earlier result — which input value, input file, command or image changed,
// or why an unchanged task's earlier result could not be used.
#pragma once

#include <string>

namespace flowc::runtime {

// Returns the explanation; `*found` is false if there is no such task (the
// text then says so and lists near matches).
std::string explain_task(const std::string& state_dir, const std::string& task_path, bool* found);

}  // namespace flowc::runtime
