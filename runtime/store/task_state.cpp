#include "runtime/store/task_state.h"

#include <array>
#include <utility>

namespace flowc::runtime {

namespace {

constexpr std::array<std::pair<TaskState, std::string_view>, 7> kNames = {{
    {TaskState::Queued, "queued"},
    {TaskState::Running, "running"},
    {TaskState::Succeeded, "succeeded"},
    {TaskState::Cached, "cached"},
    {TaskState::Failed, "failed"},
    {TaskState::Absent, "absent"},
    {TaskState::Cancelled, "cancelled"},
}};

}  // namespace

std::string_view state_name(TaskState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "?";
}

std::optional<TaskState> task_state_named(std::string_view name) {
  for (const auto& [s, n] : kNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

}  // namespace flowc::runtime
