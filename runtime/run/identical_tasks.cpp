// The run's leaders of cache keys and their followers. See identical_tasks.h.
#include "runtime/run/identical_tasks.h"

namespace flowc::runtime {

void IdenticalTasks::lead(const std::string& key, TaskId id, const std::string& path) {
  auto [it, fresh] = keys_.try_emplace(key);
  Entry& e = it->second;
  if (!fresh && e.id != id) return;  // another task leads it: the runner never lets this one prepare it
  e.id = id;
  e.path = path;
  e.result = Running{};
}

const IdenticalTasks::Result* IdenticalTasks::follow(const std::string& key, TaskId id) {
  auto it = keys_.find(key);
  if (it == keys_.end()) return nullptr;
  if (std::holds_alternative<Running>(it->second.result)) it->second.followers.push_back(id);
  return &it->second.result;
}

std::vector<TaskId> IdenticalTasks::ended(const std::string& key, TaskId id, Result result) {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.id != id) return {};
  it->second.result = std::move(result);
  return std::exchange(it->second.followers, {});
}

const std::string& IdenticalTasks::leader(const std::string& key) const {
  static const std::string kNone;
  auto it = keys_.find(key);
  return it == keys_.end() ? kNone : it->second.path;
}

}  // namespace flowc::runtime
