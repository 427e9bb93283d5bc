// Where a run's Slurm jobs go and what else sbatch is told: the profile
// settings a per-task job and a pilot's allocation share, read once, turned
// into sbatch options once.
#pragma once

#include <string>
#include <vector>

#include "runtime/executors/settings.h"

namespace flowc::runtime::slurm {

struct Site {
  std::string partition, account, qos;
  std::vector<std::string> sbatch_args;  // anything else sbatch should be told; given last, so it can override
  std::string scratch;                   // node-local scratch to stage each task's files in; empty: none

  // Reads these keys of a profile's settings; mistakes are left in `settings`.
  void read_site(Settings& settings);
  // --partition, --account and --qos, for those given.
  std::vector<std::string> placement_args() const;
};

}  // namespace flowc::runtime::slurm
