// The run loop: the plan says what is ready, the task runner prepares it
// (or finds it cached), the executor runs it, and what happened goes back to
// the plan, the journal and the event log.
#include "runtime/run/run.h"
#include "runtime/run/run_loop.h"

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
#include "runtime/observe/monitor.h"
#include "runtime/observe/run_graph.h"
#include "runtime/run/events.h"
#include "runtime/run/identical_tasks.h"
#include "runtime/run/journal_usage.h"
#include "runtime/run/signals.h"
#include "runtime/run/state_lock.h"
#include "runtime/run/survey.h"
#include "runtime/run/targets.h"
#include "runtime/run/task_runner.h"
#include "runtime/scheduler/plan.h"
#include "runtime/store/store.h"
#include "runtime/streams/stream_tasks.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

RunResult RunLoop::go() {
  start_time_ = now_seconds();
  if (auto failed = open_state()) return *failed;
  try {
    if (auto done = replay_if_up_to_date()) return *done;
  } catch (const StoreError& e) {
    if (progress_) progress_->clear();
    err_ << "flowc: error: the run's journal could not be written: " << e.what() << "\n";
    return {1, run_id_};
  }
  if (auto failed = choose_executor()) return *failed;
  if (auto failed = plan_run()) return *failed;
  if (options_.dry_run) return {0, ""};
  try {
    if (auto failed = start_run()) return *failed;
    SignalWatch signals;
    signals_ = &signals;
    loop();
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

// Why nothing could run, said, and the run's result.
RunResult RunLoop::refuse(const std::vector<std::string>& errors) {
  for (const std::string& e : errors) err_ << "flowc: error: " << e << "\n";
  err_ << "flowc: nothing was run\n";
  return {2, ""};
}

// The state folder, locked for this run, and its journal.
std::optional<RunResult> RunLoop::open_state() {
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
    return RunResult{2, ""};
  }
  lock_ = std::make_unique<StateLock>(state_);
  if (!lock_->locked()) {
    err_ << "flowc: error: " << lock_->problem() << "\n";
    return RunResult{2, ""};
  }
  try {
    store_ = Store::open((state_ / "flow.db").string());
  } catch (const StoreError& e) {
    err_ << "flowc: error: " << e.what() << "\n";
    return RunResult{2, ""};
  }
  return std::nullopt;
}

std::optional<RunResult> RunLoop::choose_executor() {
  std::vector<std::string> errors;
  ExecutorChoice choice = options_.executor;
  choice.state_dir = state_.string();
  executor_ = new_executor(choice, &errors);
  if (executor_) executor_ = route_by_op(std::move(executor_), &errors);
  if (!executor_) return refuse(errors);
  jobs_ = options_.jobs > 0 ? options_.jobs : executor_->default_jobs();
  return std::nullopt;
}

// What the run will do, checked before anything starts.
std::optional<RunResult> RunLoop::plan_run() {
  std::vector<std::string> errors;
  targets_ = std::make_unique<Targets>(program_, workflow_, options_.rerun, options_.until, &errors);
  if (!errors.empty()) return refuse(errors);
  // --until: what is not needed is skipped as if failed, and must not stop the rest.
  PlanOptions plan_options{options_.keep_going || targets_->limited(), options_.max_depth, options_.container_group};
  // Every task the inputs tell of, and every file they would read that can
  // be checked now: a missing one stops the run before anything starts.
  Survey survey = survey_run(program_, workflow_, inputs_, plan_options);
  if (options_.dry_run) print_survey(survey, program_, workflow_, err_);
  if (!survey.errors.empty()) return refuse(survey.errors);
  if (options_.dry_run) return std::nullopt;
  plan_options.witness = &witness_;
  plan_ = std::make_unique<Plan>(program_, workflow_, inputs_, plan_options);
  if (streams::uses_streams(program_)) {
    if (std::string why = streams::check_streams(stream_options()); !why.empty()) return refuse({why});
  }
  return std::nullopt;
}

// What an earlier flowc left settled, the container engine checked, and
// the run begun: its journal record, event log, task runner and progress.
std::optional<RunResult> RunLoop::start_run() {
  settle_left_running();
  // Containers: the engine and images checked before anything starts;
  // each image's probe before its first task (runtime/containers/).
  auto containers = prepare_containers(program_, workflow_, options_.container_engine, state_.string());
  if (auto* e = std::get_if<PreflightError>(&containers)) return refuse({e->message});
  containers_ = std::move(std::get<std::unique_ptr<ContainerLauncher>>(containers));
  begin_journal();
  runner_ = std::make_unique<TaskRunner>(program_, *store_, (state_ / "work").string(), options_.fresh);
  runner_->use_witness(&witness_);
  for (const auto& [key, left] : adoptable_) runner_->adopt(key);
  if (containers_) {
    containers_->set_run(run_id_);
    runner_->use_containers(containers_.get());
    executor_ = containers_->stops(std::move(executor_));  // a stopped task's container goes with it
  }
  streams_ = std::make_unique<streams::StreamTasks>(stream_options(), run_id_, state_ / "runs" / run_id_);
  return std::nullopt;
}

// The run's record in the journal, its folder, event log and monitor.
void RunLoop::begin_journal() {
  run_id_ = store_->begin_run({{"workflow", workflow_.id},
                               {"source", program_.files.empty() ? "" : program_.files[0]},
                               {"inputs", inputs_},
                               {"cwd", fs::current_path().string()},
                               {"pid", ::getpid()}},
                              options_.run_id);
  fs::path run_dir = state_ / "runs" / run_id_;
  std::error_code ec;
  fs::create_directories(run_dir, ec);
  events_ = std::make_unique<EventLog>((run_dir / "events.jsonl").string(), options_.json_events);
  observe::save_workflow_graph(program_, workflow_, (run_dir / "graph.json").string());
  events_->emit("run_started", {{"run_id", run_id_}, {"workflow", workflow_.id}, {"inputs", inputs_}});
  progress_ = std::make_unique<observe::RunMonitor>(
      observe::RunMonitor::choose(options_.progress && !options_.json_events), err_, options_.summary_seconds);
  events_->listen([monitor = progress_.get()](const Value& e) { monitor->event(e); });
}

// The scheduling loop: start what is ready, wait for something to happen
// (a task ends, a signal, a deadline), take what happened, again.
void RunLoop::loop() {
  auto last_flush = Clock::now();
  take_ready();
  while (true) {
    launch_ready();
    journal_jobs();
    executor_->flush();  // what launch_ready() submitted, together
    announce_started();
    if (plan_->finished() && running_.empty()) break;
    bool group_waits =
        std::any_of(groups_.begin(), groups_.end(), [](const auto& g) { return !g.second.waiting.empty(); });
    if (running_.empty() && queue_.empty() && !held_ && !group_waits) {
      // Nothing runs and nothing can start: the plan is waiting for
      // nothing. (Cannot happen unless the IR is inconsistent.)
      break;
    }
    progress_->flush();  // the plain log's lines, before flowc waits
    // Wait for a child, a signal, a deadline, or the next redraw.
    auto wait = std::chrono::milliseconds(200);
    if (auto deadline = executor_->next_deadline()) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      wait = std::max(std::chrono::milliseconds(0), std::min(wait, until + std::chrono::milliseconds(1)));
    }
    SignalWatch::Events e = signals_->wait(wait);
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
}

// An op's own `executor "..."` clause is followed: when ops name executors
// other than the run's, a router sends each task to its op's, made by the
// factory with the profile's settings for it.
std::unique_ptr<Executor> RunLoop::route_by_op(std::unique_ptr<Executor> run_executor,
                                               std::vector<std::string>* errors) {
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
    auto executor = new_executor(choice, &mistakes);
    for (const std::string& m : mistakes) {
      errors->push_back(
          fmt::format("op `{}` ({}) asks for executor `{}`: {}", op.name, program_.where(op.loc), *op.executor, m));
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
void RunLoop::settle_left_running() {
  // Runs whose flowc was killed: what they started and never journaled is
  // found another way (Executor::stop_strays), and they are marked killed.
  std::vector<std::string> killed = store_->unfinished_runs();
  Recovery* recovery = executor_->recovery();
  if (!killed.empty() && recovery) recovery->stop_strays();
  for (const std::string& run : killed) store_->finish_run(run, "killed");
  std::vector<TaskRecord> left = store_->left_running("");
  std::vector<LeftBehind> behind;
  for (const TaskRecord& t : left) behind.push_back({JobRef{t.pid, t.pid_start, t.job}, t.work_dir});
  // Without recovery its tasks died with the flowc that ran them.
  std::vector<bool> kept = recovery ? recovery->settle(behind) : std::vector<bool>(behind.size(), false);
  for (size_t i = 0; i < left.size(); ++i) {
    TaskRecord& t = left[i];
    if (kept[i] && !t.key.empty()) {
      adoptable_[t.key] = behind[i];
    }
    t.state = TaskState::Cancelled;
    t.error = kept[i] ? "flowc stopped while it ran; the next run adopted it" : "flowc stopped while it ran";
    t.pid = 0;
    t.job.clear();
    store_->record_task(t);
  }
  store_->flush();
}

// A task whose job an earlier flowc left: follow that job.
bool RunLoop::adopt(TaskId id, Prepared& prepared) {
  auto it = adoptable_.find(prepared.key);
  if (it == adoptable_.end()) return false;
  LeftBehind left = it->second;
  adoptable_.erase(it);
  const Task& task = plan_->task(id);
  prepared.spec.job_name = task.path;
  prepared.spec.work_dir = prepared.work_dir;
  uint64_t handle = executor_->recovery()->adopt(left, prepared.spec);  // only a recovery kept it
  double started = now_seconds();
  events_->emit("adopted",
                {{"task", task.path}, {"op", task.op->id}, {"job", left.ref.job}, {"work_dir", prepared.work_dir}});
  record(id, prepared, TaskState::Running, 1, started, 0, -1, "", executor_->recovery()->job_ref(handle));
  running_.emplace(handle, Running{id, std::move(prepared), 1, started});
  return true;
}

void RunLoop::take_ready() {
  for (TaskId id : plan_->take_ready()) {
    if (!targets_->needed(plan_->task(id))) {
      plan_->failed(id, fmt::format("not needed for --until {}", targets_->until()));
      reported_.insert(plan_->task(id).path);  // not a failure to print
      continue;
    }
    queue_.push_back(id);
  }
}

// Every task is prepared here. The task runner keeps identical tasks (the
// same key) apart: the first to get past reuse leads the key, and the
// others are answered Identical without their work dir (the leader's) being
// touched; they wait for it (follow).
Prepared RunLoop::prepare(TaskId id, bool reuse) {
  const Task& task = plan_->task(id);
  // --rerun: the targets and what depends on them run again.
  Prepared p = runner_->prepare(task, reuse && targets_->may_reuse(task));
  bool leads =
      p.kind == Prepared::Launch || p.kind == Prepared::Adopt || (p.kind == Prepared::Failed && !p.key.empty());
  if (leads) identical_.lead(p.key, id, task.path);
  return p;
}

// A task identical to one of this run waits for it, or takes what became of it.
void RunLoop::follow(TaskId id, const Prepared& prepared) {
  const IdenticalTasks::Result* result = identical_.follow(prepared.key, id);
  if (!result) {
    Prepared alone;  // without the key, so that the leader's record is left alone
    alone.work_dir = prepared.work_dir;
    fail(id, alone,
         fmt::format("{}: flowc lost track of the task `{}` it is identical to (a bug; please report it)",
                     who(plan_->task(id)), prepared.leader),
         TaskState::Failed, 0, now_seconds(), -1);
    return;
  }
  if (std::holds_alternative<IdenticalTasks::Running>(*result)) return;  // told when it ends
  take_identical(id, prepared.key, *result, /*reported=*/false);
}

// A task identical to another of this run (the same op and inputs) takes
// its outputs, or its failure (`reported`: printed with the other's).
void RunLoop::take_identical(TaskId id, const std::string& key, const IdenticalTasks::Result& result, bool reported) {
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
    record(id, p, TaskState::Cached, 0, now, now, 0, "");
    events_->emit("cached",
                  {{"task", task.path}, {"op", task.op->id}, {"work_dir", p.work_dir}, {"identical_to", p.leader}});
    ended_well(task, key, p.work_dir);
    plan_->succeeded(id, done->outputs);
    plan_->forget(id);
    take_ready();
    return;
  }
  const auto& ended = std::get<IdenticalTasks::Ended>(result);
  p.work_dir = ended.work_dir;
  p.manifest = ended.manifest.is_object() ? ended.manifest : Value::object();
  std::string error = fmt::format("{} is the same task as `{}` (the same op and inputs), which {}:\n  {}", who(task),
                                  p.leader, ended.state == TaskState::Failed ? "failed" : "was stopped", ended.error);
  if (ended.state == TaskState::Failed) ++failed_;
  if (ended.state == TaskState::Cancelled) ++cancelled_;
  record(id, p, ended.state, 0, now, now, -1, error);
  events_->emit(std::string(state_name(ended.state)), {{"task", task.path},
                                                       {"op", task.op->id},
                                                       {"exit_code", -1},
                                                       {"error", error},
                                                       {"work_dir", p.work_dir},
                                                       {"identical_to", p.leader}});
  if (!reported && ended.state == TaskState::Failed) {
    report_failure({id}, fmt::format("{} is the same task as `{}` (the same op and inputs), which failed (above)",
                                     who(task), p.leader));
  }
  reported_.insert(task.path);
  plan_->failed(id, error);
}

void RunLoop::launch_ready() {
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
    Prepared prepared = prepare(id);
    if (prepared.kind == Prepared::Failed && files::interrupt_pending()) {
      queue_.push_front(id);  // hashing its inputs was interrupted: not its failure
      return;
    }
    if (ended_before_launch(id, prepared)) continue;
    if (prepared.kind == Prepared::Adopt) {
      if (adopt(id, prepared)) continue;
      runner_->reset_work_dir(prepared, &prepared.error);  // nothing to adopt after all: run it afresh
      queue_.push_front(id);
      continue;
    }
    if (!executor_->has_room(prepared.spec)) {
      held_ = std::make_pair(id, std::move(prepared));
      return;
    }
    launch(id, std::move(prepared));
  }
}

// What becomes of a prepared task that will not be launched, however it
// would have started (alone, or in its group's container): reused, waiting
// for an identical task, failed before it started, or too big for the
// executor. True when it was one of those.
bool RunLoop::ended_before_launch(TaskId id, const Prepared& prepared) {
  const Task& task = plan_->task(id);
  switch (prepared.kind) {
    case Prepared::Cached: reused(id, prepared); return true;
    case Prepared::Identical: follow(id, prepared); return true;
    case Prepared::Failed:
      fail(id, prepared, fmt::format("{}: {}", who(task), prepared.error), TaskState::Failed, 0, now_seconds(), -1);
      return true;
    case Prepared::Adopt: return false;
    case Prepared::Launch:
      if (auto misfit = executor_->never_fits(prepared.spec)) {
        fail(id, prepared, too_big(task, *misfit), TaskState::Failed, 0, now_seconds(), -1);
        return true;
      }
      return false;
  }
  return false;
}

// How an error names a task: its op, its path in the run and its call's
// file:line:col.
std::string RunLoop::who(const Task& task) const {
  return fmt::format("op `{}` at {} ({})", task.op->name, task.path, program_.where(task.call_loc));
}

// A task that can never fit this executor: it fails before it starts.
std::string RunLoop::too_big(const Task& task, const Misfit& misfit) const {
  if (!misfit.remedy.empty()) return fmt::format("{} {} ({})", who(task), misfit.why, misfit.remedy);
  return fmt::format("{} {}; lower its `resources`, or run it where it fits (--executor slurm)", who(task), misfit.why);
}

void RunLoop::reused(TaskId id, const Prepared& prepared) {
  const Task& task = plan_->task(id);
  ++cached_;
  record(id, prepared, TaskState::Cached, 0, now_seconds(), now_seconds(), 0, "");
  events_->emit("cached", {{"task", task.path}, {"op", task.op->id}, {"work_dir", prepared.work_dir}});
  ended_well(task, prepared.key, prepared.work_dir);
  plan_->succeeded(id, prepared.outputs);
  plan_->forget(id);
  take_ready();
}

bool RunLoop::launch(TaskId id, Prepared prepared, int attempt) {
  uint64_t handle = submit_with_hints(*executor_, prepared.spec, prepared.batch);
  double started = now_seconds();
  running_.emplace(handle, Running{id, std::move(prepared), attempt, started});
  if (!announce(handle, /*event=*/true)) {
    // Kept by the executor until flush() (or its submission rate): journaled
    // as running now, announced with its job once it has one.
    const Running& r = running_.at(handle);
    record(id, r.prepared, TaskState::Running, attempt, started, 0, -1, "");
    unannounced_[handle] = true;
  }
  return true;
}

// Emits `started` (unless `event` is false: a retry) and journals how the
// task is known outside flowc (a process group, a batch job), so a later run
// can stop or adopt it if this flowc dies while it runs. False while the
// executor has not started the task yet.
bool RunLoop::announce(uint64_t handle, bool event) {
  auto it = running_.find(handle);
  if (it == running_.end()) return true;  // over already
  Recovery* recovery = executor_->recovery();
  JobRef ref = recovery ? recovery->job_ref(handle) : JobRef{};
  if (recovery && ref.pid == 0 && ref.job.empty()) return false;
  const Running& r = it->second;
  const Task& task = plan_->task(r.id);
  if (event) {
    Value started_event = {
        {"task", task.path}, {"op", task.op->id}, {"attempt", r.attempt}, {"work_dir", r.prepared.work_dir}};
    if (!ref.job.empty()) started_event["job"] = ref.job;
    events_->emit("started", started_event);
  }
  record(r.id, r.prepared, TaskState::Running, r.attempt, r.started, 0, -1, "", ref);
  refs_[handle] = ref;
  // A batch job outlives flowc: journaled at the next journal_jobs(), so
  // a rerun adopts it rather than submitting it again beside it.
  if (!ref.job.empty()) jobs_to_journal_ = true;
  return true;
}

// Commits the batch jobs announced since the last call, all in one
// transaction: called after each round of announcements and before
// executor_->flush(), so that a task whose job is known when it is
// submitted (the pilot's allocation) is in the journal before the executor
// hands it out, and one submitted by flush() (an sbatch) right after.
void RunLoop::journal_jobs() {
  if (!jobs_to_journal_) return;
  store_->flush();
  jobs_to_journal_ = false;
}

// Tasks the executor has started since they were submitted (after flush(),
// or within its submission rate).
void RunLoop::announce_started() {
  for (auto it = unannounced_.begin(); it != unannounced_.end();) {
    if (announce(it->first, it->second)) {
      it = unannounced_.erase(it);
    } else {
      ++it;
    }
  }
  journal_jobs();
}

void RunLoop::handle(const Outcome& outcome) {
  auto it = running_.find(outcome.handle);
  if (it == running_.end()) return;
  Running r = std::move(it->second);
  running_.erase(it);
  const Task& task = plan_->task(r.id);
  // What it used, journaled with how it ended (runtime/run/journal_usage.h).
  usage_ = journal_usage(outcome, r.prepared.spec, task.op->image.has_value());
  if (auto ref = refs_.find(outcome.handle); ref != refs_.end()) {
    ended_ref_ = ref->second;
    refs_.erase(ref);
  }
  struct Forget {
    Value& usage;
    JobRef& ref;
    ~Forget() {
      usage = Value();
      ref = JobRef{};
    }
  } forget{usage_, ended_ref_};
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
    succeed(r.id, r.prepared, judged.outputs, TaskState::Succeeded, r.attempt, r.started, outcome.exit_code);
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
      journal_jobs();
      executor_->flush();  // a retry goes alone, not batched with others
      return;
    }
  }
  // Interrupted while its outputs were checked: cancelled, not failed.
  bool cancelled = outcome.how == Outcome::How::Cancelled || files::interrupt_pending();
  TaskState state = cancelled ? TaskState::Cancelled : TaskState::Failed;
  fail(r.id, r.prepared, judged.error, state, r.attempt, r.started, outcome.exit_code);
  group_settled(group);
}

