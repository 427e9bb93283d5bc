// The run loop: the plan says what is ready, the task runner prepares it
// (or finds it cached), the executor runs it, and what happened goes back to
// the plan, the journal and the event log.
#include "runtime/run/run.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "runtime/containers/preflight.h"
#include "runtime/executors/make_executor.h"
#include "runtime/executors/router/router_executor.h"
#include "runtime/files/disk.h"
#include "runtime/files/interrupt.h"
#include "runtime/run/events.h"
#include "runtime/run/identical_tasks.h"
#include "runtime/run/signals.h"
#include "runtime/run/state_lock.h"
#include "runtime/run/task_runner.h"
#include "runtime/scheduler/plan.h"
#include "runtime/store/store.h"
#include "runtime/streams/stream_tasks.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class Run {
 public:
  Run(const ir::Program& program, const ir::Workflow& workflow, const Value& inputs, const RunOptions& options,
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

  void take_ready();
  Prepared prepare(TaskId id, bool reuse = true);
  void follow(TaskId id, const Prepared& prepared);
  void take_identical(TaskId id, const std::string& key, const IdenticalTasks::Result& result, bool reported);
  void launch_ready();
  bool launch(TaskId id, Prepared prepared, int attempt = 1);
  void reused(TaskId id, const Prepared& prepared);
  std::string who(const Task& task) const;
  std::string too_big(const Task& task, const std::string& why) const;
  void take_group(uint32_t group);
  void start_groups();
  void group_settled(uint32_t group);
  bool announce(uint64_t handle, bool event);
  std::unique_ptr<Executor> route_by_op(std::unique_ptr<Executor> run_executor, std::vector<std::string>* errors);
  void announce_started();
  void handle(const Outcome& outcome);
  void launch_gang(TaskId first);
  void stream_task_ended(TaskId id, const Prepared& prepared, const Outcome& outcome, Judged& judged);
  void succeed(TaskId id, const Prepared& prepared, Value outputs, const std::string& state, int attempt,
               double started, int exit_code);
  void fail(TaskId id, const Prepared& prepared, const std::string& error, const std::string& state, int attempt,
            double started, int exit_code);
  void report_failure(const std::vector<TaskId>& tasks, const std::string& text);
  void drop_waiting();
  void interrupt(int signal);
  void settle_left_running();
  bool adopt(TaskId id, Prepared& prepared);
  void record(TaskId id, const Prepared& prepared, const std::string& state, int attempt, double started,
              double finished, int exit_code, const std::string& error, const JobRef& ref = {});
  Counts counts() const;
  RunResult finish();
  RunResult dry_run();

  const ir::Program& program_;
  const ir::Workflow& workflow_;
  const Value& inputs_;
  RunOptions options_;
  std::ostream& err_;

  fs::path state_;
  std::unique_ptr<Store> store_;
  std::string run_id_;
  std::unique_ptr<EventLog> events_;
  std::unique_ptr<Plan> plan_;
  std::unique_ptr<ContainerLauncher> containers_;  // when ops run in images
  std::unique_ptr<TaskRunner> runner_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<ProgressLine> progress_;
  std::unique_ptr<streams::StreamTasks> streams_;
  std::map<uint32_t, std::string> failed_gangs_;  // gang → the task that failed first

  std::deque<TaskId> queue_;
  std::optional<std::pair<TaskId, Prepared>> held_;  // prepared, waiting for cpus or memory
  std::map<uint64_t, Running> running_;
  std::map<uint64_t, bool> unannounced_;  // submitted, not yet started by the executor → emit `started`
  IdenticalTasks identical_;  // tasks of the same key: one runs, the others take its result
  std::set<std::string> reported_;  // tasks whose failure was printed as it happened
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
    bool busy = false;      // one of its tasks runs
    uint32_t taken = 0;     // tasks taken from the queue so far
    uint32_t members = 0;   // at most this many will come
  };
  std::map<uint32_t, Group> groups_;
  int jobs_ = 1;
  size_t ran_ = 0, cached_ = 0, failed_ = 0, cancelled_ = 0, retried_ = 0;
  int interrupted_ = 0;
  double start_time_ = 0;
};

