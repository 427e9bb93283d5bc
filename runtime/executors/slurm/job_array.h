// A Slurm job array of alike tasks: one sbatch for many. Each element runs
// its own task's job script (job_script.h), chosen by SLURM_ARRAY_TASK_ID,
// and writes its output to its task's job log: the array's --output is
// FOLDER/%a.log, each a link to the task's .flowc-slurm.log. Element I of
// the array submitted as job A is Slurm job "A_I".
#pragma once

#include <string>
#include <vector>

namespace flowc::runtime::slurm {

// The array's batch script: element I runs `work_dirs[I]`'s job script.
std::string array_script(const std::vector<std::string>& work_dirs);

// Writes the array's script and its log links into `folder` (created). The
// script's path, or nothing with `error` set.
std::string write_array(const std::string& folder, const std::vector<std::string>& work_dirs, std::string* error);

// sbatch's options naming the array's elements, script folder and logs.
std::vector<std::string> array_args(const std::string& folder, size_t elements);

// "123_4" → "123"; a plain job id is its own.
std::string array_base(const std::string& job_id);

}  // namespace flowc::runtime::slurm
