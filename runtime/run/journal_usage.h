// What the journal keeps of a task's end (tasks.usage): what it used, as
// runtime/observe/usage.h writes it, and what it asked for, as the executor
// was told (its LaunchSpec).
#pragma once

#include "runtime/executors/executor.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

// What the op asked for: {"cpus", "mem", "time"}.
Value requested_json(const LaunchSpec& spec);

// The usage measured and what it asked for. `inside`: the task ran in a
// container whose wrapper measured it (the file in its work dir), which
// knows the task rather than `podman run`. Null when it never started.
Value journal_usage(const Outcome& outcome, const LaunchSpec& spec, bool inside);

}  // namespace flowc::runtime
