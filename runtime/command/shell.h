// The shell a task's command runs under (docs/runtime.md, "How tasks run").
//
// Every `.command.sh` starts with a prologue that puts its shell in strict
// mode, decided by the script itself wherever it runs (this machine, a
// compute node, a container image), never guessed by flowc:
//   default        bash with `set -euo pipefail`; where there is no bash (a
//                  busybox image), sh with `set -eu`, plus `set -o pipefail`
//                  when that sh has it (busybox ash does; dash does not)
//   shell "bash"   bash with `set -euo pipefail`; without bash the task fails
//                  (exit code 127, saying so on its stderr)
//   shell "sh"     sh with `set -eu`, plus `set -o pipefail` when it has it
// A script started by /bin/sh that wants bash execs bash on itself once; an
// argument marks that second start, so a `bash` that is not bash cannot
// make it loop. Started by bash, it goes straight on.
#pragma once

#include <string>
#include <vector>

#include "ir/ir.h"

namespace flowc::runtime {

// The lines that begin the script of a task of `op`.
std::string shell_prologue(const ir::Op& op);

// What runs `.command.sh` on a machine where `bash` (an absolute path, or
// empty when there is none) is bash: bash itself when the op wants bash
// (saves the prologue's exec), else /bin/sh.
std::vector<std::string> shell_argv(ir::Shell shell, const std::string& bash);

}  // namespace flowc::runtime
