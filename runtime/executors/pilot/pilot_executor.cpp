// One allocation, an agent, and tasks through files.
#include "runtime/executors/pilot/pilot_executor.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <thread>
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
// How long settle() waits for a killed flowc's pilot to end, at most.
constexpr auto kSettleWait = std::chrono::seconds(30);

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
  out.node_lost_after = s.seconds("node_lost_after", out.node_lost_after);
  return out;
}

PilotExecutor::PilotExecutor(PilotSettings settings, std::string channel_dir)
    : BatchExecutor(kExitCheck, seconds(settings.poll_interval)),
      settings_(std::move(settings)),
      dir_(std::move(channel_dir)),
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
  // One agent per node; on one node it is the batch step itself. On more,
  // each node's agent is a step of its own, so that a node lost ends only
  // its own step (with the allocation's --no-kill), not the others'.
  std::string text = "#!/bin/sh\n# A flowc pilot: its agents take tasks from the folder beside this script.\n";
  if (settings_.nodes > 1) {
    text +=
        "for node in $(scontrol show hostnames \"$SLURM_JOB_NODELIST\"); do\n"
        "  srun --nodes=1 --ntasks=1 --nodelist=\"$node\" --overlap --no-kill " +
        agent +
        " &\n"
        "done\n"
        "wait\n";
  } else {
    text += "exec " + agent + "\n";
  }
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
      // Never requeued unseen; a node that fails takes only its own agent
      // and tasks (reported, and retried on the others), not the allocation.
      "--no-requeue",
      "--no-kill",
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
std::string PilotExecutor::staging_wrapper(const LaunchSpec& spec, const StagingPlan& staging) const {
  std::string folder =
      (fs::path(settings_.scratch) / ("flowc-" + fs::path(spec.work_dir).filename().string())).string();
  std::string fetch =
      "rm -rf \"$stage\" && mkdir -p \"$stage\" || rc=98\n"
      "if [ $rc -eq 0 ]; then\n" +
      staging_copy(staging) + "fi\n";
  return "#!/bin/sh\n# Written by flowc: stages the task's files in node-local scratch around it.\n"
         "rc=0\n"
         "stage=" +
         shell_quote(folder) +
         "\n"
         "[ \"$1\" = drop ] && { rm -rf \"$stage\"; exit 0; }\n"
         "if [ \"$1\" = fetch ]; then\n"
         "  [ -e \"$stage/.fetched\" ] && exit 0\n" +
         fetch +
         "  if [ $rc -eq 0 ]; then { date +%s.%N; uname -n; } > \"$stage/.fetched\"; cp \"$stage/.fetched\" .flowc-fetched; "
         "else rm -rf \"$stage\"; fi\n"
         "  exit $rc\n"
         "fi\n"
         "shift\n"
         "trap 'if [ -n \"$stage\" ]; then rm -rf \"$stage\"; fi' EXIT\n"
         "trap 'exit 143' TERM\n"
         "if [ ! -e \"$stage/.fetched\" ]; then\n" +
         fetch +
         "fi\n"
         "[ $rc -eq 0 ] && { " +
         "\n" + staging_links(staging) + "}\n" + staging_failed(settings_.scratch, ">&2") +
         "if [ $rc -eq 0 ]; then\n  \"$@\"\n  rc=$?\nfi\n" + staging_end(staging, ">&2") + "exit $rc\n";
}

