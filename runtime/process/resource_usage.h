// What a process (a task) used. Its own header so that measuring it
// (process/reap.h, flowc-measure) needs nothing of the executors that report
// it (executors/executor.h: Outcome::usage).
#pragma once

#include <cstdint>
#include <string>

namespace flowc::runtime {

// What a task used, measured where it ran (docs/runtime.md, "Resources"):
// the local executor from wait4 of the task's process tree, a container from
// its cgroup, a Slurm job or a pilot task from the measurement its wrapper
// takes. -1: not measured.
struct ResourceUsage {
  double wall_seconds = 0;
  double user_seconds = -1;     // CPU time in user mode, the whole tree
  double system_seconds = -1;   // and in the kernel
  int64_t peak_rss_bytes = -1;  // "rusage": the largest process's peak; "cgroup": the whole container's
  int64_t read_bytes = -1;      // bytes read and written through system calls (files, pipes)
  int64_t written_bytes = -1;
  std::string source;  // how it was measured: "rusage", "cgroup-v1", "cgroup-v2"
};

}  // namespace flowc::runtime
