// Reaping a child and measuring what its process tree used, in one step.
//
// wait4() gives the CPU time of the child and of every descendant it (or
// they) waited for, and the peak resident size of the largest of them; the
// kernel adds a reaped child's I/O counts to its parent's, so /proc/PID/io of
// the child, read while it is a zombie (waitid with WNOWAIT), holds the
// bytes the whole tree read and wrote. Descendants that outlive the child
// (re-parented to init) are not counted: say so where it matters.
#pragma once

#include <sys/types.h>

#include <optional>

#include "runtime/process/resource_usage.h"

namespace flowc::runtime {

struct Reaped {
  int status = 0;       // as waitpid gives it
  ResourceUsage usage;  // source "rusage"; wall_seconds left 0 (the caller knows when it started)
};

// Reaps `pid` if it has ended; nothing if it still runs (never blocks).
std::optional<Reaped> reap_measured(pid_t pid);

}  // namespace flowc::runtime
