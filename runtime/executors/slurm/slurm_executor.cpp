// One sbatch per task, one squeue per poll for all of them.
#include "runtime/executors/slurm/slurm_executor.h"

#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "runtime/executors/slurm/job_array.h"
#include "runtime/executors/slurm/job_script.h"
#include "runtime/process/helper_programs.h"

namespace flowc::runtime {
namespace fs = std::filesystem;
using slurm::State;

namespace {

// How often exit status files of jobs that may be running are looked at.
constexpr auto kExitCheck = std::chrono::milliseconds(250);
constexpr auto kBurst = std::chrono::milliseconds(250);
constexpr double kMaxBackoff = 60;
// An adopted job whose id was never written down (flowc died inside sbatch).
constexpr const char* kUnknownId = "(unknown)";

Clock::duration seconds(double s) { return seconds_of(s); }

std::string read_job_id(const std::string& work_dir) {
  std::ifstream in(fs::path(work_dir) / slurm::kJobIdFile);
  std::string id;
  in >> id;
  return id;
}

}  // namespace

SlurmSettings SlurmSettings::read(Settings& s) {
  SlurmSettings out;
  out.read_site(s);
  out.max_queued = s.count("max_queued", out.max_queued, 1);
  out.submit_rate = s.number("submit_rate", out.submit_rate);
  out.poll_interval = s.seconds("poll_interval", out.poll_interval);
  out.submit_retry = s.seconds("submit_retry", out.submit_retry);
  out.lost_after = s.seconds("lost_after", out.lost_after);
  out.array_min = s.count("array_min", out.array_min, 0);
  out.array_max = s.count("array_max", out.array_max, 1);
  return out;
}

SlurmExecutor::SlurmExecutor(SlurmSettings settings, std::string state_dir)
    : BatchExecutor(kExitCheck, seconds(settings.poll_interval)),
      settings_(std::move(settings)),
      dir_(std::move(state_dir)) {
  std::error_code ec;
  std::filesystem::path measure = std::filesystem::path(own_program_dir()) / "flowc-measure";
  if (std::filesystem::exists(measure, ec)) measure_ = measure.string();
}

SlurmExecutor::~SlurmExecutor() {
  // Never leave a job behind: whatever is still queued or running goes.
  std::vector<uint64_t> handles;
  for (auto& [handle, job] : jobs_) {
    if (!job.id.empty()) handles.push_back(handle);
  }
  slurm::scancel(cancel_ids(handles));
  std::error_code ec;
  for (auto& [id, array] : arrays_) fs::remove_all(array.folder, ec);
}

bool SlurmExecutor::has_room(const LaunchSpec&) const {
  if (static_cast<int64_t>(jobs_.size()) >= settings_.max_queued) return false;
  // sbatch blocks: after a quarter second of submitting, let the run loop
  // collect what ended meanwhile before submitting more.
  if (burst_since_ && Clock::now() - *burst_since_ > kBurst) return false;
  if (settings_.array_min == 0) return waiting_.empty() && Clock::now() >= next_submit_;
  // Alike tasks gather until flush(), to go as one array; only a refusal
  // being backed off from holds them back.
  if (waiting_.empty()) return true;
  auto front = jobs_.find(waiting_.front());
  return front == jobs_.end() || !front->second.retry_at;
}

// What tasks of one shape share: everything but where each runs and logs.
std::vector<std::string> SlurmExecutor::shape_args(const LaunchSpec& spec) {
  int ranks = std::max(1, spec.mpi_ranks);
  std::vector<std::string> a = {
      fmt::format("--ntasks={}", ranks),
      fmt::format("--cpus-per-task={}", spec.cpus),
      // A job whose node fails must end as NODE_FAIL, which flowc reports
      // (and retries if the op allows), not be requeued behind its back: a
      // requeued job would rerun in a work dir flowc may already have judged.
      "--no-requeue",
  };
  if (spec.mem_bytes > 0) a.push_back(fmt::format("--mem={}M", (spec.mem_bytes + (1 << 20) - 1) >> 20));
  // Slurm counts minutes. A task's own timeout is enforced inside the job
  // (to the second); Slurm's limit is then only a safety net above it.
  double limit = spec.time_limit_seconds > 0 ? spec.time_limit_seconds
                 : spec.timeout_seconds > 0  ? spec.timeout_seconds + 60
                                             : 0;
  if (limit > 0) a.push_back(fmt::format("--time={}", static_cast<long>(std::ceil(limit / 60))));
  if (spec.gpus > 0) a.push_back(fmt::format("--gres=gpu:{}", spec.gpus));
  std::vector<std::string> placement = settings_.placement_args();
  a.insert(a.end(), placement.begin(), placement.end());
  if (spec.mpi_ranks > 0) {
    if (!partition_) partition_ = slurm::partition_shape(settings_.partition);
    std::vector<std::string> spread = slurm::mpi_placement_args(ranks, spec.cpus, *partition_);
    a.insert(a.end(), spread.begin(), spread.end());
  }
  a.insert(a.end(), settings_.sbatch_args.begin(), settings_.sbatch_args.end());
  return a;
}

uint64_t SlurmExecutor::submit(const LaunchSpec& spec, const BatchHints& hints) {
  Job& job = add_job(spec, hints);
  uint64_t handle = job.handle;
  if (settings_.array_min > 0 && !hints.kind.empty() && slurm::exportable(spec.env)) {
    std::vector<std::string> args = shape_args(spec);
    job.shape = hints.kind;
    for (const std::string& a : args) job.shape += '\n' + a;
  }
  if (settings_.array_min == 0 && waiting_.empty() && Clock::now() >= next_submit_) {
    try_submit(job);  // nothing to gather: at once
  } else {
    waiting_.push_back(handle);
  }
  return handle;
}

namespace {

Outcome not_started(std::string why) {
  Outcome o;
  o.how = Outcome::How::NotStarted;
  o.error = std::move(why);
  return o;
}

}  // namespace

void SlurmExecutor::try_submit(Job& job) {
  const LaunchSpec& spec = job.spec;
  std::vector<std::string> args = {
      "--job-name=" + spec.job_name,
      "--chdir=" + spec.work_dir,
      "--output=" + (fs::path(spec.work_dir) / slurm::kSlurmLog).string(),
  };
  std::vector<std::string> shape = shape_args(spec);
  args.insert(args.end(), shape.begin(), shape.end());
  slurm::ScriptOptions script_options;
  script_options.overcommit = std::find(args.begin(), args.end(), "--overcommit") != args.end();
  script_options.scratch = settings_.scratch;
  script_options.staging = &job.hints.staging;
  script_options.measure = measure_;
  std::string script = (fs::path(spec.work_dir) / slurm::kScriptFile).string();
  if (!slurm::write_atomically(script, slurm::job_script(spec, script_options))) {
    return finish(job, not_started(fmt::format("cannot write its job script `{}`", script)));
  }
  next_submit_ = Clock::now() + seconds(1.0 / settings_.submit_rate);
  if (!burst_since_) burst_since_ = Clock::now();
  slurm::Submitted s = slurm::sbatch(args, script, spec.env);
  if (s.job_id.empty()) return refused({job.handle}, s, script);
  job.id = s.job_id;
  job.retry_at.reset();
  slurm::write_atomically((fs::path(spec.work_dir) / slurm::kJobIdFile).string(), job.id + "\n");
}

// One sbatch --array for alike tasks: element I runs task I's job script,
// which sets the task's own environment over the array's (the first task's).
void SlurmExecutor::try_submit_array(const std::vector<uint64_t>& handles) {
  const LaunchSpec lead = jobs_.at(handles.front()).spec;
  const std::string kind = jobs_.at(handles.front()).hints.kind;
  std::vector<std::string> args = shape_args(lead);
  slurm::ScriptOptions script_options;
  script_options.overcommit = std::find(args.begin(), args.end(), "--overcommit") != args.end();
  script_options.scratch = settings_.scratch;
  script_options.measure = measure_;
  script_options.job_env = &lead.env;
  std::vector<uint64_t> elements;
  std::vector<std::string> dirs;
  for (uint64_t handle : handles) {
    Job& job = jobs_.at(handle);
    script_options.staging = &job.hints.staging;
    std::string script = (fs::path(job.spec.work_dir) / slurm::kScriptFile).string();
    if (!slurm::write_atomically(script, slurm::job_script(job.spec, script_options))) {
      finish(job, not_started(fmt::format("cannot write its job script `{}`", script)));
      continue;
    }
    elements.push_back(handle);
    dirs.push_back(job.spec.work_dir);
  }
  if (elements.empty()) return;
  std::string folder = (fs::path(dir_) / "arrays" / fmt::format("{}-{}", ::getpid(), ++arrays_made_)).string();
  std::string error;
  std::string script = slurm::write_array(folder, dirs, &error);
  if (script.empty()) {
    for (uint64_t handle : elements) finish(jobs_.at(handle), not_started("cannot write its job array: " + error));
    return;
  }
  args.push_back("--job-name=" + kind);
  std::vector<std::string> array = slurm::array_args(folder, elements.size());
  args.insert(args.end(), array.begin(), array.end());
  next_submit_ = Clock::now() + seconds(1.0 / settings_.submit_rate);
  if (!burst_since_) burst_since_ = Clock::now();
  slurm::Submitted s = slurm::sbatch(args, script, lead.env);
  if (s.job_id.empty()) {
    std::error_code ec;
    fs::remove_all(folder, ec);
    return refused(elements, s, script);
  }
  Array& made = arrays_[s.job_id];
  made.folder = folder;
  for (size_t i = 0; i < elements.size(); ++i) {
    Job& job = jobs_.at(elements[i]);
    job.id = fmt::format("{}_{}", s.job_id, i);
    job.array = s.job_id;
    job.retry_at.reset();
    made.live.insert(job.handle);
    slurm::write_atomically((fs::path(job.spec.work_dir) / slurm::kJobIdFile).string(), job.id + "\n");
  }
}

// sbatch said no to these tasks (one job or one array): "never" fails them;
// "not now" backs off (1 s, 2 s, 4 s... up to a minute), keeping their order
// at the front of the queue, until submit_retry has passed.
void SlurmExecutor::refused(const std::vector<uint64_t>& handles, const slurm::Submitted& s,
                            const std::string& script) {
  auto now = Clock::now();
  Job& first = jobs_.at(handles.front());
  if (!first.first_refused) first.first_refused = now;
  double waited = std::chrono::duration<double>(now - *first.first_refused).count();
  if (!s.transient || waited >= settings_.submit_retry) {
    std::string why = s.transient ? fmt::format(
                                        "Slurm kept refusing the job for {:.0f}s (submit_retry in the "
                                        "profile): {}",
                                        waited, s.error)
                                  : fmt::format("Slurm refused the job: {}", s.error);
    for (uint64_t handle : handles) {
      finish(jobs_.at(handle), not_started(why + fmt::format("\n  its job script: {}", script)));
    }
    return;
  }
  double backoff = std::min(kMaxBackoff, std::pow(2.0, std::floor(std::log2(1 + waited))));
  for (auto h = handles.rbegin(); h != handles.rend(); ++h) {
    Job& job = jobs_.at(*h);
    job.first_refused = first.first_refused;
    job.refusal = s.error;
    job.retry_at = now + seconds(backoff);
    if (std::find(waiting_.begin(), waiting_.end(), *h) == waiting_.end()) waiting_.push_front(*h);
  }
}

// The waiting tasks that may go in one array with `first` (itself first), in order.
std::vector<uint64_t> SlurmExecutor::alike(const Job& first) const {
  std::vector<uint64_t> group = {first.handle};
  if (first.shape.empty()) return group;
  auto now = Clock::now();
  for (uint64_t handle : waiting_) {
    if (static_cast<int64_t>(group.size()) >= settings_.array_max) break;
    auto it = jobs_.find(handle);
    if (handle == first.handle || it == jobs_.end() || it->second.shape != first.shape) continue;
    if (it->second.retry_at && now < *it->second.retry_at) continue;
    group.push_back(handle);
  }
  return group;
}

// Submits what waits, in order, within the rate and a burst: alike tasks
// enough for an array as one, the others one by one.
void SlurmExecutor::submit_waiting() {
  while (!waiting_.empty()) {
    auto now = Clock::now();
    if (now < next_submit_) return;
    if (burst_since_ && now - *burst_since_ > kBurst) return;
    uint64_t handle = waiting_.front();
    auto it = jobs_.find(handle);
    if (it == jobs_.end()) {
      waiting_.pop_front();
      continue;
    }
    Job& job = it->second;
    if (job.retry_at && now < *job.retry_at) return;
    std::vector<uint64_t> group = alike(job);
    if (settings_.array_min > 0 && static_cast<int64_t>(group.size()) >= settings_.array_min) {
      std::set<uint64_t> taken(group.begin(), group.end());
      std::erase_if(waiting_, [&](uint64_t h) { return taken.count(h) > 0; });
      try_submit_array(group);  // may put them back in front
    } else {
      waiting_.pop_front();
      try_submit(job);  // may put it back in front
    }
  }
}

void SlurmExecutor::cancel(uint64_t handle) {
  auto it = jobs_.find(handle);
  if (it == jobs_.end() || it->second.cancelling) return;
  Job& job = it->second;
  job.cancelling = true;
  if (job.id.empty()) {
    // Never reached Slurm.
    waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), handle), waiting_.end());
    Outcome o;
    o.handle = handle;
    o.how = Outcome::How::Cancelled;
    o.signal = SIGTERM;
    finish(job, std::move(o));
    return;
  }
  to_cancel_.push_back(handle);
}