void RunLoop::succeed(TaskId id, const Prepared& prepared, Value outputs, TaskState state, int attempt, double started,
                      int exit_code) {
  const Task& task = plan_->task(id);
  double finished = now_seconds();
  record(id, prepared, state, attempt, started, finished, exit_code, "");
  events_->emit("finished", {{"task", task.path},
                             {"op", task.op->id},
                             {"exit_code", exit_code},
                             {"seconds", finished - started},
                             {"work_dir", prepared.work_dir}});
  ended_well(task, prepared.key, prepared.work_dir);
  IdenticalTasks::Result result = IdenticalTasks::Succeeded{outputs, prepared.work_dir, prepared.manifest};
  std::vector<TaskId> followers = identical_.ended(prepared.key, id, result);
  plan_->succeeded(id, std::move(outputs));
  plan_->forget(id);
  for (TaskId other : followers) take_identical(other, prepared.key, result, false);
}

void RunLoop::fail(TaskId id, const Prepared& prepared, const std::string& error, TaskState state, int attempt,
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
                        fmt::join(paths, ", "), state == TaskState::Failed ? "failed" : "stopped");
  }
  if (state == TaskState::Failed) ++failed_;
  if (state == TaskState::Cancelled) ++cancelled_;
  record(id, prepared, state, attempt, started, now_seconds(), exit_code, error);
  events_->emit(std::string(state_name(state)), {{"task", task.path},
                                                 {"op", task.op->id},
                                                 {"exit_code", exit_code},
                                                 {"error", error},
                                                 {"work_dir", prepared.work_dir}});
  std::vector<TaskId> all = {id};
  all.insert(all.end(), followers.begin(), followers.end());
  if (state == TaskState::Failed) report_failure(all, text);
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
void RunLoop::drop_waiting() {
  queue_.clear();
  held_.reset();
  for (auto& [group, g] : groups_) g.waiting.clear();
}

