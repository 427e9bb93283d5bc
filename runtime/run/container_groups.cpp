// Container groups (Task::group): a `for`'s items that share a container,
// prepared together and run one after another in it.
#include <fmt/format.h>

#include "runtime/run/run_loop.h"

namespace flowc::runtime {

// Takes every queued task of `group` and prepares it: whatever is cached is
// reused now, the rest waits for its turn in the group's container. Taking
// them together lets that container mount all their work dirs.
void RunLoop::take_group(uint32_t group) {
  std::vector<TaskId> members;
  std::erase_if(queue_, [&](TaskId id) {
    if (plan_->task(id).group != group) return false;
    members.push_back(id);
    return true;
  });
  Group& g = groups_[group];
  for (TaskId id : members) {
    ++g.taken;
    g.members = plan_->task(id).group_members;
    Prepared prepared = prepare(id);
    if (prepared.kind == Prepared::Adopt && !adopt(id, prepared)) {
      runner_->reset_work_dir(prepared, &prepared.error);  // nothing to adopt after all: run it afresh
      prepared = prepare(id);
    }
    if (ended_before_launch(id, prepared) || prepared.kind == Prepared::Adopt)
      continue;  // an adopted one is followed like any task
    g.waiting.push_back(Waiting{id, std::move(prepared), 1});
  }
  group_settled(group);
}

// Starts the next task of each group that has none running, in the
// group's container.
void RunLoop::start_groups() {
  for (auto it = groups_.begin(); it != groups_.end() && !interrupted_;) {
    uint32_t group = it->first;
    Group& g = it->second;
    ++it;  // group_settled may erase this group
    if (g.busy || g.waiting.empty()) continue;
    if (static_cast<int>(running_.size()) >= jobs_) return;
    if (!executor_->has_room(g.waiting.front().prepared.spec)) continue;
    Waiting next = std::move(g.waiting.front());
    g.waiting.pop_front();
    std::vector<const ContainerRequest*> upcoming;
    for (const Waiting& w : g.waiting) {
      if (w.prepared.container) upcoming.push_back(&*w.prepared.container);
    }
    std::string error;
    if (!containers_->wrap_shared(group, next.prepared.spec, *next.prepared.container, upcoming, &error)) {
      const Task& task = plan_->task(next.id);
      fail(next.id, next.prepared,
           fmt::format("{} could not start: {}\n  work dir: {}", who(task), error, next.prepared.work_dir),
           TaskState::Failed, next.attempt, now_seconds(), -1);
      group_settled(group);
      continue;
    }
    g.busy = true;
    launch(next.id, std::move(next.prepared), next.attempt);
  }
}

// A group whose tasks have all come and gone ends its container.
void RunLoop::group_settled(uint32_t group) {
  auto it = groups_.find(group);
  if (it == groups_.end()) return;
  const Group& g = it->second;
  if (g.busy || !g.waiting.empty() || g.taken < g.members) return;
  containers_->end_shared(group);
  groups_.erase(it);
}

}  // namespace flowc::runtime
