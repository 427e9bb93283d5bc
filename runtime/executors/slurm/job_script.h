// The shell script a Slurm job runs for one task: it
// runs the task's command (under `srun` when it is an MPI task, under
// `timeout` when it has one) and leaves how it ended in the work dir, in
// .flowc-exit, written atomically. That file, not Slurm's memory of the job,
// is what flowc believes: it survives flowc being killed, Slurm forgetting
// the job, and works where sacct does not (no slurmdbd).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/executors/batch/staging.h"
#include "runtime/executors/executor.h"

namespace flowc::runtime::slurm {

inline constexpr const char* kExitFile = ".flowc-exit";  // "<exit code> <1 if timed out>"
inline constexpr const char* kJobIdFile = ".flowc-job";  // the Slurm job id, written at submission
inline constexpr const char* kScriptFile = ".flowc-job.sh";
inline constexpr const char* kSlurmLog = ".flowc-slurm.log";  // the job script's own output (srun's complaints)

struct ScriptOptions {
  bool overcommit = false;  // MPI ranks outnumber the CPUs: srun --overcommit
  // The environment the job starts with when it is not the task's own (an
  // element of a job array starts with the array's): the script then sets
  // and unsets what differs from the task's. Nothing: the job's is the task's.
  const std::vector<std::string>* job_env = nullptr;
  // Node-local scratch (the profile's `scratch`); empty: none. The script
  // then stages the task's files `staging` says there (batch/staging.h).
  std::string scratch;
  const StagingPlan* staging = nullptr;
  // flowc-measure's path (runtime/observe/flowc_measure.cpp): the command
  // runs under it and leaves what it used in .flowc-usage. Not for an MPI
  // task (its ranks are the step's, not the script's children). Empty: none.
  std::string measure;
};

// Whether a script can give a job `env` (every name a shell identifier).
bool exportable(const std::vector<std::string>& env);

// The script's text for `spec`.
std::string job_script(const LaunchSpec& spec, const ScriptOptions& options);

// What the job left in its work dir, if it has ended.
struct ExitStatus {
  int exit_code = -1;
  bool timed_out = false;
  std::optional<ResourceUsage> usage;  // what flowc-measure (or a pilot's agent) left beside it
};
std::optional<ExitStatus> read_exit_status(const std::string& work_dir);
// How a task ended, from the exit status its job left: a non-zero exit of a
// task flowc was cancelling is its cancellation.
Outcome outcome_of(const ExitStatus& status, bool cancelling);

// Writes `text` to `path` through a temporary file renamed over it.
bool write_atomically(const std::string& path, const std::string& text);

}  // namespace flowc::runtime::slurm