// An array's script and log links go with its last element.
void SlurmExecutor::forget(Job& job) {
  if (auto a = arrays_.find(job.array); a != arrays_.end()) {
    a->second.live.erase(job.handle);
    if (a->second.live.empty()) {
      // Every element has ended: its script and log links are of no more use.
      std::error_code ec;
      fs::remove_all(a->second.folder, ec);
      arrays_.erase(a);
    }
  }
}

std::string SlurmExecutor::describe(const Job& job) const {
  if (job.id.empty()) return "";
  return fmt::format("Slurm job {}; its job log: {}", job.id,
                     (fs::path(job.spec.work_dir) / slurm::kSlurmLog).string());
}

// A command killed by a signal whose job Slurm itself ended (its node
// failed, it was preempted): the script may still write the status of its
// killed command before Slurm kills the script too. Slurm's state says
// what happened, so it is asked (the next poll) before the status is taken.
bool SlurmExecutor::may_have_ended(const Job& job) const { return !job.id.empty() && job.state != State::Pending; }

void SlurmExecutor::exit_status_found(Job& job, const slurm::ExitStatus& status) {
  auto now = Clock::now();
  // Slurm's view is asked at once (below), but when it is not conclusive yet
  // the next poll may be an interval away: wait at least two of them.
  auto grace = std::max(seconds(settings_.exit_grace), seconds(2 * settings_.poll_interval));
  // Killed by SIGTERM or SIGKILL: when Slurm sent it (a scancel outside
  // flowc, a failed node or one set down, preemption), its state says why
  // better than the number, which the job script writes all the same (it
  // outlives a SIGTERM, and may be quick enough before a SIGKILL). Its
  // state is asked for now and awaited a moment (judge_by_state).
  bool killed = !status.timed_out && (status.exit_code == 128 + SIGTERM || status.exit_code == 128 + SIGKILL);
  if (killed && !job.cancelling && job.id != kUnknownId) {
    if (!job.killed_since) {
      job.killed_since = now;
      poll_.soon(now);
    }
    if (now - *job.killed_since < grace) return;
  }
  finish(job, slurm::outcome_of(status, job.cancelling));
}

