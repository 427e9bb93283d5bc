#include "runtime/executors/slurm/site.h"

namespace flowc::runtime::slurm {

void Site::read_site(Settings& s) {
  partition = s.text("partition", "");
  account = s.text("account", "");
  qos = s.text("qos", "");
  sbatch_args = s.texts("sbatch_args");
  scratch = s.text("scratch", "");
}

std::vector<std::string> Site::placement_args() const {
  std::vector<std::string> args;
  if (!partition.empty()) args.push_back("--partition=" + partition);
  if (!account.empty()) args.push_back("--account=" + account);
  if (!qos.empty()) args.push_back("--qos=" + qos);
  return args;
}

}  // namespace flowc::runtime::slurm
