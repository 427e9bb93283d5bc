// Passing each call on to the executor a task belongs to.
#include "runtime/executors/router/router_executor.h"

namespace flowc::runtime {

RouterExecutor::RouterExecutor(std::vector<std::unique_ptr<Executor>> executors) : executors_(std::move(executors)) {}

size_t RouterExecutor::route(const LaunchSpec& spec) const {
  for (size_t i = 0; i < executors_.size(); ++i) {
    if (executors_[i]->name() == spec.executor) return i;
  }
  return 0;
}

int RouterExecutor::default_jobs() const {
  // --jobs counts every task of the run: room for what each executor takes.
  int jobs = 0;
  for (const auto& e : executors_) jobs += e->default_jobs();
  return jobs;
}

uint64_t RouterExecutor::remember(size_t executor, uint64_t inner) {
  uint64_t handle = next_handle_++;
  inner_[handle] = {executor, inner};
  outer_[{executor, inner}] = handle;
  return handle;
}

uint64_t RouterExecutor::submit(const LaunchSpec& spec) {
  size_t i = route(spec);
  return remember(i, executors_[i]->submit(spec));
}

uint64_t RouterExecutor::submit(const LaunchSpec& spec, const BatchHints& hints) {
  size_t i = route(spec);
  return remember(i, submit_with_hints(*executors_[i], spec, hints));
}

void RouterExecutor::flush() {
  for (auto& e : executors_) e->flush();
}

void RouterExecutor::cancel(uint64_t handle) {
  auto it = inner_.find(handle);
  if (it != inner_.end()) executors_[it->second.first]->cancel(it->second.second);
}

std::vector<Outcome> RouterExecutor::collect() {
  std::vector<Outcome> out;
  for (size_t i = 0; i < executors_.size(); ++i) {
    for (Outcome& o : executors_[i]->collect()) {
      auto it = outer_.find({i, o.handle});
      if (it == outer_.end()) continue;
      o.handle = it->second;
      inner_.erase(it->second);
      outer_.erase(it);
      out.push_back(std::move(o));
    }
  }
  return out;
}

std::optional<Clock::time_point> RouterExecutor::next_deadline() const {
  std::optional<Clock::time_point> next;
  for (const auto& e : executors_) {
    auto d = e->next_deadline();
    if (d && (!next || *d < *next)) next = d;
  }
  return next;
}

JobRef RouterExecutor::job_ref(uint64_t handle) const {
  auto it = inner_.find(handle);
  if (it == inner_.end()) return {};
  Recovery* r = executors_[it->second.first]->recovery();
  return r ? r->job_ref(it->second.second) : JobRef{};
}

// A left-behind job ("slurm:42") goes to the executor of that name; one
// known by its process group alone (or not yet submitted) to every executor,
// each of which stops or keeps only what is its own.
std::vector<bool> RouterExecutor::settle(const std::vector<LeftBehind>& left) {
  std::vector<bool> kept(left.size(), false);
  for (auto& e : executors_) {
    std::vector<LeftBehind> mine;
    std::vector<size_t> where;
    for (size_t i = 0; i < left.size(); ++i) {
      const std::string& job = left[i].ref.job;
      if (job.empty() || job.substr(0, job.find(':')) == e->name()) {
        mine.push_back(left[i]);
        where.push_back(i);
      }
    }
    Recovery* r = e->recovery();
    if (mine.empty() || !r) continue;
    std::vector<bool> k = r->settle(mine);
    for (size_t j = 0; j < where.size(); ++j) kept[where[j]] = kept[where[j]] || k[j];
  }
  return kept;
}

void RouterExecutor::stop_strays() {
  for (auto& e : executors_) {
    if (Recovery* r = e->recovery()) r->stop_strays();
  }
}

uint64_t RouterExecutor::adopt(const LeftBehind& left, const LaunchSpec& spec) {
  size_t i = route(spec);
  Recovery* r = executors_[i]->recovery();
  // settle() keeps only what an executor with recovery can follow.
  return remember(i, r ? r->adopt(left, spec) : executors_[i]->submit(spec));
}

}  // namespace flowc::runtime
