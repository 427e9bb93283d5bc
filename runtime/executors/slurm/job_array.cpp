// The job array's script and log links.
#include "runtime/executors/slurm/job_array.h"

#include <filesystem>

#include <fmt/format.h>

#include "runtime/executors/slurm/command.h"
#include "runtime/executors/slurm/job_script.h"

namespace flowc::runtime::slurm {
namespace fs = std::filesystem;

std::string array_script(const std::vector<std::string>& work_dirs) {
  std::string s =
      "#!/bin/sh\n"
      "# A flowc job array, written by flowc (runtime/executors/slurm/job_array.cpp):\n"
      "# element I runs the job script of task I, which leaves its exit status in its work dir.\n"
      "case \"${SLURM_ARRAY_TASK_ID:-}\" in\n";
  for (size_t i = 0; i < work_dirs.size(); ++i) {
    s += fmt::format("{}) exec /bin/sh {} ;;\n", i, shell_quote((fs::path(work_dirs[i]) / kScriptFile).string()));
  }
  s += "esac\n"
       "echo \"flowc: no task for array element ${SLURM_ARRAY_TASK_ID:-(none)}\" >&2\n"
       "exit 97\n";
  return s;
}

std::string write_array(const std::string& folder, const std::vector<std::string>& work_dirs, std::string* error) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) {
    *error = fmt::format("cannot create `{}`: {}", folder, ec.message());
    return "";
  }
  for (size_t i = 0; i < work_dirs.size(); ++i) {
    fs::path link = fs::path(folder) / fmt::format("{}.log", i);
    fs::remove(link, ec);
    fs::create_symlink(fs::path(work_dirs[i]) / kSlurmLog, link, ec);
    if (ec) {
      *error = fmt::format("cannot create `{}`: {}", link.string(), ec.message());
      return "";
    }
  }
  std::string script = (fs::path(folder) / "array.sh").string();
  if (!write_atomically(script, array_script(work_dirs))) {
    *error = fmt::format("cannot write `{}`", script);
    return "";
  }
  return script;
}

std::vector<std::string> array_args(const std::string& folder, size_t elements) {
  return {
      fmt::format("--array=0-{}", elements - 1),
      "--chdir=" + folder,
      "--output=" + (fs::path(folder) / "%a.log").string(),
  };
}

std::string array_base(const std::string& job_id) { return job_id.substr(0, job_id.find('_')); }

}  // namespace flowc::runtime::slurm