void SlurmExecutor::poll(Clock::time_point now) {
  std::vector<std::string> ids;
  for (auto& [handle, job] : jobs_) {
    if (!job.id.empty() && job.id != kUnknownId) ids.push_back(job.id);
  }
  if (ids.empty()) return;
  std::string error;
  auto known = slurm::query_jobs(ids, &error);
  if (!known) {
    // Unknown, not failed: exit status files keep telling which jobs end.
    if (!unreachable_since_) unreachable_since_ = now;
    unreachable_why_ = error;
    return;
  }
  unreachable_since_.reset();
  std::vector<uint64_t> handles;
  for (auto& [handle, job] : jobs_) handles.push_back(handle);
  for (uint64_t handle : handles) {
    auto it = jobs_.find(handle);
    if (it == jobs_.end() || it->second.id.empty() || it->second.id == kUnknownId) continue;
    Job& job = it->second;
    auto status = known->find(job.id);
    if (status == known->end()) {
      if (!job.missing_since) job.missing_since = now;
      job.state.reset();
    } else {
      job.missing_since.reset();
      job.state = status->second.state;
      job.state_text = status->second.state_text;
      job.reason = status->second.reason;
      if (!status->second.nodes.empty()) job.nodes = status->second.nodes;
    }
    judge_by_state(job, now);
  }
}

