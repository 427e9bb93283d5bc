// Opening a journal and choosing a run, for the observing commands.
#include "cli/journal_helpers.h"

#include "cli/compile_helpers.h"
#include "runtime/observe/run_view.h"

namespace flowc::cli {

std::unique_ptr<runtime::Store> open_journal_or_say(const ObserveOptions& options) {
  std::string error;
  auto store = runtime::observe::open_journal(options.state_dir, &error);
  if (!store) print_error(error);
  return store;
}

std::optional<ChosenRun> chosen_run(const ObserveOptions& options) {
  auto store = open_journal_or_say(options);
  if (!store) return std::nullopt;
  std::string error;
  auto run = runtime::observe::find_run(*store, options.run, &error);
  if (!run) {
    print_error(error);
    return std::nullopt;
  }
  return ChosenRun{std::move(store), *run};
}

}  // namespace flowc::cli
