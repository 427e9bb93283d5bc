// One allocation, an agent, and tasks through files.
#include "runtime/executors/pilot/pilot_executor.h"

#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "runtime/executors/pilot/channel.h"
#include "runtime/executors/slurm/command.h"
#include "runtime/executors/slurm/job_script.h"
#include "runtime/executors/slurm/slurm_cli.h"
#include "runtime/mpi/mpi_launch.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

constexpr auto kExitCheck = std::chrono::milliseconds(20);
constexpr auto kHeartbeat = std::chrono::seconds(2);

Clock::duration seconds(double s) { return seconds_of(s); }

}  // namespace

PilotSettings PilotSettings::read(Settings& s) {
  PilotSettings out;
  out.read_site(s);
  out.nodes = s.count("nodes", out.nodes, 1);
  out.time = s.seconds("time", out.time);
  out.poll_interval = s.seconds("poll_interval", out.poll_interval);
  out.max_queued = s.count("max_queued", out.max_queued, 1);
  out.lost_after = s.seconds("lost_after", out.lost_after);
  return out;
}

PilotExecutor::PilotExecutor(PilotSettings settings, std::string channel_dir)
    : settings_(std::move(settings)),
      dir_(std::move(channel_dir)),
      exit_check_(kExitCheck),
      poll_(seconds(settings_.poll_interval)),
      beat_(kHeartbeat) {}

PilotExecutor::~PilotExecutor() {
  // The agents leave once idle; the allocation goes now, with anything
  // still running in it.
  pilot::touch((fs::path(dir_) / "stop").string());
  if (!allocation_.empty() && ended_.empty()) slurm::scancel({allocation_});
}

std::string PilotExecutor::task_file(const char* folder, uint64_t handle) const {
  return (fs::path(dir_) / folder / fmt::format("{}.task", handle)).string();
}

bool PilotExecutor::start_allocation(std::string* error) {
  std::error_code ec;
  fs::remove_all(dir_, ec);  // a previous run's channel: its allocation is gone (settle)
  if (!pilot::make_channel(dir_, error)) return false;
  pilot::touch((fs::path(dir_) / "flowc.alive").string());
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    *error = "cannot find the flowc binary (/proc/self/exe) to start the agent";
    return false;
  }
  std::string flowc(self, static_cast<size_t>(n));
  std::string script = (fs::path(dir_) / "pilot.sh").string();
  std::string agent = fmt::format("{} agent {}", shell_quote(flowc), shell_quote(dir_));
  // One agent per node; on one node it is the batch step itself.
  std::string text = "#!/bin/sh\n# A flowc pilot: its agent takes tasks from the folder beside this script.\n" +
                     (settings_.nodes > 1 ? "exec srun --ntasks-per-node=1 --overlap " + agent : "exec " + agent) +
                     "\n";
  if (!slurm::write_atomically(script, text)) {
    *error = fmt::format("cannot write `{}`", script);
    return false;
  }
  std::vector<std::string> args = {
      "--job-name=flowc-pilot",
      "--output=" + (fs::path(dir_) / "agent.log").string(),
      fmt::format("--nodes={}", settings_.nodes),
      "--exclusive",
      "--mem=0",
      // A node that fails ends the pilot (its tasks are reported and a rerun
      // resumes them) rather than requeueing it unseen.
      "--no-requeue",
      fmt::format("--time={}", static_cast<long>(std::ceil(settings_.time / 60))),
  };
  std::vector<std::string> placement = settings_.placement_args();
  args.insert(args.end(), placement.begin(), placement.end());
  args.insert(args.end(), settings_.sbatch_args.begin(), settings_.sbatch_args.end());
  slurm::Submitted s = slurm::sbatch(args, script, {});
  if (s.job_id.empty()) {
    *error = fmt::format("Slurm refused the pilot's allocation: {}\n  its script: {}", s.error, script);
    return false;
  }
  allocation_ = s.job_id;
  return true;
}

namespace {
constexpr const char* kStagingScript = ".flowc-staged.sh";
}  // namespace