// A job that ended without leaving its exit status: Slurm's state says why.
void SlurmExecutor::judge_by_state(Job& job, Clock::time_point now) {
  if (auto status = slurm::read_exit_status(job.spec.work_dir)) {
    if (!job.killed_since) return;  // the next exit check takes it
    // Killed by a signal (check_exit_files): Slurm's reason, if it has one.
    bool slurm_ended_it =
        job.state && slurm::is_finished(*job.state) && *job.state != State::Completed && *job.state != State::Failed;
    if (!slurm_ended_it) {
      if (job.state && slurm::is_finished(*job.state)) finish(job, slurm::outcome_of(*status, job.cancelling));
      return;  // still ending, or not known yet: the exit check decides after a moment
    }
  }
  // Its script may not have ended (a node lost): what it staged is put back
  // as it was, no half output left in the work dir.
  auto finish = [&](Job& j, Outcome o) {
    if (!settings_.scratch.empty() && !j.hints.staging.empty()) unstage(j.hints.staging);
    this->finish(j, std::move(o));
  };
  Outcome o;
  std::string id = job.id;
  if (job.missing_since) {
    if (now - *job.missing_since < seconds(settings_.lost_after)) return;
    o.how = job.cancelling ? Outcome::How::Cancelled : Outcome::How::Lost;
    o.error = fmt::format("Slurm no longer knows job {} and it left no exit status in {}", id,
                          (fs::path(job.spec.work_dir) / slurm::kExitFile).string());
    if (job.cancelling) o.detail = o.error;
    return finish(job, std::move(o));
  }
  if (job.state == State::Pending && !job.cancelling) {
    if (auto why = slurm::never_starts(job.reason)) {
      // Pending forever helps nobody: cancel it and say why.
      slurm::scancel({id});
      o.how = Outcome::How::NotStarted;
      o.error = fmt::format(
          "Slurm will never start job {}: {} (squeue says {}); change the op's resources or the "
          "profile's partition",
          id, *why, job.reason);
      return finish(job, std::move(o));
    }
  }
  if (!job.state || !slurm::is_finished(*job.state)) return;
  std::string log = (fs::path(job.spec.work_dir) / slurm::kSlurmLog).string();
  switch (*job.state) {
    case State::Completed:
    case State::Failed:
      // The script ends right after writing its status: give a lagging file
      // system a moment.
      if (!job.ended_since) job.ended_since = now;
      if (now - *job.ended_since < seconds(settings_.exit_grace) && !job.cancelling) return;
      o.how = job.cancelling ? Outcome::How::Cancelled : Outcome::How::NotStarted;
      o.error =
          fmt::format("Slurm job {} ended ({}) before the command did: its job log is {}", id, job.state_text, log);
      break;
    case State::Timeout:
      o.how = Outcome::How::TimedOut;
      o.signal = SIGTERM;
      o.detail = fmt::format("Slurm job {} reached its time limit ({}); its job log: {}", id,
                             job.spec.time_limit_seconds > 0 ? "resources { time }" : "its timeout", log);
      break;
    case State::Cancelled:
      o.signal = SIGTERM;
      if (job.cancelling) {
        o.how = Outcome::How::Cancelled;
      } else {
        // scancel from outside: what it does is send a signal.
        o.how = Outcome::How::Signaled;
        o.detail = fmt::format("Slurm job {} was cancelled outside flowc (scancel?); its job log: {}", id, log);
      }
      break;
    case State::NodeFail:
      o.how = Outcome::How::NodeFailed;
      o.signal = SIGTERM;  // what slurmd sends
      o.detail = fmt::format(
          "Slurm job {}: its node{} failed ({}); its job log: {}; a rerun runs it again once the "
          "node is back (sinfo shows it), keeping what finished",
          id, job.nodes.empty() ? "" : " " + job.nodes, job.state_text, log);
      break;
    case State::OutOfMemory:
      o.how = Outcome::How::OutOfMemory;
      o.signal = SIGKILL;
      o.detail =
          fmt::format("Slurm job {}{}; its job log: {}", id,
                      job.spec.mem_bytes ? fmt::format(", which asked for {} MiB", job.spec.mem_bytes >> 20) : "", log);
      break;
    case State::Preempted:
      o.how = Outcome::How::Preempted;
      o.signal = SIGTERM;
      o.detail = fmt::format("Slurm job {} was preempted; its job log: {}", id, log);
      break;
    case State::Pending:
    case State::Running: return;
  }
  finish(job, std::move(o));
}

