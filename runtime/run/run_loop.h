// The run loop's state and its steps, shared by the files that make it up
// (private to runtime/run/): the scheduling loop and the launch/finish
// path (run.cpp), container groups (container_groups.cpp), stream gangs
// (stream_gangs.cpp). `flowc run` enters it through run_workflow (run.h).
#pragma once

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "runtime/containers/container_launch.h"
#include "runtime/executors/executor.h"
#include "runtime/executors/make_executor.h"
#include "runtime/observe/monitor.h"
#include "runtime/run/events.h"
#include "runtime/run/identical_tasks.h"
#include "runtime/run/run.h"
#include "runtime/run/run_summary.h"
#include "runtime/run/signals.h"
#include "runtime/run/state_lock.h"
#include "runtime/run/targets.h"
#include "runtime/run/task_runner.h"
#include "runtime/scheduler/plan.h"
#include "runtime/store/store.h"
#include "runtime/streams/stream_tasks.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class RunLoop {
 public:
  RunLoop(const ir::Program& program, const ir::Workflow& workflow, const Value& inputs, const RunOptions& options,
          std::ostream& err)
      : program_(program), workflow_(workflow), inputs_(inputs), options_(options), err_(err) {}

  RunResult go();

 private:
  struct Running {
    TaskId id;
    Prepared prepared;
    int attempt;
    double started;
  };

  // go(), in its steps.
  RunResult refuse(const std::vector<std::string>& errors);
  std::optional<RunResult> open_state();
  std::optional<RunResult> choose_executor();
  std::optional<RunResult> plan_run();
  std::optional<RunResult> start_run();
  void begin_journal();
  // A no-op rerun told by the run's summary (up_to_date.cpp).
  bool may_summarize() const;
  std::string run_digest() const;
  std::optional<RunResult> replay_if_up_to_date();
  void ended_well(const Task& task, const std::string& key, const std::string& work_dir);
  void save_summary(const Value& published);
  void loop();
  bool ended_before_launch(TaskId id, const Prepared& prepared);
  void take_ready();
  Prepared prepare(TaskId id, bool reuse = true);
  void follow(TaskId id, const Prepared& prepared);
  void take_identical(TaskId id, const std::string& key, const IdenticalTasks::Result& result, bool reported);
  void launch_ready();
  bool launch(TaskId id, Prepared prepared, int attempt = 1);
  void reused(TaskId id, const Prepared& prepared);
  std::string who(const Task& task) const;
  std::string too_big(const Task& task, const Misfit& misfit) const;
  void take_group(uint32_t group);
  void start_groups();
  void group_settled(uint32_t group);
  bool announce(uint64_t handle, bool event);
  std::unique_ptr<Executor> new_executor(const ExecutorChoice& choice, std::vector<std::string>* errors) {
    return options_.make_executor ? options_.make_executor(choice, errors) : make_executor(choice, errors);
  }
  std::unique_ptr<Executor> route_by_op(std::unique_ptr<Executor> run_executor, std::vector<std::string>* errors);
  void announce_started();
  void journal_jobs();
  void handle(const Outcome& outcome);
  void launch_gang(TaskId first);
  void stream_task_ended(TaskId id, const Prepared& prepared, const Outcome& outcome, Judged& judged);
  void succeed(TaskId id, const Prepared& prepared, Value outputs, TaskState state, int attempt, double started,
               int exit_code);
  void fail(TaskId id, const Prepared& prepared, const std::string& error, TaskState state, int attempt, double started,
            int exit_code);
  void report_failure(const std::vector<TaskId>& tasks, const std::string& text);
  void drop_waiting();
  void interrupt(int signal);
  void settle_left_running();
  bool adopt(TaskId id, Prepared& prepared);
  void record(TaskId id, const Prepared& prepared, TaskState state, int attempt, double started, double finished,
              int exit_code, const std::string& error, const JobRef& ref = {});
  Counts counts() const;
  RunResult finish();
  std::string report_problems();
  void print_summary(const std::string& status, double seconds, size_t not_started, const Value& published, bool ok);

  const ir::Program& program_;
  const ir::Workflow& workflow_;
  const Value& inputs_;
  RunOptions options_;
  std::ostream& err_;

  fs::path state_;
  std::unique_ptr<StateLock> lock_;  // this run's, while it lasts
  std::unique_ptr<Store> store_;
  std::string run_id_;
  std::unique_ptr<EventLog> events_;
  std::unique_ptr<Targets> targets_;  // --until, --rerun
  std::unique_ptr<Plan> plan_;
  std::unique_ptr<ContainerLauncher> containers_;  // when ops run in images
  std::unique_ptr<TaskRunner> runner_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<observe::RunMonitor> progress_;  // the live line, or the plain log
  std::unique_ptr<streams::StreamTasks> streams_;
  streams::StreamOptions stream_options() const {
    streams::StreamOptions options{options_.registry, options_.stream_transport};
    // A batch executor may place the tasks of one stream on different nodes.
    options.across_nodes = options_.executor.name != "local";
    for (const auto& named : options_.op_executors) options.across_nodes |= named.first != "local";
    return options;
  }
  // What an output may pass on besides work dirs: the tasks' inputs, and
  // the files the program names itself (RunOptions::publishable).
  std::vector<std::string> publish_sources() const {
    std::vector<std::string> out = runner_->input_files();
    out.insert(out.end(), options_.publishable.begin(), options_.publishable.end());
    return out;
  }
  SignalWatch* signals_ = nullptr;                // while the loop runs
  std::map<uint32_t, std::string> failed_gangs_;  // gang → the task that failed first

  std::deque<TaskId> queue_;
  std::optional<std::pair<TaskId, Prepared>> held_;  // prepared, waiting for cpus or memory
  std::map<uint64_t, Running> running_;
  std::map<uint64_t, bool> unannounced_;         // submitted, not yet started by the executor → emit `started`
  IdenticalTasks identical_;                     // tasks of the same key: one runs, the others take its result
  std::set<std::string> reported_;               // tasks whose failure was printed as it happened
  std::map<std::string, LeftBehind> adoptable_;  // by cache key: jobs an earlier flowc left running
  // Container groups (Task::group): their tasks, prepared, run one after
  // another in the container the group shares.
  struct Waiting {
    TaskId id;
    Prepared prepared;
    int attempt;
  };
  struct Group {
    std::deque<Waiting> waiting;
    bool busy = false;     // one of its tasks runs
    uint32_t taken = 0;    // tasks taken from the queue so far
    uint32_t members = 0;  // at most this many will come
  };
  std::map<uint32_t, Group> groups_;
  Value usage_;                      // of the outcome being handled, for the journal
  std::map<uint64_t, JobRef> refs_;  // how each running task is known outside flowc (announced)
  JobRef ended_ref_;                 // that of the outcome being handled
  bool jobs_to_journal_ = false;     // batch jobs announced, not yet committed (journal_jobs)
  int jobs_ = 1;
  size_t ran_ = 0, cached_ = 0, failed_ = 0, cancelled_ = 0, retried_ = 0;
  int interrupted_ = 0;
  double start_time_ = 0;
  // The run's summary: what it depended on, and its tasks as they ended.
  RunWitness witness_;
  std::string digest_;  // when the run may have one
  struct DoneTask {
    TaskId id;  // to list them as a rerun meets them (plan order)
    std::string key;
    SummaryTask summary;
  };
  std::vector<DoneTask> done_;
};

}  // namespace flowc::runtime
