// A pilot's agent: `flowc agent DIR`, started by the pilot's batch job inside
// the allocation, one per node. It takes tasks from the channel in DIR
// (channel.h) while its node has the cores and memory they ask for (within
// what Slurm gave it there), runs each (an MPI task as its own `srun` step),
// and leaves when flowc says stop, when flowc is gone and nothing is left to
// do, or when flowc gave its node up (`lost.<node>`: it stops its tasks first).
#pragma once

#include <string>

namespace flowc::runtime::pilot {

// Runs until done; returns the process exit code.
int run_agent(const std::string& dir);

}  // namespace flowc::runtime::pilot
