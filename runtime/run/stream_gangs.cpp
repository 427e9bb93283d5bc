// Stream gangs (runtime/streams): the tasks a stream connects start
// together, are reused only together, and stop together when one fails.
#include <fmt/format.h>

#include "runtime/run/run_loop.h"

namespace flowc::runtime {

// A stream gang: reused only whole, launched whole (runtime/streams).
void RunLoop::launch_gang(TaskId first) {
  uint32_t gang = plan_->task(first).gang;
  std::vector<TaskId> members = plan_->gang(gang);
  std::erase_if(queue_, [&](TaskId id) { return plan_->task(id).gang == gang; });
  std::vector<Prepared> prepared;
  bool all_cached = true;
  for (TaskId id : members) {
    prepared.push_back(prepare(id));
    all_cached = all_cached && prepared.back().kind == Prepared::Cached;
  }
  if (all_cached) {
    for (size_t i = 0; i < members.size(); ++i) {
      const Task& task = plan_->task(members[i]);
      ++cached_;
      record(members[i], prepared[i], TaskState::Cached, 0, now_seconds(), now_seconds(), 0, "");
      events_->emit("cached", {{"task", task.path}, {"op", task.op->id}, {"work_dir", prepared[i].work_dir}});
      plan_->succeeded(members[i], prepared[i].outputs);
      plan_->forget(members[i]);
    }
    take_ready();
    return;
  }
  std::string why;
  for (size_t i = 0; i < members.size(); ++i) {
    const Task& task = plan_->task(members[i]);
    if (prepared[i].kind == Prepared::Cached) prepared[i] = prepare(members[i], /*reuse=*/false);
    if (why.empty() && prepared[i].kind == Prepared::Failed) why = task.path + ": " + prepared[i].error;
    // A stream task's key holds its own place in its gang, so no other task
    // has it; if one ever did, the gang could not start whole.
    if (why.empty() && prepared[i].kind == Prepared::Identical) {
      why = fmt::format("{}: the same task as `{}`, which a stream gang cannot share", task.path, prepared[i].leader);
    }
    if (why.empty() && prepared[i].kind == Prepared::Launch) {
      if (std::string e = streams_->wrap(task, prepared[i].work_dir, prepared[i].spec.argv); !e.empty())
        why = task.path + ": " + e;
    }
  }
  if (!why.empty()) {
    for (size_t i = 0; i < members.size(); ++i) {
      const Task& task = plan_->task(members[i]);
      fail(members[i], prepared[i], fmt::format("{} could not start with its stream: {}", who(task), why),
           TaskState::Failed, 0, now_seconds(), -1);
    }
    return;
  }
  for (size_t i = 0; i < members.size(); ++i) launch(members[i], std::move(prepared[i]));
}

// A stream task ended: its counts as events; if it failed, the rest of its
// gang is stopped (their streams cannot end well) and says why.
void RunLoop::stream_task_ended(TaskId id, const Prepared& prepared, const Outcome& outcome, Judged& judged) {
  const Task& task = plan_->task(id);
  for (Value& s : streams_->stats(prepared.work_dir)) {
    s["task"] = task.path;
    events_->emit("stream", std::move(s));
  }
  if (judged.ok) return;
  judged.transient = false;  // one member cannot rejoin a running stream
  auto [failed, first] = failed_gangs_.emplace(task.gang, task.path);
  if (first) {
    for (auto& [handle, other] : running_) {
      if (plan_->task(other.id).gang == task.gang) executor_->cancel(handle);
    }
  } else if (outcome.how == Outcome::How::Cancelled && !interrupted_) {
    judged.error = fmt::format("{} was stopped: `{}`, of the same stream, failed\n  work dir: {}", who(task),
                               failed->second, prepared.work_dir);
  }
}

}  // namespace flowc::runtime