RunResult Run::go() {
  start_time_ = now_seconds();
  state_ = fs::absolute(options_.state_dir).lexically_normal();
  std::error_code ec;
  fs::create_directories(state_ / "work", ec);
  fs::create_directories(state_ / "runs", ec);
  if (ec) {
    std::string why = not_writable_text(state_, ec.value());
    if (why.empty()) {
      why = fmt::format("cannot create `{}`: {}", state_.string(), files::io_error_text(ec.value(), state_));
    }
    err_ << "flowc: error: " << why << "\n";
    return {2, ""};
  }
  StateLock lock(state_);
  if (!lock.locked()) {
    err_ << "flowc: error: " << lock.problem() << "\n";
    return {2, ""};
  }
  try {
    store_ = Store::open((state_ / "flow.db").string());
  } catch (const StoreError& e) {
    err_ << "flowc: error: " << e.what() << "\n";
    return {2, ""};
  }

  std::vector<std::string> errors;
  ExecutorChoice choice = options_.executor;
  choice.state_dir = state_.string();
  executor_ = make_executor(choice, &errors);
  if (executor_) executor_ = route_by_op(std::move(executor_), &errors);
  if (!executor_) {
    for (const std::string& e : errors) err_ << "flowc: error: " << e << "\n";
    err_ << "flowc: nothing was run\n";
    return {2, ""};
  }
  jobs_ = options_.jobs > 0 ? options_.jobs : executor_->default_jobs();

  plan_ = std::make_unique<Plan>(program_, workflow_, inputs_,
                                 PlanOptions{options_.keep_going, options_.max_depth, options_.container_group});
  if (options_.dry_run) return dry_run();

  streams::StreamOptions stream_options{options_.registry, options_.stream_transport};
  if (streams::uses_streams(program_)) {
    if (std::string why = streams::check_streams(stream_options); !why.empty()) {
      err_ << "flowc: error: " << why << "\nflowc: nothing was run\n";
      return {2, ""};
    }
  }

  try {
    settle_left_running();
    // Containers: the engine and images checked before anything starts;
    // each image's probe before its first task (runtime/containers/).
    auto containers = prepare_containers(program_, workflow_, options_.container_engine, state_.string());
    if (auto* e = std::get_if<PreflightError>(&containers)) {
      err_ << "flowc: error: " << e->message << "\nflowc: nothing was run\n";
      return {2, ""};
    }
    containers_ = std::move(std::get<std::unique_ptr<ContainerLauncher>>(containers));
    run_id_ = store_->begin_run({{"workflow", workflow_.id},
                                 {"source", program_.files.empty() ? "" : program_.files[0]},
                                 {"inputs", inputs_},
                                 {"cwd", fs::current_path().string()}});
    fs::path run_dir = state_ / "runs" / run_id_;
    fs::create_directories(run_dir, ec);
    events_ = std::make_unique<EventLog>((run_dir / "events.jsonl").string(), options_.json_events);
    events_->emit("run_started", {{"run_id", run_id_}, {"workflow", workflow_.id}, {"inputs", inputs_}});
    runner_ = std::make_unique<TaskRunner>(program_, *store_, (state_ / "work").string(), options_.fresh);
    for (const auto& [key, left] : adoptable_) runner_->adopt(key);
    if (containers_) {
      containers_->set_run(run_id_);
      runner_->use_containers(containers_.get());
    }
    streams_ = std::make_unique<streams::StreamTasks>(stream_options, run_id_, run_dir);
    progress_ = std::make_unique<ProgressLine>(options_.progress && !options_.json_events);
    SignalWatch signals;

    auto last_flush = Clock::now();
    take_ready();
    while (true) {
      launch_ready();
      executor_->flush();  // what launch_ready() submitted, together
      announce_started();
      if (plan_->finished() && running_.empty()) break;
      bool group_waits = std::any_of(groups_.begin(), groups_.end(), [](const auto& g) { return !g.second.waiting.empty(); });
      if (running_.empty() && queue_.empty() && !held_ && !group_waits) {
        // Nothing runs and nothing can start: the plan is waiting for
        // nothing. (Cannot happen unless the IR is inconsistent.)
        break;
      }
      // Wait for a child, a signal, a deadline, or the next redraw.
      auto wait = std::chrono::milliseconds(200);
      if (auto deadline = executor_->next_deadline()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
        wait = std::max(std::chrono::milliseconds(0), std::min(wait, until + std::chrono::milliseconds(1)));
      }
      SignalWatch::Events e = signals.wait(wait);
      if (e.interrupt) interrupt(e.interrupt);
      if (!executor_) break;  // stopped at once (a second Ctrl-C)
      for (const Outcome& o : executor_->collect()) handle(o);
      announce_started();
      take_ready();
      progress_->update(counts());
      if (Clock::now() - last_flush > std::chrono::milliseconds(200)) {
        store_->flush();
        events_->flush();
        last_flush = Clock::now();
      }
    }
    // A signal that came as the last task ended (it may have stopped that
    // task's checks) is obeyed as if it came during the run.
    if (SignalWatch::Events e = signals.wait(std::chrono::milliseconds(0)); e.interrupt && !interrupted_) {
      interrupt(e.interrupt);
    }
    RunResult result = finish();
    // One during finish() (publishing) was obeyed there: it must not end
    // flowc by its default action once the signals are unblocked.
    signals.wait(std::chrono::milliseconds(0));
    return result;
  } catch (const StoreError& e) {
    if (progress_) progress_->clear();
    // Never carry on without a journal: the next run would redo work.
    err_ << "flowc: error: the run's journal could not be written: " << e.what() << "\n";
    if (executor_) {
      for (auto& [handle, r] : running_) executor_->cancel(handle);
    }
    return {1, run_id_};
  }
}

