// Slurm's command-line tools as flowc uses them: submit with sbatch, ask
// about many jobs with ONE squeue, cancel many with one scancel, and what
// each job state means. No accounting database is assumed (sacct needs
// slurmdbd): squeue reports a finished job for MinJobAge seconds, and the
// job itself leaves its exit status in its work dir.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flowc::runtime {
struct Captured;
}  // namespace flowc::runtime

namespace flowc::runtime::slurm {

// Where Slurm's commands (sbatch, squeue, scancel, sinfo) run: the real
// tools, or a test's fake (the Slurm executor's state mapping is tested
// without Slurm: tests/runtime/slurm_states_test.cpp). Everything below
// runs its commands through it.
class Commands {
 public:
  virtual ~Commands() = default;
  // Runs `argv` (argv[0] found on PATH) with `env` (empty: flowc's own), at
  // most `timeout_seconds`.
  virtual Captured run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       double timeout_seconds) = 0;
};

// Runs Slurm's commands through `commands` while it lives (a test's fake);
// then the real tools again.
class UseCommands {
 public:
  explicit UseCommands(Commands& commands);
  ~UseCommands();
  UseCommands(const UseCommands&) = delete;
  UseCommands& operator=(const UseCommands&) = delete;

 private:
  Commands* previous_;
};

enum class State {
  Pending,      // PENDING, REQUEUED, SUSPENDED...: not running yet (or again)
  Running,      // RUNNING, CONFIGURING, COMPLETING...
  Completed,    // COMPLETED
  Failed,       // FAILED (a non-zero exit of the job script)
  Timeout,      // TIMEOUT, DEADLINE: its time limit
  Cancelled,    // CANCELLED (by flowc, or by someone with scancel)
  NodeFail,     // NODE_FAIL, BOOT_FAIL: the machine, not the task
  OutOfMemory,  // OUT_OF_MEMORY
  Preempted,    // PREEMPTED
};

State parse_state(const std::string& text);  // unknown words count as Running: wait and see
bool is_finished(State state);
// Why a pending job will never start, for people, when squeue's reason
// says so (PartitionConfig: more cpus, memory or gpus than the partition's
// nodes have; PartitionTimeLimit, BadConstraints, InvalidAccount,
// InvalidQOS); else nothing: it just waits.
std::optional<std::string> never_starts(const std::string& reason);

struct JobStatus {
  State state = State::Pending;
  std::string state_text;  // as Slurm wrote it
  std::string reason;      // squeue's %r: why it waits, or why it ended
  std::string nodes;       // squeue's %N: where it runs or ran ("node[1-2]"), empty while pending
};

// Slurm's answer about some jobs: those it still knows, by id (an array's
// elements by their own ids, "123_4"). Nothing, with
// `error` set, when Slurm did not answer (controller down, timeout).
std::optional<std::map<std::string, JobStatus>> query_jobs(const std::vector<std::string>& ids, std::string* error);

struct Submitted {
  std::string job_id;      // empty: refused
  std::string error;       // refused: sbatch's words
  bool transient = false;  // refused for now (a submit limit, a busy or unreachable controller): try again later
};

// sbatch ARGS SCRIPT, with `env` as the job's environment.
Submitted sbatch(const std::vector<std::string>& args, const std::string& script, const std::vector<std::string>& env);

// One scancel for all of them (nothing if empty). False if it failed.
bool scancel(const std::vector<std::string>& ids, std::string* error = nullptr);

// The nodes of a partition and their CPUs, as sinfo tells (0: it did not).
struct PartitionShape {
  int nodes = 0;
  int64_t cpus = 0;  // of all its nodes together
  int largest = 0;   // the most CPUs one node has
};
PartitionShape partition_shape(const std::string& partition);  // empty: the default partition

// sbatch options placing an MPI job of `ranks` ranks of `cpus_per_rank` on
// `shape`: none when its nodes have the CPUs (Slurm spreads the ranks over
// as many nodes as it takes); when they have too few, --overcommit (without
// it the job never starts) and --nodes with every node of the partition, so
// the ranks still spread over all of them (with --overcommit alone Slurm
// gives the job one CPU of one node, and every rank runs there).
std::vector<std::string> mpi_placement_args(int ranks, int cpus_per_rank, const PartitionShape& shape);

// Does sbatch's complaint mean "not now" rather than "never"?
bool is_transient_refusal(const std::string& sbatch_stderr);

}  // namespace flowc::runtime::slurm