// `sh .flowc-staged.sh fetch` copies the task's inputs into its folder in
// scratch (named after its work dir, so that the run finds it) and marks it
// complete; `sh .flowc-staged.sh run CMD...` copies them unless a fetch did,
// points the links at the copies, runs CMD, moves the outputs back and
// removes the folder.
std::string PilotExecutor::staging_wrapper(const LaunchSpec& spec) const {
  std::string folder = (fs::path(settings_.scratch) / ("flowc-" + fs::path(spec.work_dir).filename().string())).string();
  std::string fetch = "rm -rf \"$stage\" && mkdir -p \"$stage\" || rc=98\n"
                      "if [ $rc -eq 0 ]; then\n" + slurm::staging_copy(spec) + "fi\n";
  return "#!/bin/sh\n# Written by flowc: stages the task's files in node-local scratch around it.\n"
         "rc=0\n"
         "stage=" + shell_quote(folder) + "\n"
         "[ \"$1\" = drop ] && { rm -rf \"$stage\"; exit 0; }\n"
         "if [ \"$1\" = fetch ]; then\n"
         "  [ -e \"$stage/.fetched\" ] && exit 0\n" + fetch +
         "  if [ $rc -eq 0 ]; then date +%s.%N > \"$stage/.fetched\"; cp \"$stage/.fetched\" .flowc-fetched; "
         "else rm -rf \"$stage\"; fi\n"
         "  exit $rc\n"
         "fi\n"
         "shift\n"
         "trap 'if [ -n \"$stage\" ]; then rm -rf \"$stage\"; fi' EXIT\n"
         "trap 'exit 143' TERM\n"
         "if [ ! -e \"$stage/.fetched\" ]; then\n" + fetch + "fi\n"
         "[ $rc -eq 0 ] && { " + "\n" + slurm::staging_links(spec) + "}\n" +
         slurm::staging_failed(settings_.scratch, ">&2") +
         "if [ $rc -eq 0 ]; then\n  \"$@\"\n  rc=$?\nfi\n" + slurm::staging_end(spec, ">&2") + "exit $rc\n";
}

uint64_t PilotExecutor::submit(const LaunchSpec& spec) {
  uint64_t handle = next_handle_++;
  Task& task = tasks_[handle];
  task.spec = spec;
  task.started = Clock::now();
  auto not_started = [&](const std::string& why) {
    Outcome o;
    o.how = Outcome::How::NotStarted;
    o.error = why;
    finish(handle, std::move(o));
    return handle;
  };
  std::string error;
  if (!ended_.empty()) return not_started(ended_ + "; a rerun resumes this task");
  if (allocation_.empty() && !start_allocation(&error)) {
    ended_ = error;
    return not_started(error);
  }
  pilot::PilotTask t;
  t.work_dir = spec.work_dir;
  t.argv = spec.argv;
  if (spec.mpi_ranks > 0) {
    // Its own step of the allocation; the pilot, not Slurm, decides what
    // shares the cores (--overlap, --overcommit).
    t.argv = srun_command(spec.mpi_ranks, spec.cpus, true, true, spec.argv);
  }
  if (!settings_.scratch.empty() && slurm::stages(spec)) {
    // The agent runs the command through a script that stages its files in
    // the node's scratch around it (the command is the script's "$@").
    std::string wrapper = (fs::path(spec.work_dir) / kStagingScript).string();
    if (!slurm::write_atomically(wrapper, staging_wrapper(spec))) {
      return not_started(fmt::format("cannot write `{}`", wrapper));
    }
    t.argv.insert(t.argv.begin(), {"/bin/sh", wrapper, "run"});
    // On one node, the agent that pre-fetches a task is the one that runs it.
    if (settings_.nodes == 1) {
      t.prefetch_argv = {"/bin/sh", wrapper, "fetch"};
      t.unfetch_argv = {"/bin/sh", wrapper, "drop"};
    }
  }
  t.stdout_path = spec.stdout_path;
  t.stderr_path = spec.stderr_path;
  t.timeout_seconds = spec.timeout_seconds;
  t.cpus = spec.cpus * std::max(1, spec.mpi_ranks);
  t.env = spec.env;
  if (!slurm::write_atomically(task_file("inbox", handle), pilot::task_text(t))) {
    return not_started(fmt::format("cannot hand it to the pilot: cannot write `{}`", task_file("inbox", handle)));
  }
  exit_check_.soon(Clock::now() + kExitCheck);
  return handle;
}

void PilotExecutor::cancel(uint64_t handle) {
  auto it = tasks_.find(handle);
  if (it == tasks_.end() || it->second.cancelling) return;
  it->second.cancelling = true;
  // Not yet taken by an agent: take it back.
  std::error_code ec;
  if (fs::remove(task_file("inbox", handle), ec)) {
    Outcome o;
    o.how = Outcome::How::Cancelled;
    o.signal = SIGTERM;
    finish(handle, std::move(o));
    return;
  }
  pilot::touch((fs::path(dir_) / "cancel" / std::to_string(handle)).string());
}

