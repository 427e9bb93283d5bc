// Pilot mode: one Slurm allocation (`--nodes N --time T`), an agent inside it
// (agent.h), and every task handed to the agent through files (channel.h)
// instead of waiting in Slurm's queue on its own — thousands of short tasks
// cost one sbatch. An MPI task becomes its own `srun` step of the
// allocation, with its own ranks and MPI_COMM_WORLD.
//
// flowc follows the allocation with one squeue per poll interval; a task's
// end is its exit status file, as with one batch job per task. When the
// allocation ends early (its time, a scancel, a node), every task it had not
// finished is reported — those it was running and those it never started —
// and a rerun resumes them (what finished is in the cache).
#pragma once

#include <map>

#include "runtime/executors/chore.h"
#include "runtime/executors/executor.h"
#include "runtime/executors/settings.h"
#include "runtime/executors/slurm/site.h"

namespace flowc::runtime {

struct PilotSettings : slurm::Site {
  int64_t nodes = 1;
  double time = 3600;           // the allocation's length, seconds
  double poll_interval = 1;     // seconds between squeue queries about the allocation
  int64_t max_queued = 256;     // tasks handed to the agents at once
  double lost_after = 30;       // the allocation gone from squeue this long: ended
  static PilotSettings read(Settings& settings);
};

class PilotExecutor : public Executor, public Recovery {
 public:
  // `channel_dir`: where flowc and the agents exchange tasks (shared).
  PilotExecutor(PilotSettings settings, std::string channel_dir);
  ~PilotExecutor() override;

  std::string name() const override { return "slurm-pilot"; }
  int default_jobs() const override { return static_cast<int>(settings_.max_queued); }
  std::optional<Misfit> never_fits(const LaunchSpec&) const override { return std::nullopt; }
  bool has_room(const LaunchSpec&) const override {
    return static_cast<int64_t>(tasks_.size()) < settings_.max_queued;
  }
  uint64_t submit(const LaunchSpec& spec) override;
  void cancel(uint64_t handle) override;
  std::vector<Outcome> collect() override;
  std::optional<Clock::time_point> next_deadline() const override;
  size_t running() const { return tasks_.size(); }
  Recovery* recovery() override { return this; }
  JobRef job_ref(uint64_t handle) const override;
  std::vector<bool> settle(const std::vector<LeftBehind>& left) override;
  uint64_t adopt(const LeftBehind& left, const LaunchSpec& spec) override;

 private:
  // The script that stages a task's files around its command (scratch).
  std::string staging_wrapper(const LaunchSpec& spec) const;
  struct Task {
    LaunchSpec spec;
    bool cancelling = false;
    bool adopted = false;  // finished under an earlier flowc: only its exit status is awaited
    Clock::time_point started;
  };
  bool start_allocation(std::string* error);
  void check_exit_files();
  void poll_allocation(Clock::time_point now);
  void allocation_ended(const std::string& why);
  void finish(uint64_t handle, Outcome outcome);
  std::string task_file(const char* folder, uint64_t handle) const;

  PilotSettings settings_;
  std::string dir_;
  std::string allocation_;            // the pilot's Slurm job id, once submitted
  std::string ended_;                 // why the allocation is over, once it is
  uint64_t next_handle_ = 1;
  std::map<uint64_t, Task> tasks_;
  std::vector<Outcome> done_;
  Chore exit_check_, poll_, beat_;  // exit status files; the allocation's squeue; flowc's heartbeat
  std::optional<Clock::time_point> missing_since_;
};

}  // namespace flowc::runtime
