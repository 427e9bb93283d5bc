// Short commands whose output flowc reads — a container engine's probes,
// Slurm's sbatch/squeue/scancel — run to their end (or a deadline) with
// stdout and stderr captured. Each gets its own process group, so a Ctrl-C
// on the terminal reaches flowc (which decides what to stop), not them, and
// a deadline stops everything a command started. Not tasks: no executor's
// business.
#pragma once

#include <string>
#include <vector>

namespace flowc::runtime {

struct Captured {
  int exit_code = -1;    // 128 + signal if a signal ended it; -1 if it never started
  std::string out, err;  // what it printed
  std::string error;     // why it did not start, was stopped, or was killed
  bool ok() const { return exit_code == 0 && error.empty(); }
  // For messages: why it did not run, or its stderr, or its exit code.
  std::string why() const;
};

// Runs each command (argv[0] found on PATH unless it holds a '/') at the
// same time, stdin from /dev/null, with `env` (NAME=value; empty: flowc's
// own), and waits for all of them; one that runs longer than
// `timeout_seconds` is killed with all it started.
std::vector<Captured> run_captured(const std::vector<std::vector<std::string>>& commands, double timeout_seconds,
                                   const std::vector<std::string>& env = {});

// One command.
Captured capture_output(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                        double timeout_seconds);

}  // namespace flowc::runtime
