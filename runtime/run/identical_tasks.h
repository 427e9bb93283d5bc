// Tasks with the same cache key in one run are one task (docs/runtime.md,
// "What runs, and what is reused"): the first to hold the key, its leader,
// runs in the key's work dir; every other waits for it and takes what
// became of it, its result or its failure, and never touches that work
// dir (the task runner answers Prepared::Identical for them). This is the
// run's record of leaders and who follows them; it decides nothing else.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "runtime/scheduler/plan.h"
#include "runtime/store/task_state.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

class IdenticalTasks {
 public:
  struct Running {};  // the leader has not ended: the follower waits
  struct Succeeded {
    Value outputs;
    std::string work_dir;
    Value manifest;  // the leader's cache-key manifest
  };
  struct Ended {      // failed or was cancelled
    TaskState state;  // Failed or Cancelled
    std::string error;
    std::string work_dir;
    Value manifest;
  };
  using Result = std::variant<Running, Succeeded, Ended>;

  // Task `id` at `path` holds `key` (again, for its next attempt).
  void lead(const std::string& key, TaskId id, const std::string& path);
  // What became of the leader of `key`, for task `id`; while it runs, `id`
  // is counted among its followers and told when it ends. Null if no task
  // leads `key` (then the runner and this record disagree: a bug).
  const Result* follow(const std::string& key, TaskId id);
  // Task `id` ended: if it leads `key`, its followers, who take `result`
  // too (none if it does not lead it).
  std::vector<TaskId> ended(const std::string& key, TaskId id, Result result);
  // The call path of the task that leads `key` ("" if none).
  const std::string& leader(const std::string& key) const;

 private:
  struct Entry {
    TaskId id = 0;
    std::string path;
    Result result;
    std::vector<TaskId> followers;
  };
  std::map<std::string, Entry> keys_;
};

}  // namespace flowc::runtime
