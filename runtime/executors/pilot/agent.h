// A pilot's agent: `flowc agent DIR`, started by the pilot's batch job inside
// the allocation. It takes tasks from the channel in DIR (channel.h) while
// its node has free cores, runs each task's job script (an MPI task's script
// starts its own `srun` step), and leaves when flowc says stop, or when flowc
// is gone and nothing is left to do.
#pragma once

#include <string>

namespace flowc::runtime::pilot {

// Runs until done; returns the process exit code.
int run_agent(const std::string& dir);

}  // namespace flowc::runtime::pilot