// An op's own `executor "..."` clause is followed: when ops name executors
// other than the run's, a router sends each task to its op's, made by the
// factory with the profile's settings for it.
std::unique_ptr<Executor> Run::route_by_op(std::unique_ptr<Executor> run_executor, std::vector<std::string>* errors) {
  std::vector<std::unique_ptr<Executor>> executors;
  executors.push_back(std::move(run_executor));
  for (const ir::Op& op : program_.ops) {
    if (!op.executor || *op.executor == executors[0]->name()) continue;
    bool made = false;
    for (const auto& e : executors) made = made || e->name() == *op.executor;
    if (made) continue;
    auto it = options_.op_executors.find(*op.executor);
    ExecutorChoice choice = it != options_.op_executors.end() ? it->second : ExecutorChoice{*op.executor};
    choice.state_dir = state_.string();
    std::vector<std::string> mistakes;
    auto executor = make_executor(choice, &mistakes);
    for (const std::string& m : mistakes) {
      errors->push_back(fmt::format("op `{}` ({}) asks for executor `{}`: {}", op.name, program_.where(op.loc),
                                    *op.executor, m));
    }
    if (!executor) return nullptr;
    executors.push_back(std::move(executor));
  }
  if (executors.size() == 1) return std::move(executors[0]);
  return std::make_unique<RouterExecutor>(std::move(executors));
}

// Tasks a killed flowc left running would race the new run for their work
// dirs. The executor stops each one, or keeps it to adopt: a batch job that
// finished meanwhile (or still runs) is followed, not submitted again.
void Run::settle_left_running() {
  // Runs whose flowc was killed: what they started and never journaled is
  // found another way (Executor::stop_strays), and they are marked killed.
  std::vector<std::string> killed = store_->unfinished_runs();
  if (!killed.empty()) executor_->stop_strays();
  for (const std::string& run : killed) store_->finish_run(run, "killed");
  std::vector<TaskRecord> left = store_->left_running("");
  std::vector<LeftBehind> behind;
  for (const TaskRecord& t : left) behind.push_back({JobRef{t.pid, t.pid_start, t.job}, t.work_dir});
  std::vector<bool> kept = executor_->settle(behind);
  for (size_t i = 0; i < left.size(); ++i) {
    TaskRecord& t = left[i];
    if (kept[i] && !t.key.empty()) {
      adoptable_[t.key] = behind[i];
    }
    t.state = "cancelled";
    t.error = kept[i] ? "flowc stopped while it ran; the next run adopted it" : "flowc stopped while it ran";
    t.pid = 0;
    t.job.clear();
    store_->record_task(t);
  }
  store_->flush();
}

// A task whose job an earlier flowc left: follow that job.
bool Run::adopt(TaskId id, Prepared& prepared) {
  auto it = adoptable_.find(prepared.key);
  if (it == adoptable_.end()) return false;
  LeftBehind left = it->second;
  adoptable_.erase(it);
  const Task& task = plan_->task(id);
  prepared.spec.job_name = task.path;
  prepared.spec.work_dir = prepared.work_dir;
  uint64_t handle = executor_->adopt(left, prepared.spec);
  double started = now_seconds();
  events_->emit("adopted", {{"task", task.path}, {"op", task.op->id}, {"job", left.ref.job}, {"work_dir", prepared.work_dir}});
  record(id, prepared, "running", 1, started, 0, -1, "", executor_->job_ref(handle));
  running_.emplace(handle, Running{id, std::move(prepared), 1, started});
  return true;
}

void Run::take_ready() {
  for (TaskId id : plan_->take_ready()) {
    queue_.push_back(id);
  }
}

// Every task is prepared here. The task runner keeps identical tasks (the
// same key) apart: the first to get past reuse leads the key, and the
// others are answered Identical without their work dir (the leader's) being
// touched; they wait for it (follow).
Prepared Run::prepare(TaskId id, bool reuse) {
  const Task& task = plan_->task(id);
  Prepared p = runner_->prepare(task, reuse);
  bool leads = p.kind == Prepared::Launch || p.kind == Prepared::Adopt || (p.kind == Prepared::Failed && !p.key.empty());
  if (leads) identical_.lead(p.key, id, task.path);
  return p;
}

// A task identical to one of this run waits for it, or takes what became of it.
void Run::follow(TaskId id, const Prepared& prepared) {
  const IdenticalTasks::Result* result = identical_.follow(prepared.key, id);
  if (!result) {
    Prepared alone;  // without the key, so that the leader's record is left alone
    alone.work_dir = prepared.work_dir;
    fail(id, alone,
         fmt::format("{}: flowc lost track of the task `{}` it is identical to (a bug; please report it)",
                     who(plan_->task(id)), prepared.leader),
         "failed", 0, now_seconds(), -1);
    return;
  }
  if (std::holds_alternative<IdenticalTasks::Running>(*result)) return;  // told when it ends
  take_identical(id, prepared.key, *result, /*reported=*/false);
}

