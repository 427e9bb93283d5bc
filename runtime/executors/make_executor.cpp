// The executor registry.
#include "runtime/executors/make_executor.h"

#include <fmt/format.h>

#include "runtime/executors/local/local_executor.h"
#include "runtime/executors/pilot/pilot_executor.h"
#include "runtime/executors/settings.h"
#include "runtime/executors/slurm/slurm_executor.h"

namespace flowc::runtime {

const std::vector<std::string>& executor_names() {
  static const std::vector<std::string> names = {"local", "slurm", "slurm-pilot"};
  return names;
}

std::unique_ptr<Executor> make_executor(const ExecutorChoice& choice, std::vector<std::string>* errors) {
  Settings settings(choice.settings, choice.where);
  std::unique_ptr<Executor> made;
  if (choice.name == "local") {
    made = std::make_unique<LocalExecutor>(std::chrono::seconds(3), choice.state_dir);
  } else if (choice.name == "slurm") {
    made = std::make_unique<SlurmExecutor>(SlurmSettings::read(settings), choice.state_dir + "/slurm");
  } else if (choice.name == "slurm-pilot") {
    made = std::make_unique<PilotExecutor>(PilotSettings::read(settings), choice.state_dir + "/pilot");
  } else {
    std::string known;
    for (const std::string& n : executor_names()) known += (known.empty() ? "" : ", ") + n;
    errors->push_back(fmt::format("unknown executor `{}`; the executors are: {}", choice.name, known));
    return nullptr;
  }
  std::vector<std::string> mistakes = settings.finish();
  if (!mistakes.empty()) {
    errors->insert(errors->end(), mistakes.begin(), mistakes.end());
    return nullptr;
  }
  return made;
}

}  // namespace flowc::runtime
