// Pilot mode: one Slurm allocation (`--nodes N --time T`), an agent inside it
// (agent.h), and every task handed to the agent through files (channel.h)
// instead of waiting in Slurm's queue on its own — thousands of short tasks
// cost one sbatch. An MPI task becomes its own `srun` step of the
// allocation, with its own ranks and MPI_COMM_WORLD.
//
// On N nodes (`--nodes N`) an agent runs on each node, each its own `srun`
// step: an agent takes a task only when its node has the cores and memory
// the task asks for, so tasks spread by their requests. The allocation is
// made with --no-kill: a node lost (crashed, set down, cut off) takes only
// its agent with it. flowc notices the agent's heartbeat stop
// (`node_lost_after`) and reports the tasks that agent had claimed as ended
// by the node's failure, naming the node; the run loop retries them if the
// op allows, and the other agents take them.
//
// flowc follows the allocation with one squeue per poll interval; a task's
// end is its exit status file, as with one batch job per task
// (batch/batch_executor.h is the skeleton both share). When the allocation
// ends early (its time, a scancel), every task it had not finished is
// reported — those it was running and those it never started — and a rerun
// resumes them (what finished is in the cache).
#pragma once

#include <map>

#include <set>

#include "runtime/executors/batch/batch_executor.h"
#include "runtime/executors/pilot/channel.h"
#include "runtime/executors/settings.h"
#include "runtime/executors/slurm/site.h"

namespace flowc::runtime {

struct PilotSettings : slurm::Site {
  int64_t nodes = 1;
  double time = 3600;           // the allocation's length, seconds
  double poll_interval = 1;     // seconds between squeue queries about the allocation
  int64_t max_queued = 256;     // tasks handed to the agents at once
  double lost_after = 30;       // the allocation gone from squeue this long: ended
  double node_lost_after = 10;  // an agent's heartbeat this old: its node is lost
  static PilotSettings read(Settings& settings);
};

// A task handed to the pilot.
struct PilotJob : BatchJob {
  bool adopted = false;  // finished under an earlier flowc: only its exit status is awaited
};

class PilotExecutor : public BatchExecutor<PilotJob> {
 public:
  // `channel_dir`: where flowc and the agents exchange tasks (shared).
  PilotExecutor(PilotSettings settings, std::string channel_dir);
  ~PilotExecutor() override;

  std::string name() const override { return "slurm-pilot"; }
  int default_jobs() const override { return static_cast<int>(settings_.max_queued); }
  bool has_room(const LaunchSpec&) const override { return static_cast<int64_t>(jobs_.size()) < settings_.max_queued; }
  uint64_t submit(const LaunchSpec& spec, const BatchHints& hints) override;
  using BatchExecutor::submit;  // without hints
  // Hands what submit() kept to the agents (the inbox).
  void flush() override;
  void cancel(uint64_t handle) override;
  std::vector<bool> settle(const std::vector<LeftBehind>& left) override;
  uint64_t adopt(const LeftBehind& left, const LaunchSpec& spec) override;

 private:
  // The script that stages a task's files around its command (scratch).
  std::string staging_wrapper(const LaunchSpec& spec, const StagingPlan& staging) const;
  using Job = PilotJob;
  void before_checks(Clock::time_point now) override;
  void poll(Clock::time_point now) override;
  std::string describe(const Job& job) const override;
  std::string external_id(const Job&) const override { return allocation_; }
  std::optional<Clock::time_point> own_deadline() const override;
  bool start_allocation(std::string* error);
  void poll_allocation(Clock::time_point now);
  void check_agents();
  void node_lost(const std::string& node, double silent_seconds);
  void allocation_ended(const std::string& why);
  void finish(uint64_t handle, Outcome outcome);
  void not_started(uint64_t handle, const std::string& why);
  std::string task_file(const char* folder, uint64_t handle) const;

  PilotSettings settings_;
  std::string dir_;
  std::string allocation_;                        // the pilot's Slurm job id, once submitted
  std::string ended_;                             // why the allocation is over, once it is
  Chore beat_;                                    // flowc's heartbeat
  std::set<std::string> lost_nodes_;              // nodes whose agent fell silent
  std::map<uint64_t, pilot::PilotTask> handing_;  // submitted, handed out at flush()
  std::optional<Clock::time_point> missing_since_;
};

}  // namespace flowc::runtime