// A task identical to another of this run (the same op and inputs) takes
// its outputs, or its failure (`reported`: printed with the other's).
void Run::take_identical(TaskId id, const std::string& key, const IdenticalTasks::Result& result, bool reported) {
  const Task& task = plan_->task(id);
  Prepared p;
  p.kind = Prepared::Identical;
  p.key = key;
  p.leader = identical_.leader(key);
  double now = now_seconds();
  if (const auto* done = std::get_if<IdenticalTasks::Succeeded>(&result)) {
    p.work_dir = done->work_dir;
    p.manifest = done->manifest;
    ++cached_;
    record(id, p, "cached", 0, now, now, 0, "");
    events_->emit("cached",
                  {{"task", task.path}, {"op", task.op->id}, {"work_dir", p.work_dir}, {"identical_to", p.leader}});
    plan_->succeeded(id, done->outputs);
    plan_->forget(id);
    take_ready();
    return;
  }
  const auto& ended = std::get<IdenticalTasks::Ended>(result);
  p.work_dir = ended.work_dir;
  p.manifest = ended.manifest.is_object() ? ended.manifest : Value::object();
  std::string error = fmt::format("{} is the same task as `{}` (the same op and inputs), which {}:\n  {}", who(task),
                                  p.leader, ended.state == "failed" ? "failed" : "was stopped", ended.error);
  if (ended.state == "failed") ++failed_;
  if (ended.state == "cancelled") ++cancelled_;
  record(id, p, ended.state, 0, now, now, -1, error);
  events_->emit(ended.state, {{"task", task.path},
                              {"op", task.op->id},
                              {"exit_code", -1},
                              {"error", error},
                              {"work_dir", p.work_dir},
                              {"identical_to", p.leader}});
  if (!reported && ended.state == "failed") {
    report_failure({id}, fmt::format("{} is the same task as `{}` (the same op and inputs), which failed (above)",
                                     who(task), p.leader));
  }
  reported_.insert(task.path);
  plan_->failed(id, error);
}

void Run::launch_ready() {
  start_groups();
  // A pending Ctrl-C is read by the loop's next wait: start nothing more.
  while (!interrupted_ && !files::interrupt_pending()) {
    if (held_) {
      auto& [id, prepared] = *held_;
      if (!executor_->has_room(prepared.spec)) return;
      if (static_cast<int>(running_.size()) >= jobs_) return;
      auto held = std::move(*held_);
      held_.reset();
      launch(held.first, std::move(held.second));
      continue;
    }
    if (queue_.empty() || static_cast<int>(running_.size()) >= jobs_) return;
    TaskId id = queue_.front();
    if (plan_->task(id).gang) {
      launch_gang(id);  // a stream gang starts whole, whatever the limits
      continue;
    }
    if (uint32_t group = plan_->task(id).group; group && containers_) {
      take_group(group);
      start_groups();
      continue;
    }
    queue_.pop_front();
    const Task& task = plan_->task(id);
    Prepared prepared = prepare(id);
    if (prepared.kind == Prepared::Failed && files::interrupt_pending()) {
      queue_.push_front(id);  // hashing its inputs was interrupted: not its failure
      return;
    }
    switch (prepared.kind) {
      case Prepared::Cached:
        reused(id, prepared);
        break;
      case Prepared::Identical:
        follow(id, prepared);
        break;
      case Prepared::Failed:
        fail(id, prepared, fmt::format("{}: {}", who(task), prepared.error), "failed", 0, now_seconds(), -1);
        break;
      case Prepared::Adopt:
        if (adopt(id, prepared)) break;
        runner_->reset_work_dir(prepared, &prepared.error);  // nothing to adopt after all: run it afresh
        queue_.push_front(id);
        break;
      case Prepared::Launch: {
        if (auto why = executor_->never_fits(prepared.spec)) {
          fail(id, prepared, too_big(task, *why), "failed", 0,
               now_seconds(), -1);
          break;
        }
        if (!executor_->has_room(prepared.spec)) {
          held_ = std::make_pair(id, std::move(prepared));
          return;
        }
        launch(id, std::move(prepared));
        break;
      }
    }
  }
}

// How an error names a task: its op, its path in the run and its call's
// file:line:col.
std::string Run::who(const Task& task) const {
  return fmt::format("op `{}` at {} ({})", task.op->name, task.path, program_.where(task.call_loc));
}

// A task that can never fit this executor: it fails before it starts.
std::string Run::too_big(const Task& task, const std::string& why) const {
  bool advised = why.find("--executor") != std::string::npos;  // the executor said where it would fit
  return fmt::format("{} {}{}", who(task), why,
                     advised ? "" : "; lower its `resources`, or run it where it fits (--executor slurm)");
}