// Submits what waits, and cancels what was asked, before the chores.
void SlurmExecutor::before_checks(Clock::time_point now) {
  burst_since_.reset();
  submit_waiting();
  if (!to_cancel_.empty()) {
    std::vector<uint64_t> handles;
    handles.swap(to_cancel_);
    std::string error;
    if (!slurm::scancel(cancel_ids(handles), &error)) {
      // Slurm did not take the cancel: say so rather than wait for it forever.
      for (uint64_t h : handles) {
        auto it = jobs_.find(h);
        if (it == jobs_.end()) continue;
        Outcome o;
        o.how = Outcome::How::Cancelled;
        o.signal = SIGTERM;
        o.detail = fmt::format("scancel {} failed, the job may still run: {}", it->second.id, error);
        finish(it->second, std::move(o));
      }
    }
    poll_.soon(now + std::chrono::milliseconds(200));
  }
}

// The ids one scancel needs for these jobs: an array's own id when all its
// elements still known go (Ctrl-C), else each element's.
std::vector<std::string> SlurmExecutor::cancel_ids(const std::vector<uint64_t>& handles) const {
  std::vector<std::string> ids;
  std::map<std::string, size_t> of_array;
  for (uint64_t h : handles) {
    auto it = jobs_.find(h);
    if (it == jobs_.end() || it->second.id.empty()) continue;
    if (arrays_.count(it->second.array)) {
      ++of_array[it->second.array];
    } else {
      ids.push_back(it->second.id);
    }
  }
  for (const auto& [array, count] : of_array) {
    const Array& a = arrays_.at(array);
    if (count == a.live.size()) {
      ids.push_back(array);
      continue;
    }
    for (uint64_t h : handles) {
      auto it = jobs_.find(h);
      if (it != jobs_.end() && it->second.array == array) ids.push_back(it->second.id);
    }
  }
  return ids;
}