void PilotExecutor::finish(uint64_t handle, Outcome outcome) {
  auto it = tasks_.find(handle);
  if (it == tasks_.end()) return;
  outcome.handle = handle;
  outcome.seconds = std::chrono::duration<double>(Clock::now() - it->second.started).count();
  if (outcome.detail.empty() && !allocation_.empty()) {
    outcome.detail = fmt::format("in the pilot's allocation, Slurm job {}; its job log: {}", allocation_,
                                 (fs::path(it->second.spec.work_dir) / slurm::kSlurmLog).string());
  }
  done_.push_back(std::move(outcome));
  tasks_.erase(it);
}

void PilotExecutor::check_exit_files() {
  std::vector<std::pair<uint64_t, slurm::ExitStatus>> ended;
  for (auto& [handle, task] : tasks_) {
    if (auto status = slurm::read_exit_status(task.spec.work_dir)) ended.emplace_back(handle, *status);
  }
  for (auto& [handle, status] : ended) finish(handle, slurm::outcome_of(status, tasks_.at(handle).cancelling));
}

void PilotExecutor::allocation_ended(const std::string& why) {
  ended_ = why;
  check_exit_files();  // what finished just before
  std::vector<uint64_t> left;
  for (auto& [handle, task] : tasks_) left.push_back(handle);
  for (uint64_t handle : left) {
    std::error_code ec;
    bool never_started = fs::exists(task_file("inbox", handle), ec);
    Outcome o;
    if (tasks_.at(handle).cancelling) {
      o.how = Outcome::How::Cancelled;
      o.signal = SIGTERM;
    } else if (never_started) {
      o.how = Outcome::How::NotStarted;
      o.error = why + " before the task started; a rerun resumes it";
    } else {
      o.how = Outcome::How::Lost;
      o.error = why + " while the task ran; a rerun resumes it";
    }
    finish(handle, std::move(o));
  }
}

void PilotExecutor::poll_allocation(Clock::time_point now) {
  if (allocation_.empty() || !ended_.empty()) return;
  std::string error;
  auto known = slurm::query_jobs({allocation_}, &error);
  if (!known) return;  // Slurm silent for now: unknown, not ended
  auto it = known->find(allocation_);
  if (it == known->end()) {
    if (!missing_since_) missing_since_ = now;
    if (now - *missing_since_ < seconds(settings_.lost_after)) return;
    return allocation_ended(fmt::format("the pilot's allocation (Slurm job {}) is gone", allocation_));
  }
  missing_since_.reset();
  if (slurm::is_finished(it->second.state)) {
    allocation_ended(fmt::format("the pilot's allocation (Slurm job {}) ended ({}; its log: {})", allocation_,
                                 it->second.state_text, (fs::path(dir_) / "agent.log").string()));
  }
}

std::vector<Outcome> PilotExecutor::collect() {
  auto now = Clock::now();
  if (!allocation_.empty() && beat_.due(now)) pilot::touch((fs::path(dir_) / "flowc.alive").string());
  if (exit_check_.due(now)) check_exit_files();
  if (poll_.due(now)) poll_allocation(now);
  std::vector<Outcome> out;
  out.swap(done_);
  return out;
}

std::optional<Clock::time_point> PilotExecutor::next_deadline() const {
  if (!done_.empty()) return Clock::now();
  if (tasks_.empty()) return std::nullopt;
  return std::min({exit_check_.next(), poll_.next(), beat_.next()});
}

JobRef PilotExecutor::job_ref(uint64_t handle) const {
  if (!tasks_.count(handle)) return {};
  return {0, 0, fmt::format("slurm-pilot:{}", allocation_)};
}

// A task an earlier flowc left in a pilot: kept if its exit status is there
// (it finished meanwhile); otherwise that pilot's allocation is cancelled
// (one scancel for all), so it cannot race the new attempt.
std::vector<bool> PilotExecutor::settle(const std::vector<LeftBehind>& left) {
  std::vector<bool> keep(left.size(), false);
  std::vector<std::string> stop;
  for (size_t i = 0; i < left.size(); ++i) {
    if (slurm::read_exit_status(left[i].work_dir)) {
      keep[i] = true;
      continue;
    }
    const std::string& job = left[i].ref.job;
    if (job.rfind("slurm-pilot:", 0) == 0 && job.size() > 12) {
      std::string id = job.substr(12);
      if (std::find(stop.begin(), stop.end(), id) == stop.end()) stop.push_back(id);
    }
  }
  slurm::scancel(stop);
  return keep;
}

uint64_t PilotExecutor::adopt(const LeftBehind& left, const LaunchSpec& spec) {
  uint64_t handle = next_handle_++;
  Task& task = tasks_[handle];
  task.spec = spec;
  task.spec.work_dir = left.work_dir;
  task.adopted = true;
  task.started = Clock::now();
  exit_check_.soon(Clock::now());
  return handle;
}

}  // namespace flowc::runtime
