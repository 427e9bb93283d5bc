#include "tests/runtime/fake_executor.h"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "runtime/store/store.h"
#include "tests/support/test_support.h"

namespace flowc::test {
namespace fs = std::filesystem;
using runtime::Clock;
using runtime::JobRef;
using runtime::LaunchSpec;
using runtime::LeftBehind;
using runtime::Outcome;

Act writes(std::map<std::string, std::string> files) {
  Act a;
  a.writes = std::move(files);
  return a;
}

Act ends(Outcome::How how, int exit_code) {
  Act a;
  a.how = how;
  a.exit_code = exit_code;
  return a;
}

int FakeWorld::attempts(const std::string& path) const {
  return static_cast<int>(std::count(submitted.begin(), submitted.end(), path));
}

FakeExecutor::~FakeExecutor() {
  // A killed flowc leaves its jobs running; one that ends stops them (as
  // the Slurm executor does).
  if (!crashed_) return;
  for (auto& [handle, job] : jobs_) {
    if (job.cancelled) continue;
    Act act = job.act;
    act.crash = false;  // it was flowc that died
    world_.alive[job.id] = FakeWorld::Job{job.spec, act};
  }
}

uint64_t FakeExecutor::start(std::string id, LaunchSpec spec, Act act) {
  uint64_t handle = next_handle_++;
  act.crash = act.crash && !crashed_;
  jobs_[handle] = Job{std::move(id), std::move(spec), std::move(act), 0, false};
  world_.most_at_once = std::max(world_.most_at_once, jobs_.size());
  return handle;
}

uint64_t FakeExecutor::submit(const LaunchSpec& spec) {
  int attempt = world_.attempts(spec.job_name) + 1;
  world_.submitted.push_back(spec.job_name);
  Act act = world_.act ? world_.act(spec, attempt) : Act{};
  bool interrupt = act.interrupt;
  uint64_t handle = start("fake:" + std::to_string(world_.next_id++), spec, std::move(act));
  if (world_.on_submit) world_.on_submit(spec);
  if (interrupt) ::raise(SIGINT);  // blocked while the run loop watches: read by its next wait
  return handle;
}

void FakeExecutor::cancel(uint64_t handle) {
  auto it = jobs_.find(handle);
  if (it == jobs_.end() || crashed_) return;
  if (!it->second.cancelled) world_.cancelled.push_back(it->second.spec.job_name);
  it->second.cancelled = true;
}

bool FakeExecutor::can_end(const Job& job) const {
  return job.cancelled || !job.act.forever || job.spec.timeout_seconds > 0;
}

std::vector<Outcome> FakeExecutor::collect() {
  for (const auto& [handle, job] : jobs_) {
    if (job.act.crash && !crashed_) {
      crashed_ = true;
      throw runtime::StoreError("flowc was killed (a fake crash)");
    }
  }
  std::vector<Outcome> out;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Job& job = it->second;
    if (!can_end(job) || (!job.cancelled && job.ticks++ < job.act.ticks)) {
      ++it;
      continue;
    }
    Outcome o;
    o.handle = it->first;
    if (job.cancelled) {
      o.how = Outcome::How::Cancelled;
      o.signal = SIGTERM;
    } else if (job.act.forever) {
      o.how = Outcome::How::TimedOut;
      o.signal = SIGTERM;
    } else {
      const fs::path work(job.spec.work_dir);
      for (const auto& [name, text] : job.act.writes) {
        fs::create_directories((work / name).parent_path());
        write_file((work / name).string(), text);
      }
      if (!job.act.stderr_text.empty()) write_file(job.spec.stderr_path, job.act.stderr_text);
      o.how = job.act.how;
      o.exit_code = job.act.exit_code;
      o.signal = job.act.signal;
      o.error = job.act.error;
      o.detail = job.act.detail;
    }
    out.push_back(std::move(o));
    it = jobs_.erase(it);
  }
  return out;
}

std::optional<Clock::time_point> FakeExecutor::next_deadline() const {
  for (const auto& [handle, job] : jobs_) {
    if (can_end(job)) return Clock::now();
  }
  return std::nullopt;
}

JobRef FakeExecutor::job_ref(uint64_t handle) const {
  auto it = jobs_.find(handle);
  if (it == jobs_.end()) return {};
  return {0, 0, it->second.id};
}

std::vector<bool> FakeExecutor::settle(const std::vector<LeftBehind>& left) {
  std::vector<bool> kept;
  for (const LeftBehind& l : left) kept.push_back(world_.alive.count(l.ref.job) > 0);
  return kept;
}

uint64_t FakeExecutor::adopt(const LeftBehind& left, const LaunchSpec& spec) {
  auto it = world_.alive.find(left.ref.job);
  Act act = it != world_.alive.end() ? it->second.act : ends(Outcome::How::Lost);
  if (it != world_.alive.end()) world_.alive.erase(it);
  world_.adopted.push_back(spec.job_name);
  return start(left.ref.job, spec, std::move(act));
}

std::vector<std::string> FakeRun::tasks(const std::string& event) const {
  std::vector<std::string> out;
  for (const nlohmann::json& e : events) {
    if (e.value("event", "") == event && e.contains("task")) out.push_back(e["task"].get<std::string>());
  }
  return out;
}

std::string FakeRun::output(const fs::path& dir, const std::string& name) const {
  nlohmann::json outputs = nlohmann::json::parse(read_file((dir / "flow-out" / "outputs.json").string()));
  const nlohmann::json& v = outputs.at(name);
  return v.is_string() ? read_file(v.get<std::string>()) : v.dump();
}

FakeRun run_fake(const fs::path& dir, const std::string& text, FakeWorld& world, runtime::RunOptions options,
                 const std::string& inputs) {
  FakeRun out;
  auto c = compile_text(text);
  if (!c->program) {
    out.err = diagnostics_text(*c);
    return out;
  }
  const ir::Workflow* wf = c->program->find_workflow(c->program->entry);
  options.state_dir = (dir / ".flow").string();
  options.outdir = (dir / "flow-out").string();
  options.progress = false;
  options.make_executor = [&world](const runtime::ExecutorChoice& choice, std::vector<std::string>*) {
    world.made.push_back(choice.name);
    return std::make_unique<FakeExecutor>(world, choice.name);
  };
  std::ostringstream err;
  runtime::RunResult r = runtime::run_workflow(*c->program, *wf, runtime::Value::parse(inputs), options, err);
  out.exit_code = r.exit_code;
  out.err = err.str();
  out.run_id = r.run_id;
  std::ifstream events(dir / ".flow" / "runs" / r.run_id / "events.jsonl");
  for (std::string line; std::getline(events, line);) {
    if (!line.empty()) out.events.push_back(nlohmann::json::parse(line));
  }
  return out;
}

}  // namespace flowc::test