void Run::reused(TaskId id, const Prepared& prepared) {
  const Task& task = plan_->task(id);
  ++cached_;
  record(id, prepared, "cached", 0, now_seconds(), now_seconds(), 0, "");
  events_->emit("cached", {{"task", task.path}, {"op", task.op->id}, {"work_dir", prepared.work_dir}});
  plan_->succeeded(id, prepared.outputs);
  plan_->forget(id);
  take_ready();
}

// Takes every queued task of `group` and prepares it: whatever is cached is
// reused now, the rest waits for its turn in the group's container. Taking
// them together lets that container mount all their work dirs.
void Run::take_group(uint32_t group) {
  std::vector<TaskId> members;
  std::erase_if(queue_, [&](TaskId id) {
    if (plan_->task(id).group != group) return false;
    members.push_back(id);
    return true;
  });
  Group& g = groups_[group];
  for (TaskId id : members) {
    const Task& task = plan_->task(id);
    ++g.taken;
    g.members = task.group_members;
    Prepared prepared = prepare(id);
    if (prepared.kind == Prepared::Adopt && !adopt(id, prepared)) {
      runner_->reset_work_dir(prepared, &prepared.error);  // nothing to adopt after all: run it afresh
      prepared = prepare(id);
    }
    switch (prepared.kind) {
      case Prepared::Cached: reused(id, prepared); break;
      case Prepared::Identical: follow(id, prepared); break;
      case Prepared::Failed:
        fail(id, prepared, fmt::format("{}: {}", who(task), prepared.error), "failed", 0, now_seconds(), -1);
        break;
      case Prepared::Adopt: break;  // followed like any task
      case Prepared::Launch:
        if (auto why = executor_->never_fits(prepared.spec)) {
          fail(id, prepared, too_big(task, *why), "failed", 0,
               now_seconds(), -1);
        } else {
          g.waiting.push_back(Waiting{id, std::move(prepared), 1});
        }
        break;
    }
  }
  group_settled(group);
}

// Starts the next task of each group that has none running, in the
// group's container.
void Run::start_groups() {
  for (auto it = groups_.begin(); it != groups_.end() && !interrupted_;) {
    uint32_t group = it->first;
    Group& g = it->second;
    ++it;  // group_settled may erase this group
    if (g.busy || g.waiting.empty()) continue;
    if (static_cast<int>(running_.size()) >= jobs_) return;
    if (!executor_->has_room(g.waiting.front().prepared.spec)) continue;
    Waiting next = std::move(g.waiting.front());
    g.waiting.pop_front();
    std::vector<const ContainerRequest*> upcoming;
    for (const Waiting& w : g.waiting) {
      if (w.prepared.container) upcoming.push_back(&*w.prepared.container);
    }
    std::string error;
    if (!containers_->wrap_shared(group, next.prepared.spec, *next.prepared.container, upcoming, &error)) {
      const Task& task = plan_->task(next.id);
      fail(next.id, next.prepared,
           fmt::format("{} could not start: {}\n  work dir: {}", who(task), error, next.prepared.work_dir),
           "failed", next.attempt, now_seconds(), -1);
      group_settled(group);
      continue;
    }
    g.busy = true;
    launch(next.id, std::move(next.prepared), next.attempt);
  }
}

// A group whose tasks have all come and gone ends its container.
void Run::group_settled(uint32_t group) {
  auto it = groups_.find(group);
  if (it == groups_.end()) return;
  const Group& g = it->second;
  if (g.busy || !g.waiting.empty() || g.taken < g.members) return;
  containers_->end_shared(group);
  groups_.erase(it);
}

bool Run::launch(TaskId id, Prepared prepared, int attempt) {
  uint64_t handle = executor_->submit(prepared.spec);
  double started = now_seconds();
  running_.emplace(handle, Running{id, std::move(prepared), attempt, started});
  if (!announce(handle, /*event=*/true)) {
    // Kept by the executor until flush() (or its submission rate): journaled
    // as running now, announced with its job once it has one.
    const Running& r = running_.at(handle);
    record(id, r.prepared, "running", attempt, started, 0, -1, "");
    unannounced_[handle] = true;
  }
  return true;
}

// Emits `started` (unless `event` is false: a retry) and journals how the
// task is known outside flowc (a process group, a batch job), so a later run
// can stop or adopt it if this flowc dies while it runs. False while the
// executor has not started the task yet.
bool Run::announce(uint64_t handle, bool event) {
  auto it = running_.find(handle);
  if (it == running_.end()) return true;  // over already
  JobRef ref = executor_->job_ref(handle);
  if (ref.pid == 0 && ref.job.empty()) return false;
  const Running& r = it->second;
  const Task& task = plan_->task(r.id);
  if (event) {
    Value started_event = {
        {"task", task.path}, {"op", task.op->id}, {"attempt", r.attempt}, {"work_dir", r.prepared.work_dir}};
    if (!ref.job.empty()) started_event["job"] = ref.job;
    events_->emit("started", started_event);
  }
  record(r.id, r.prepared, "running", r.attempt, r.started, 0, -1, "", ref);
  // A batch job outlives flowc: journal it at once, so a rerun adopts it
  // rather than submitting it again beside it.
  if (!ref.job.empty()) store_->flush();
  return true;
}

