// The words for how a task ended, chosen in one place from the executor's
// neutral end reason (Outcome::How): no executor steers them, so changing
// what one end says changes no other executor's diagnosis.
#pragma once

#include <string>

#include "runtime/executors/executor.h"

namespace flowc::runtime {

// "exited with code 3", "ran out of memory and was killed ...", with what the
// executor knows beyond that in parentheses. `timeout_seconds`: the task's
// own limit (0: none), named when it timed out.
std::string end_text(const Outcome& outcome, double timeout_seconds);

// "SIGKILL (9)".
std::string signal_name(int signal);

}  // namespace flowc::runtime