// Prints a failure as it happens, once for a task and the identical tasks
// that share it: an error, or a warning when the run goes on without their
// outputs (an optional call, a `for` that can do without the item), saying why.
void RunLoop::report_failure(const std::vector<TaskId>& tasks, const std::string& text) {
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

void RunLoop::interrupt(int signal) {
  if (interrupted_) {
    // A second Ctrl-C: stop at once.
    progress_->clear();
    err_ << "flowc: stopping now\n";
    executor_.reset();  // stops everything it still runs (process groups, jobs); the loop ends
    for (auto& [handle, r] : running_) {
      fail(r.id, r.prepared, "stopped at once (interrupted twice)", TaskState::Cancelled, r.attempt, r.started, -1);
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

void RunLoop::record(TaskId id, const Prepared& prepared, TaskState state, int attempt, double started, double finished,
                     int exit_code, const std::string& error, const JobRef& ref) {
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
  if (state != TaskState::Running) {
    t.usage = usage_;
    // Where it ran stays known after it ended (flowc show, trace, the report).
    if (ref.pid == 0 && ref.job.empty()) {
      t.pid = ended_ref_.pid;
      t.pid_start = ended_ref_.pid_start;
      t.job = ended_ref_.job;
    }
  }
  store_->record_task(t);
}

Counts RunLoop::counts() const {
  Counts c;
  c.done = ran_ + cached_;
  c.cached = cached_;
  c.running = running_.size();
  c.waiting = queue_.size() + (held_ ? 1 : 0);
  for (const auto& [group, g] : groups_) c.waiting += g.waiting.size();
  c.failed = failed_;
  c.retrying = retried_;
  c.total = plan_->tasks_made();
  c.growing = plan_->growing();
  return c;
}

RunResult RunLoop::finish() {
  progress_->clear();
  // Containers of groups whose last items never came (a failure upstream).
  for (const auto& [group, g] : groups_) {
    if (containers_) containers_->end_shared(group);
  }
  groups_.clear();
  double seconds = now_seconds() - start_time_;
  // --until: the run did what was asked if what it needed succeeded (the
  // workflow's outputs are not all made, so none is published).
  bool ok = targets_->limited() ? plan_->finished() && failed_ == 0 : plan_->ok();
  std::string status = interrupted_ ? "cancelled" : ok ? "succeeded" : "failed";
  RunResult result{interrupted_ ? 130 : ok ? 0 : 1, run_id_};

  std::string run_error = report_problems();
  Value published;
  std::string publish_error;
  if (plan_->ok()) {
    auto out = publish_outputs(workflow_, plan_->outputs(), options_.outdir, options_.publish,
                               PublishSources{(state_ / "work").string(), publish_sources()}, &publish_error);
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

  if (result.exit_code == 0 && not_started == 0 && run_error.empty()) save_summary(published);
  print_summary(status, seconds, not_started, published, ok);
  return result;
}

// What the plan found wrong beyond the failures printed as they happened (a
// `for` left with too few items, an expression that could not be evaluated:
// `read_lines` of a missing file), and the absent items not already
// explained. Returns the first step that failed without a task: the run's
// `error` in its last event.
std::string RunLoop::report_problems() {
  std::string run_error;
  for (const Problem& p : plan_->problems()) {
    if (reported_.count(p.path)) continue;
    if (p.kind == Problem::Failed && !p.consequence && !interrupted_) {
      // A CWL document's steps have no place in a .flow file.
      std::string where = p.loc.known() ? fmt::format(" ({})", program_.where(p.loc)) : "";
      std::string text = fmt::format("{}{}: {}", p.path, where, p.message);
      err_ << "flowc: error: " << text << "\n";
      if (run_error.empty()) run_error = text;
    } else if (p.kind == Problem::Absent) {
      err_ << fmt::format("flowc: note: {} is absent: {}\n", p.path, p.message);
    }
  }
  return run_error;
}

// The run's last lines: what became of its tasks, and where its outputs are.
void RunLoop::print_summary(const std::string& status, double seconds, size_t not_started, const Value& published,
                            bool ok) {
  size_t ended = ran_ + cached_ + failed_ + cancelled_;
  size_t total = ended + not_started;
  std::string more;
  if (failed_) more += fmt::format(", {} failed", failed_);
  if (cancelled_) more += fmt::format(", {} cancelled", cancelled_);
  if (not_started) more += fmt::format(", {} not started", not_started);
  err_ << fmt::format("flowc: run {} {} in {:.1f}s: {} task{} ({} ran, {} cached{})\n", run_id_, status, seconds, total,
                      total == 1 ? "" : "s", ran_, cached_, more);
  if (!published.is_null()) {
    fs::path json = fs::path(options_.outdir) / "outputs.json";
    err_ << fmt::format("flowc: outputs in {}/ ({})\n", options_.outdir, json.string());
    for (auto& [name, value] : published.items()) {
      err_ << fmt::format("  {} = {}\n", name, describe(value, 120));
    }
  } else if (targets_->limited() && ok) {
    err_ << fmt::format("flowc: ran what `{}` needs (--until); its outputs are in the work dirs (`flowc show`)\n",
                        targets_->until());
  } else if (!ok && !interrupted_) {
    err_ << fmt::format("flowc: see `flowc explain` and {}\n",
                        (fs::path(options_.state_dir) / "runs" / run_id_ / "events.jsonl").string());
  }
}

RunResult run_workflow(const ir::Program& program, const ir::Workflow& workflow, const Value& inputs,
                       const RunOptions& options, std::ostream& err) {
  return RunLoop(program, workflow, inputs, options, err).go();
}

}  // namespace flowc::runtime