// Tasks the executor has started since they were submitted (after flush(),
// or within its submission rate).
void Run::announce_started() {
  for (auto it = unannounced_.begin(); it != unannounced_.end();) {
    if (announce(it->first, it->second)) {
      it = unannounced_.erase(it);
    } else {
      ++it;
    }
  }
}

void Run::handle(const Outcome& outcome) {
  auto it = running_.find(outcome.handle);
  if (it == running_.end()) return;
  Running r = std::move(it->second);
  running_.erase(it);
  const Task& task = plan_->task(r.id);
  Judged judged = runner_->finish(task, r.prepared, outcome);
  if (task.gang) stream_task_ended(r.id, r.prepared, outcome, judged);
  uint32_t group = r.prepared.container ? task.group : 0;
  if (group) {
    groups_[group].busy = false;
    // Stopped (timeout, Ctrl-C) or killed: its stop command removed the
    // container, and the group's next task gets a new one.
    if (outcome.how != Outcome::How::Exited) containers_->end_shared(group);
  }
  if (judged.ok) {
    ++ran_;
    succeed(r.id, r.prepared, judged.outputs, "succeeded", r.attempt, r.started, outcome.exit_code);
    group_settled(group);
    return;
  }
  // `attempts` counts every try, the first included.
  if (judged.transient && r.attempt < task.op->retry.attempts && !interrupted_) {
    ++retried_;
    events_->emit("retrying", {{"task", task.path}, {"attempt", r.attempt + 1}, {"error", judged.error}});
    // The same work dir (it is named by the key), emptied, with the command written anew.
    Prepared again = prepare(r.id);
    if (again.kind == Prepared::Launch && group && again.container) {
      groups_[group].waiting.push_front(Waiting{r.id, std::move(again), r.attempt + 1});  // its turn again, first
      return;
    }
    if (again.kind == Prepared::Launch) {
      launch(r.id, std::move(again), r.attempt + 1);
      executor_->flush();  // a retry goes alone, not batched with others
      return;
    }
  }
  // Interrupted while its outputs were checked: cancelled, not failed.
  bool cancelled = outcome.how == Outcome::How::Cancelled || files::interrupt_pending();
  std::string state = cancelled ? "cancelled" : "failed";
  fail(r.id, r.prepared, judged.error, state, r.attempt, r.started, outcome.exit_code);
  group_settled(group);
}

// A stream gang: reused only whole, launched whole (runtime/streams).
void Run::launch_gang(TaskId first) {
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
      record(members[i], prepared[i], "cached", 0, now_seconds(), now_seconds(), 0, "");
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
      if (std::string e = streams_->wrap(task, prepared[i]); !e.empty()) why = task.path + ": " + e;
    }
  }
  if (!why.empty()) {
    for (size_t i = 0; i < members.size(); ++i) {
      const Task& task = plan_->task(members[i]);
      fail(members[i], prepared[i],
           fmt::format("{} could not start with its stream: {}", who(task), why),
           "failed", 0, now_seconds(), -1);
    }
    return;
  }
  for (size_t i = 0; i < members.size(); ++i) launch(members[i], std::move(prepared[i]));
}

