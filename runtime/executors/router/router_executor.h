// Several executors behind one: each task goes to the executor its op names
// (`executor "slurm"` in the .flow file: LaunchSpec::executor), else to the
// run's. The router only passes calls on and renumbers handles, so the
// executors it holds stay ignorant of each other; the factory makes them.
#pragma once

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "runtime/executors/batch/batch_hints.h"
#include "runtime/executors/executor.h"

namespace flowc::runtime {

class RouterExecutor : public Executor, public Recovery, public BatchSubmit {
 public:
  // `executors[0]` is the run's; the others are asked for by name.
  explicit RouterExecutor(std::vector<std::unique_ptr<Executor>> executors);

  std::string name() const override { return executors_[0]->name(); }
  int default_jobs() const override;
  std::optional<Misfit> never_fits(const LaunchSpec& spec) const override {
    return executors_[route(spec)]->never_fits(spec);
  }
  bool has_room(const LaunchSpec& spec) const override { return executors_[route(spec)]->has_room(spec); }
  uint64_t submit(const LaunchSpec& spec) override;
  // The hints go on to the task's executor if it takes them.
  BatchSubmit* batch() override { return this; }
  uint64_t submit(const LaunchSpec& spec, const BatchHints& hints) override;
  void flush() override;
  void cancel(uint64_t handle) override;
  std::vector<Outcome> collect() override;
  std::optional<Clock::time_point> next_deadline() const override;
  Recovery* recovery() override { return this; }
  JobRef job_ref(uint64_t handle) const override;
  std::vector<bool> settle(const std::vector<LeftBehind>& left) override;
  void stop_strays() override;
  uint64_t adopt(const LeftBehind& left, const LaunchSpec& spec) override;

 private:
  size_t route(const LaunchSpec& spec) const;
  uint64_t remember(size_t executor, uint64_t inner);

  std::vector<std::unique_ptr<Executor>> executors_;
  uint64_t next_handle_ = 1;
  std::map<uint64_t, std::pair<size_t, uint64_t>> inner_;  // handle → (executor, its handle)
  std::map<std::pair<size_t, uint64_t>, uint64_t> outer_;  // the reverse
};

}  // namespace flowc::runtime
