// Runs a short helper command (sbatch, squeue, scancel...) to its end and
// captures what it printed. The command gets its own process group, so a
// Ctrl-C on the terminal reaches flowc (which decides what to stop), not it.
#pragma once

#include <string>
#include <vector>

namespace flowc::runtime {

struct CommandOutput {
  int exit_code = -1;        // -1: it did not run to its end (see error)
  std::string out;           // its stdout
  std::string err;           // its stderr
  std::string error;         // why it could not start, or that it took too long
  bool ok() const { return exit_code == 0; }
  // For messages: its stderr, or why it did not run.
  std::string why() const;
};

// `argv[0]` is looked up in the PATH; `env` is the whole environment (empty:
// flowc's own). A command still running after `timeout_seconds` is killed.
CommandOutput run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          double timeout_seconds);

// `text` quoted for /bin/sh as one word.
std::string shell_quote(const std::string& text);

}  // namespace flowc::runtime
