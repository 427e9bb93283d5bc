// MPI launchers and their flags (../shared/BACKENDS.md has what was measured).
#include "runtime/mpi/mpi_launch.h"

namespace flowc::runtime {

std::vector<std::string> mpirun_command(const std::string& mpirun, int ranks, bool as_root,
                                        const std::vector<std::string>& argv) {
  std::vector<std::string> out = {mpirun, "-np", std::to_string(ranks), "--oversubscribe", "--bind-to", "none"};
  if (as_root) out.push_back("--allow-run-as-root");
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::vector<std::string> srun_command(int ranks, int cpus_per_rank, bool overcommit, bool step_of_allocation,
                                      const std::vector<std::string>& argv) {
  std::vector<std::string> out = {"srun",
                                  "--mpi=pmix",
                                  "--kill-on-bad-exit=1",
                                  "-n",
                                  std::to_string(ranks),
                                  "-c",
                                  std::to_string(std::max(1, cpus_per_rank))};
  if (overcommit) out.push_back("--overcommit");
  if (step_of_allocation) out.push_back("--overlap");
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace flowc::runtime