uint64_t PilotExecutor::submit(const LaunchSpec& spec, const BatchHints& hints) {
  uint64_t handle = add_job(spec, hints).handle;
  auto not_started = [&](const std::string& why) {
    this->not_started(handle, why);
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
  if (!settings_.scratch.empty() && !hints.staging.empty()) {
    // The agent runs the command through a script that stages its files in
    // the node's scratch around it (the command is the script's "$@").
    std::string wrapper = (fs::path(spec.work_dir) / kStagingScript).string();
    if (!slurm::write_atomically(wrapper, staging_wrapper(spec, hints.staging))) {
      return not_started(fmt::format("cannot write `{}`", wrapper));
    }
    t.argv.insert(t.argv.begin(), {"/bin/sh", wrapper, "run"});
    // An agent whose node is full pre-fetches the next tasks into its
    // node's scratch, and they wait for that node (agent.cpp, warm/).
    t.prefetch_argv = {"/bin/sh", wrapper, "fetch"};
    t.unfetch_argv = {"/bin/sh", wrapper, "drop"};
  }
  t.stdout_path = spec.stdout_path;
  t.stderr_path = spec.stderr_path;
  t.timeout_seconds = spec.timeout_seconds;
  t.cpus = spec.cpus * std::max(1, spec.mpi_ranks);
  t.ranks = spec.mpi_ranks;
  t.mem_bytes = spec.mem_bytes;
  t.env = spec.env;
  // Handed to the agents at flush(): by then the run loop has journaled it
  // (its job, the allocation, is known now), so a flowc killed at any moment
  // leaves no task an agent may run that a rerun does not know of.
  handing_.emplace(handle, std::move(t));
  return handle;
}

void PilotExecutor::flush() {
  if (handing_.empty()) return;
  std::map<uint64_t, pilot::PilotTask> tasks;
  tasks.swap(handing_);
  for (auto& [handle, t] : tasks) {
    if (!ended_.empty()) {
      not_started(handle, ended_ + "; a rerun resumes this task");
    } else if (!slurm::write_atomically(task_file("inbox", handle), pilot::task_text(t))) {
      not_started(handle, fmt::format("cannot hand it to the pilot: cannot write `{}`", task_file("inbox", handle)));
    }
  }
  exit_check_.soon(Clock::now() + kExitCheck);
}

void PilotExecutor::not_started(uint64_t handle, const std::string& why) {
  Outcome o;
  o.how = Outcome::How::NotStarted;
  o.error = why;
  finish(handle, std::move(o));
}

void PilotExecutor::cancel(uint64_t handle) {
  auto it = jobs_.find(handle);
  if (it == jobs_.end() || it->second.cancelling) return;
  it->second.cancelling = true;
  // Not yet handed out, or not yet taken by an agent: take it back.
  std::error_code ec;
  if (handing_.erase(handle) > 0 || fs::remove(task_file("inbox", handle), ec)) {
    Outcome o;
    o.how = Outcome::How::Cancelled;
    o.signal = SIGTERM;
    finish(handle, std::move(o));
    return;
  }
  pilot::touch((fs::path(dir_) / "cancel" / std::to_string(handle)).string());
}

void PilotExecutor::finish(uint64_t handle, Outcome outcome) {
  auto it = jobs_.find(handle);
  if (it != jobs_.end()) BatchExecutor::finish(it->second, std::move(outcome));
}

std::string PilotExecutor::describe(const Job& job) const {
  if (allocation_.empty()) return "";
  return fmt::format("in the pilot's allocation, Slurm job {}; its job log: {}", allocation_,
                     (fs::path(job.spec.work_dir) / slurm::kSlurmLog).string());
}

void PilotExecutor::allocation_ended(const std::string& why) {
  ended_ = why;
  check_exit_files();  // what finished just before
  std::vector<uint64_t> left;
  for (auto& [handle, task] : jobs_) left.push_back(handle);
  for (uint64_t handle : left) {
    std::error_code ec;
    bool never_started = handing_.erase(handle) > 0 || fs::exists(task_file("inbox", handle), ec);
    Outcome o;
    if (jobs_.at(handle).cancelling) {
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

void PilotExecutor::before_checks(Clock::time_point now) {
  if (!allocation_.empty() && beat_.due(now)) pilot::touch((fs::path(dir_) / "flowc.alive").string());
}

void PilotExecutor::poll(Clock::time_point now) {
  check_agents();
  poll_allocation(now);
}

std::optional<Clock::time_point> PilotExecutor::own_deadline() const {
  if (jobs_.empty()) return std::nullopt;
  return beat_.next();
}

// An agent whose heartbeat stopped: its node is lost (crashed, cut off, set
// down), and with it every task the agent had claimed.
void PilotExecutor::check_agents() {
  if (allocation_.empty() || !ended_.empty()) return;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("agent.", 0) != 0 || e.path().extension() != ".alive") continue;
    std::string node = name.substr(6, name.size() - 6 - 6);
    if (lost_nodes_.count(node)) continue;
    auto age = pilot::age_of(e.path().string());
    if (age && *age > settings_.node_lost_after) node_lost(node, *age);
  }
}

void PilotExecutor::node_lost(const std::string& node, double silent_seconds) {
  lost_nodes_.insert(node);
  // Should its agent be alive after all (a slow file system), it stops what
  // it runs and leaves rather than race the attempts that follow (channel.h).
  pilot::touch((fs::path(dir_) / ("lost." + node)).string());
  std::error_code ec;
  fs::path claimed = fs::path(dir_) / "running" / node;
  std::vector<uint64_t> handles;
  for (const auto& e : fs::directory_iterator(claimed, ec)) {
    if (e.path().extension() != ".task") continue;
    try {
      handles.push_back(std::stoull(e.path().stem().string()));
    } catch (const std::exception&) {
      continue;
    }
  }
  check_exit_files();  // what ended there before the node went
  for (uint64_t handle : handles) {
    auto it = jobs_.find(handle);
    fs::remove(fs::path(claimed) / fmt::format("{}.task", handle), ec);
    if (it == jobs_.end()) continue;
    // What it staged is put back: no half output in the work dir.
    if (!settings_.scratch.empty() && !it->second.hints.staging.empty()) unstage(it->second.hints.staging);
    Outcome o;
    o.how = it->second.cancelling ? Outcome::How::Cancelled : Outcome::How::NodeFailed;
    o.signal = SIGKILL;
    o.detail = fmt::format(
        "node {} of the pilot's allocation (Slurm job {}): its agent fell silent {:.0f}s ago "
        "(node_lost_after is {:.0f}s); the pilot goes on on the other nodes; its job log: {}",
        node, allocation_, silent_seconds, settings_.node_lost_after,
        (fs::path(it->second.spec.work_dir) / slurm::kSlurmLog).string());
    finish(handle, std::move(o));
  }
}

// Tasks an earlier flowc left in a pilot. Its agents go on without it, so
// the pilot is stopped first — its inbox closed (no agent takes another
// task), its allocation cancelled (one scancel for all) and awaited a
// moment — and only then is each task judged: kept if its exit status is
// there (it finished), otherwise run again. Judged before the agents
// stopped, a task one of them finished in between would run twice.
std::vector<bool> PilotExecutor::settle(const std::vector<LeftBehind>& left) {
  std::vector<std::string> stop;
  for (const LeftBehind& l : left) {
    const std::string& job = l.ref.job;
    if (job.rfind("slurm-pilot:", 0) == 0 && job.size() > 12) {
      std::string id = job.substr(12);
      if (std::find(stop.begin(), stop.end(), id) == stop.end()) stop.push_back(id);
    }
  }
  if (!stop.empty()) {
    std::error_code ec;
    fs::remove_all(fs::path(dir_) / "inbox", ec);
    slurm::scancel(stop);
    // Its agents stop their tasks and leave on SIGTERM: wait until Slurm
    // says the allocation ended (or forgot it), or Slurm does not answer.
    auto give_up = Clock::now() + kSettleWait;
    while (Clock::now() < give_up) {
      std::string error;
      auto known = slurm::query_jobs(stop, &error);
      if (!known) break;
      bool live =
          std::any_of(known->begin(), known->end(), [](const auto& j) { return !slurm::is_finished(j.second.state); });
      if (!live) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  std::vector<bool> keep(left.size(), false);
  for (size_t i = 0; i < left.size(); ++i) keep[i] = slurm::read_exit_status(left[i].work_dir).has_value();
  return keep;
}

uint64_t PilotExecutor::adopt(const LeftBehind& left, const LaunchSpec& spec) {
  Job& task = add_job(spec);
  uint64_t handle = task.handle;
  task.spec.work_dir = left.work_dir;
  task.adopted = true;
  exit_check_.soon(Clock::now());
  return handle;
}

}  // namespace flowc::runtime
