// Runs each task as its own Slurm batch job (sbatch), the way a cluster's
// users are used to: resources become sbatch options (--cpus-per-task,
// --mem, --time, --gres, --ntasks for MPI ranks, partition/account/qos from
// the profile), and the job script (job_script.h) leaves the command's exit
// status in the work dir.
//
// Following the jobs costs one squeue per poll interval for all of them,
// never one call per job; a job's end is noticed from its exit status file
// (checked more often, but only for jobs not known to be pending), Slurm's
// states only explain the ends that left none (TIMEOUT, CANCELLED from
// outside, NODE_FAIL, OUT_OF_MEMORY...). A job Slurm cannot report for a
// moment is unknown, not failed. Submissions keep within max_queued and a
// rate; a refusal that means "not now" (a QOS submit limit, a busy
// controller) backs off and retries. Cancelling is one scancel for all.
// A task a killed flowc left running is adopted: followed to its end by job
// id and exit status file, not submitted again.
//
// Job arrays: tasks of one kind and shape (the same op, the same sbatch
// options) submitted together (before one flush()) go as ONE `sbatch
// --array` when there are at least `array_min` of them (job_array.h). Each
// element is then followed, cancelled, adopted and counted in max_queued as
// a job of its own ("123_4"); the squeue per poll asks for the array once.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <set>

#include "runtime/executors/batch/batch_executor.h"
#include "runtime/executors/settings.h"
#include "runtime/executors/slurm/site.h"
#include "runtime/executors/slurm/slurm_cli.h"

namespace flowc::runtime::slurm {
struct ExitStatus;
}  // namespace flowc::runtime::slurm

namespace flowc::runtime {

struct SlurmSettings : slurm::Site {
  int64_t max_queued = 1000;  // jobs of this run in Slurm's queue at once
  double submit_rate = 10;    // sbatch calls per second, at most
  double poll_interval = 1;   // seconds between squeue queries
  double submit_retry = 600;  // how long a refused ("not now") submission keeps being retried
  double lost_after = 30;     // a job Slurm forgot, with no exit status: failed after this long
  int64_t array_min = 8;      // alike tasks submitted together at least this many: one job array; 0: never
  int64_t array_max = 1000;   // elements of one array at most (Slurm's MaxArraySize is 1001 by default)
  // How long an exit status may lag behind Slurm saying the job ended (a
  // shared file system's caches). Not a profile setting: tests shorten it.
  double exit_grace = 5;

  // Reads a profile's settings; mistakes are left in `settings` (finish()).
  static SlurmSettings read(Settings& settings);
};

// A task as the Slurm executor follows it: its job (or array element).
struct SlurmJob : BatchJob {
  std::string id;                     // empty until sbatch took it; "123_4": an array's element
  std::string array;                  // the job array it is an element of ("123"), if any
  std::string shape;                  // tasks of the same shape may go as one array; empty: never
  std::optional<slurm::State> state;  // as the last squeue said; nothing: not asked yet
  std::string state_text, reason;
  std::string nodes;  // where it runs or ran, as squeue last said
  std::optional<Clock::time_point> first_refused, retry_at;
  std::string refusal;                             // sbatch's last "not now"
  std::optional<Clock::time_point> missing_since;  // not in squeue's answer, no exit status
  std::optional<Clock::time_point> ended_since;    // Slurm says it ended; its exit status is awaited
  // Its exit status says a signal killed it: since when Slurm is asked why
  // (a failed node, a cancel outside flowc explain it better).
  std::optional<Clock::time_point> killed_since;
};

class SlurmExecutor : public BatchExecutor<SlurmJob> {
 public:
  // `state_dir`: where the scripts of job arrays are written (shared with the nodes).
  SlurmExecutor(SlurmSettings settings, std::string state_dir);
  ~SlurmExecutor() override;

  std::string name() const override { return "slurm"; }
  int default_jobs() const override { return static_cast<int>(settings_.max_queued); }
  bool has_room(const LaunchSpec& spec) const override;
  uint64_t submit(const LaunchSpec& spec, const BatchHints& hints) override;
  using BatchExecutor::submit;  // without hints
  void flush() override { submit_waiting(); }
  void cancel(uint64_t handle) override;
  std::vector<bool> settle(const std::vector<LeftBehind>& left) override;
  uint64_t adopt(const LeftBehind& left, const LaunchSpec& spec) override;

 private:
  using Job = SlurmJob;
  void before_checks(Clock::time_point now) override;
  bool may_have_ended(const Job& job) const override;
  void exit_status_found(Job& job, const slurm::ExitStatus& status) override;
  std::string external_id(const Job& job) const override { return job.id; }
  void forget(Job& job) override;
  std::optional<Clock::time_point> own_deadline() const override;
  void try_submit(Job& job);
  void try_submit_array(const std::vector<uint64_t>& handles);
  void refused(const std::vector<uint64_t>& handles, const slurm::Submitted& s, const std::string& script);
  std::vector<uint64_t> alike(const Job& first) const;
  void submit_waiting();
  std::vector<std::string> cancel_ids(const std::vector<uint64_t>& handles) const;
  void poll(Clock::time_point now) override;
  void judge_by_state(Job& job, Clock::time_point now);
  std::vector<std::string> shape_args(const LaunchSpec& spec);
  std::string describe(const Job& job) const override;

  struct Array {
    std::set<uint64_t> live;  // its elements not yet reported
    std::string folder;       // its script and log links
  };

  SlurmSettings settings_;
  std::string measure_;  // flowc-measure beside flowc, when it is there: job scripts measure their task
  std::string dir_;
  uint64_t arrays_made_ = 0;
  std::map<std::string, Array> arrays_;  // by the array's job id
  std::deque<uint64_t> waiting_;         // not yet accepted by sbatch, in order
  std::vector<uint64_t> to_cancel_;      // scancel at the next collect()
  Clock::time_point next_submit_{};
  std::optional<Clock::time_point> burst_since_;  // sbatch calls since the last collect(): since when
  std::optional<Clock::time_point> unreachable_since_;
  std::string unreachable_why_;
  std::optional<slurm::PartitionShape> partition_;  // asked of sinfo once, for the first MPI task
};

}  // namespace flowc::runtime