// A stream task ended: its counts as events; if it failed, the rest of its
// gang is stopped (their streams cannot end well) and says why.
void Run::stream_task_ended(TaskId id, const Prepared& prepared, const Outcome& outcome, Judged& judged) {
  const Task& task = plan_->task(id);
  for (Value& s : streams_->stats(prepared)) {
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

void Run::succeed(TaskId id, const Prepared& prepared, Value outputs, const std::string& state, int attempt,
                  double started, int exit_code) {
  const Task& task = plan_->task(id);
  double finished = now_seconds();
  record(id, prepared, state, attempt, started, finished, exit_code, "");
  events_->emit("finished", {{"task", task.path},
                             {"op", task.op->id},
                             {"exit_code", exit_code},
                             {"seconds", finished - started},
                             {"work_dir", prepared.work_dir}});
  IdenticalTasks::Result result = IdenticalTasks::Succeeded{outputs, prepared.work_dir, prepared.manifest};
  std::vector<TaskId> followers = identical_.ended(prepared.key, id, result);
  plan_->succeeded(id, std::move(outputs));
  plan_->forget(id);
  for (TaskId other : followers) take_identical(other, prepared.key, result, false);
}

void Run::fail(TaskId id, const Prepared& prepared, const std::string& error, const std::string& state, int attempt,
               double started, int exit_code) {
  const Task& task = plan_->task(id);
  // Identical tasks waiting for this one fail with it, in one report.
  std::vector<TaskId> followers;
  IdenticalTasks::Result result = IdenticalTasks::Ended{state, error, prepared.work_dir, prepared.manifest};
  if (!prepared.key.empty()) followers = identical_.ended(prepared.key, id, result);
  std::string text = error;
  if (!followers.empty()) {
    std::vector<std::string> paths;
    for (TaskId other : followers) paths.push_back(plan_->task(other).path);
    text += fmt::format("\n  the same task (same op and inputs) is also called at {}, which {} with it",
                        fmt::join(paths, ", "), state == "failed" ? "failed" : "stopped");
  }
  if (state == "failed") ++failed_;
  if (state == "cancelled") ++cancelled_;
  record(id, prepared, state, attempt, started, now_seconds(), exit_code, error);
  events_->emit(state, {{"task", task.path},
                        {"op", task.op->id},
                        {"exit_code", exit_code},
                        {"error", error},
                        {"work_dir", prepared.work_dir}});
  std::vector<TaskId> all = {id};
  all.insert(all.end(), followers.begin(), followers.end());
  if (state == "failed") report_failure(all, text);
  for (TaskId t : all) reported_.insert(plan_->task(t).path);
  plan_->failed(id, error);
  for (TaskId other : followers) take_identical(other, prepared.key, result, true);
  // The engine cannot run the image at all: nothing more may start.
  if (containers_ && containers_->broken()) plan_->stop();
  // A failure that stops the run (not --keep-going, nothing tolerates it)
  // stops new work: tasks ready but not started stay so.
  if (plan_->stopping()) drop_waiting();
}

// Forgets the tasks that are ready but not started (they are "not started").
void Run::drop_waiting() {
  queue_.clear();
  held_.reset();
  for (auto& [group, g] : groups_) g.waiting.clear();
}

// Prints a failure as it happens, once for a task and the identical tasks
// that share it: an error, or a warning when the run goes on without their
// outputs (an optional call, a `for` that can do without the item), saying why.
void Run::report_failure(const std::vector<TaskId>& tasks, const std::string& text) {
  std::vector<std::string> tolerated;
  bool fatal = false;
  for (TaskId t : tasks) {
    auto tolerance = plan_->tolerance(t);
    if (tolerance) {
      tolerated.push_back(tolerance->why);
      reported_.insert(tolerance->absent);  // explained here: no note about it at the end
    }
    fatal = fatal || !tolerance;
  }
  if (options_.json_events) return;
  progress_->clear();
  err_ << fmt::format("flowc: {}: {}\n", fatal ? "error" : "warning", text);
  for (const std::string& why : tolerated) err_ << fmt::format("  {}\n", why);
}

void Run::interrupt(int signal) {
  if (interrupted_) {
    // A second Ctrl-C: stop at once.
    progress_->clear();
    err_ << "flowc: stopping now\n";
    executor_.reset();  // stops everything it still runs (process groups, jobs); the loop ends
    for (auto& [handle, r] : running_) {
      fail(r.id, r.prepared, "stopped at once (interrupted twice)", "cancelled", r.attempt, r.started, -1);
    }
    running_.clear();
    return;
  }
  interrupted_ = signal;
  progress_->clear();
  err_ << fmt::format("flowc: {} received: stopping {} running task{} (Ctrl-C again to kill at once)\n",
                      signal == SIGINT ? "interrupt" : "terminate", running_.size(), running_.size() == 1 ? "" : "s");
  events_->emit("interrupted", {{"signal", signal}});
  plan_->stop();
  drop_waiting();
  for (auto& [handle, r] : running_) executor_->cancel(handle);
}

void Run::record(TaskId id, const Prepared& prepared, const std::string& state, int attempt, double started,
                 double finished, int exit_code, const std::string& error, const JobRef& ref) {
  const Task& task = plan_->task(id);
  TaskRecord t;
  t.run_id = run_id_;
  t.path = task.path;
  t.key = prepared.key;
  t.op = task.op->id;
  t.state = state;
  t.exit_code = exit_code;
  t.work_dir = prepared.work_dir;
  t.started = started;
  t.finished = finished;
  t.attempt = attempt;
  t.error = error;
  t.manifest = prepared.manifest;
  if (!prepared.cache_miss.empty() && t.manifest.is_object()) t.manifest["cache_miss"] = prepared.cache_miss;
  if (!prepared.leader.empty() && t.manifest.is_object()) t.manifest["identical_to"] = prepared.leader;
  t.pid = ref.pid;
  t.pid_start = ref.pid_start;
  t.job = ref.job;
  store_->record_task(t);
}

Counts Run::counts() const {
  Counts c;
  c.done = ran_ + cached_;
  c.cached = cached_;
  c.running = running_.size();
  c.waiting = queue_.size() + (held_ ? 1 : 0);
  for (const auto& [group, g] : groups_) c.waiting += g.waiting.size();
  c.failed = failed_;
  c.retrying = retried_;
  return c;
}

RunResult Run::finish() {
  progress_->clear();
  // Containers of groups whose last items never came (a failure upstream).
  for (const auto& [group, g] : groups_) {
    if (containers_) containers_->end_shared(group);
  }
  groups_.clear();
  double seconds = now_seconds() - start_time_;
  std::string status = interrupted_ ? "cancelled" : plan_->ok() ? "succeeded" : "failed";
  RunResult result{interrupted_ ? 130 : plan_->ok() ? 0 : 1, run_id_};

  // What the plan found wrong beyond the failures printed as they
  // happened (a `for` left with too few items, an expression that could
  // not be evaluated: `read_lines` of a missing file), and the absent items
  // not already explained. A step that failed without a task is also the
  // run's `error` in its last event.
  std::string run_error;
  for (const Problem& p : plan_->problems()) {
    if (reported_.count(p.path)) continue;
    if (p.kind == Problem::Failed && !p.consequence && !interrupted_) {
      std::string text = fmt::format("{} ({}): {}", p.path, program_.where(p.loc), p.message);
      err_ << "flowc: error: " << text << "\n";
      if (run_error.empty()) run_error = text;
    } else if (p.kind == Problem::Absent) {
      err_ << fmt::format("flowc: note: {} is absent: {}\n", p.path, p.message);
    }
  }

  Value published;
  std::string publish_error;
  if (plan_->ok()) {
    auto out = publish_outputs(workflow_, plan_->outputs(), options_.outdir, options_.publish,
                               PublishSources{(state_ / "work").string(), runner_->input_files()}, &publish_error);
    if (!out) {
      err_ << "flowc: error: " << publish_error << "\n";
      // Every task's result is kept: a rerun publishes without running any.
      bool stopped = files::interrupt_pending();
      status = stopped ? "cancelled" : "failed";
      result.exit_code = stopped ? 130 : 1;
    } else {
      published = *out;
    }
  }
  // Every task the plan made: what became of it. Those it made that never
  // started (a failure or Ctrl-C stopped the run first) are "not started".
  size_t ended = ran_ + cached_ + failed_ + cancelled_;
  size_t not_started = plan_->tasks_made() > ended ? plan_->tasks_made() - ended : 0;
  Value finished_event = {{"run_id", run_id_},
                          {"status", status},
                          {"seconds", seconds},
                          {"tasks", ended + not_started},
                          {"ran", ran_},
                          {"cached", cached_},
                          {"failed", failed_},
                          {"cancelled", cancelled_},
                          {"not_started", not_started},
                          {"outputs", published}};
  // A run that failed with no failed task failed elsewhere: say where.
  if (!publish_error.empty()) run_error = publish_error;
  if (!run_error.empty()) finished_event["error"] = run_error;
  events_->emit("run_finished", std::move(finished_event));
  store_->finish_run(run_id_, status);
  store_->flush();
  events_->flush();

  size_t total = ended + not_started;
  std::string more;
  if (failed_) more += fmt::format(", {} failed", failed_);
  if (cancelled_) more += fmt::format(", {} cancelled", cancelled_);
  if (not_started) more += fmt::format(", {} not started", not_started);
  err_ << fmt::format("flowc: run {} {} in {:.1f}s: {} task{} ({} ran, {} cached{})\n", run_id_, status, seconds,
                      total, total == 1 ? "" : "s", ran_, cached_, more);
  if (!published.is_null()) {
    fs::path json = fs::path(options_.outdir) / "outputs.json";
    err_ << fmt::format("flowc: outputs in {}/ ({})\n", options_.outdir, json.string());
    for (auto& [name, value] : published.items()) {
      err_ << fmt::format("  {} = {}\n", name, describe(value, 120));
    }
  } else if (!plan_->ok() && !interrupted_) {
    err_ << fmt::format("flowc: see `flowc explain` and {}\n",
                        (fs::path(options_.state_dir) / "runs" / run_id_ / "events.jsonl").string());
  }
  return result;
}

// Plans without running: expands what can be known now (fan-outs over known
// lists, branches on known conditions) and counts the tasks.
RunResult Run::dry_run() {
  std::map<std::string, size_t> by_op;
  size_t total = 0;
  for (TaskId id : plan_->take_ready()) {
    ++by_op[plan_->task(id).op->id];
    ++total;
    plan_->forget(id);
  }
  err_ << fmt::format("flowc: dry run of `{}`: {} task{} can start now\n", workflow_.id, total, total == 1 ? "" : "s");
  for (const auto& [op, n] : by_op) err_ << fmt::format("  {:>10}  {}\n", n, op);
  err_ << "flowc: later steps depend on what these produce and are planned as they finish\n";
  return {0, ""};
}

}  // namespace

RunResult run_workflow(const ir::Program& program, const ir::Workflow& workflow, const Value& inputs,
                       const RunOptions& options, std::ostream& err) {
  return Run(program, workflow, inputs, options, err).go();
}

}  // namespace flowc::runtime
