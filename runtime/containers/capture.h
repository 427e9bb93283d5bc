// Short commands whose output flowc reads (an engine's probes and image
// checks), run side by side and waited for: not tasks, so not an executor's
// business.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flowc::runtime {

struct Captured {
  int exit_code = -1;     // 128 + signal if a signal ended it; -1 if it never started
  std::string out, err;   // what it printed
  std::string error;      // why it did not start, or was stopped
};

// Runs each command (argv[0] found on PATH unless it holds a '/') at the
// same time, stdin from /dev/null, and waits for all of them; one that runs
// longer than `timeout_seconds` is killed.
std::vector<Captured> run_captured(const std::vector<std::vector<std::string>>& commands, double timeout_seconds);

}  // namespace flowc::runtime
