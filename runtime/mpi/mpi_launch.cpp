// MPI launchers and their flags (../shared/BACKENDS.md has what was measured).
#include "runtime/mpi/mpi_launch.h"

#include <unistd.h>

#include <sstream>

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
  std::vector<std::string> out = {"srun", "--mpi=pmix", "-n", std::to_string(ranks), "-c",
                                  std::to_string(std::max(1, cpus_per_rank))};
  if (overcommit) out.push_back("--overcommit");
  if (step_of_allocation) out.push_back("--overlap");
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::optional<std::string> find_in_path(const std::string& program, const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) return program;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& e : env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

}  // namespace flowc::runtime