// Submissions waiting for the rate or a backoff; a cancel to send.
std::optional<Clock::time_point> SlurmExecutor::own_deadline() const {
  if (!to_cancel_.empty()) return Clock::now();
  std::optional<Clock::time_point> next;
  auto consider = [&](Clock::time_point t) {
    if (!next || t < *next) next = t;
  };
  if (!waiting_.empty()) {
    auto it = jobs_.find(waiting_.front());
    consider(std::max(next_submit_, it != jobs_.end() && it->second.retry_at ? *it->second.retry_at : next_submit_));
  } else if (burst_since_) {
    consider(Clock::now());  // collect, then submit more
  } else if (next_submit_ > Clock::now()) {
    consider(next_submit_);  // room again for the next submission
  }
  return next;
}

std::vector<bool> SlurmExecutor::settle(const std::vector<LeftBehind>& left) {
  std::vector<bool> keep(left.size(), false);
  std::vector<std::string> ids(left.size());
  std::vector<std::string> ask;
  for (size_t i = 0; i < left.size(); ++i) {
    const std::string& job = left[i].ref.job;
    ids[i] = job.rfind("slurm:", 0) == 0 ? job.substr(6) : "";
    if (ids[i].empty()) ids[i] = read_job_id(left[i].work_dir);
    if (slurm::read_exit_status(left[i].work_dir)) {
      keep[i] = true;  // it ended while no flowc watched: its result is there
    } else if (!ids[i].empty()) {
      ask.push_back(ids[i]);
    }
  }
  if (ask.empty()) return keep;
  std::string error;
  auto known = slurm::query_jobs(ask, &error);
  std::vector<std::string> stop;
  for (size_t i = 0; i < left.size(); ++i) {
    if (keep[i] || ids[i].empty()) continue;
    if (!known) {
      keep[i] = true;  // Slurm does not answer now: follow it, and see
      continue;
    }
    auto it = known->find(ids[i]);
    if (it != known->end() && !slurm::is_finished(it->second.state)) {
      keep[i] = true;
    } else if (it != known->end()) {
      stop.push_back(ids[i]);
    }
  }
  slurm::scancel(stop);
  return keep;
}

uint64_t SlurmExecutor::adopt(const LeftBehind& left, const LaunchSpec& spec) {
  Job& job = add_job(spec);
  uint64_t handle = job.handle;
  job.spec.work_dir = left.work_dir;
  job.id = left.ref.job.rfind("slurm:", 0) == 0 ? left.ref.job.substr(6) : "";
  if (job.id.empty()) job.id = read_job_id(left.work_dir);
  if (job.id.empty()) job.id = kUnknownId;  // followed by its exit status alone
  exit_check_.soon(Clock::now());
  return handle;
}

}  // namespace flowc::runtime
