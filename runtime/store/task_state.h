// What became of a task, as the journal records it: one of a closed set,
// written to the database by name ("succeeded") so that a journal stays
// readable by people and by older and newer flowc alike.
#pragma once

#include <optional>
#include <string_view>

namespace flowc::runtime {

enum class TaskState {
  Queued,     // ready, not started (no flowc writes it today; older journals may hold it)
  Running,    // started (or submitted to a batch system), not ended
  Succeeded,  // ran, and its outputs were checked and recorded
  Cached,     // an earlier result (or an identical task's in this run) was reused
  Failed,
  Absent,     // not run because an input it needed is absent (older journals)
  Cancelled,  // stopped: the run was interrupted, or flowc died while it ran
};

// The name the journal holds ("running").
std::string_view state_name(TaskState state);
// The state of a name the journal holds; nothing for a name flowc does not know.
std::optional<TaskState> task_state_named(std::string_view name);

}  // namespace flowc::runtime
