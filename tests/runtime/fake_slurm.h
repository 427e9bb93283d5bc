// Slurm as its commands answer, for tests of the executors over Slurm
// without Slurm (through the command seam, slurm::Commands): sbatch hands
// out job ids, squeue prints each job's line as the test set it, and every
// call is kept.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "runtime/executors/slurm/slurm_cli.h"
#include "runtime/process/run_captured.h"

namespace flowc::test {

// Slurm as its commands answer: each job's squeue line, set by the test.
struct FakeSlurm : runtime::slurm::Commands {
  using Strings = std::vector<std::string>;
  int next_id = 100;
  std::map<std::string, std::string> queue;  // job id → "STATE|reason"
  bool unreachable = false;                  // squeue cannot reach the controller
  std::string refusal;                       // sbatch refuses with this
  std::vector<Strings> calls;
  std::function<void()> on_scancel;  // what happens when scancel runs (a job's last moments)

  runtime::Captured run(const Strings& argv, const Strings&, double) override {
    calls.push_back(argv);
    runtime::Captured c;
    c.exit_code = 0;
    const std::string& tool = argv.at(0);
    if (tool == "sbatch") {
      if (!refusal.empty()) {
        c.exit_code = 1;
        c.err = refusal;
        return c;
      }
      std::string id = std::to_string(next_id++);
      queue[id] = "PENDING|Priority";
      c.out = id + "\n";
    } else if (tool == "squeue") {
      if (unreachable) {
        c.exit_code = 1;
        c.err = "slurm_load_jobs error: Unable to contact slurm controller (connect failure)";
        return c;
      }
      // squeue --format=%i|%T|%N|%r: the nodes are not asked of the fake.
      for (const auto& [id, line] : queue) {
        std::string state = line.substr(0, line.find('|')), reason = line.substr(line.find('|') + 1);
        c.out += id + "|" + state + "||" + reason + "\n";
      }
    } else if (tool == "scancel") {
      if (on_scancel) on_scancel();
    } else if (tool == "sinfo") {
      c.out = "node1 8 debug*\n";  // sinfo --Node --format=%N %c %P
    }
    return c;
  }
  std::vector<Strings> calls_of(const std::string& tool) const {
    std::vector<Strings> out;
    for (const Strings& c : calls) {
      if (c.at(0) == tool) out.push_back(c);
    }
    return out;
  }
};

// A task as the run loop hands it to an executor, its work dir `dir/name` made.
inline runtime::LaunchSpec fake_task(const std::filesystem::path& dir, const std::string& name) {
  runtime::LaunchSpec spec;
  spec.work_dir = (dir / name).string();
  std::filesystem::create_directories(spec.work_dir);
  spec.argv = {"/bin/sh", "-c", "true"};
  spec.stdout_path = spec.work_dir + "/.stdout";
  spec.stderr_path = spec.work_dir + "/.stderr";
  spec.job_name = "main." + name;
  return spec;
}

}  // namespace flowc::test
