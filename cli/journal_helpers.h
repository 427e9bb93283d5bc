// What the commands that read a state folder's journal share: opening it and
// finding the run the user named, printing why not.
#pragma once

#include <memory>
#include <optional>

#include "cli/commands.h"
#include "runtime/store/store.h"

namespace flowc::cli {

// The journal of options.state_dir, or nothing (the error printed).
std::unique_ptr<runtime::Store> open_journal_or_say(const ObserveOptions& options);

struct ChosenRun {
  std::unique_ptr<runtime::Store> store;
  runtime::RunRecord run;
};
// The journal and the run options.run names (default: the newest).
std::optional<ChosenRun> chosen_run(const ObserveOptions& options);

}  // namespace flowc::cli
