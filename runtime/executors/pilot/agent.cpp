// The agent's loop: claim, run (through the local executor), report, heartbeat.
#include "runtime/executors/pilot/agent.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "runtime/executors/local/local_executor.h"
#include "runtime/executors/pilot/channel.h"
#include "runtime/process/find_program.h"
#include "runtime/process/run_captured.h"
#include "runtime/executors/slurm/job_script.h"
#include "runtime/mpi/mpi_launch.h"
#include "runtime/observe/usage.h"

extern char** environ;

namespace flowc::runtime::pilot {
namespace fs = std::filesystem;

namespace {

// flowc silent this long, and nothing to do: leave (and end the allocation).
constexpr double kOrphanSeconds = 60;
constexpr auto kTick = std::chrono::milliseconds(5);
constexpr auto kHeartbeat = std::chrono::seconds(1);
// Waiting tasks whose inputs an agent pre-fetches at once, at most.
constexpr int kPrefetchAhead = 4;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

volatile std::sig_atomic_t stop_signal = 0;
void on_signal(int sig) { stop_signal = sig; }

}  // namespace

int run_agent(const std::string& dir_text) {
  fs::path dir(dir_text);
  std::string error;
  if (!make_channel(dir_text, &error)) {
    std::cerr << "flowc agent: " << error << "\n";
    return 2;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  char host[256] = "node";
  ::gethostname(host, sizeof host - 1);
  std::string alive = (dir / fmt::format("agent.{}.alive", host)).string();

  // The allocation's own variables (SLURM_JOB_ID...) go to every task, so
  // that an MPI task's srun starts a step of this allocation.
  std::vector<std::string> slurm_env;
  for (char** e = environ; *e; ++e) {
    if (std::string_view(*e).rfind("SLURM_", 0) == 0) slurm_env.emplace_back(*e);
  }

  LocalExecutor executor(std::chrono::seconds(3));
  // Copies inputs to scratch for tasks still waiting (PilotTask::prefetch_argv).
  LocalExecutor fetcher(std::chrono::seconds(3));
  std::map<uint64_t, std::string> fetching;                    // handle → the task's seq
  std::set<std::string> fetched;                               // seqs whose pre-fetch ended
  std::map<std::string, std::vector<std::string>> unfetch;     // seq → how to drop its copies
  std::map<uint64_t, std::pair<std::string, std::string>> running;  // handle → (seq file, work dir)
  auto last_beat = std::chrono::steady_clock::now() - kHeartbeat;
  std::cerr << fmt::format("flowc agent: on {} with {} cpus, taking tasks from {}\n", host, executor.default_jobs(),
                           dir.string());
  std::error_code ec;  // a folder gone for a moment is an empty folder
  while (!stop_signal) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_beat >= kHeartbeat) {
      touch(alive);
      last_beat = now;
    }

    // Report what ended, as a batch job's script would (job_script.h).
    for (const Outcome& o : executor.collect()) {
      auto it = running.find(o.handle);
      if (it == running.end()) continue;
      auto [claimed, work_dir] = it->second;
      running.erase(it);
      int code = o.how == Outcome::How::Exited ? o.exit_code : 128 + (o.signal ? o.signal : SIGKILL);
      if (o.how == Outcome::How::NotStarted) {
        std::ofstream(fs::path(work_dir) / slurm::kSlurmLog, std::ios::app) << "flowc agent: " << o.error << "\n";
        code = 127;
      }
      bool timed_out = o.how == Outcome::How::TimedOut;
      // What the task used (the local executor measured it), before the exit
      // status that makes flowc look.
      if (o.usage) {
        slurm::write_atomically((fs::path(work_dir) / observe::kUsageFile).string(), observe::usage_file_text(*o.usage));
      }
      slurm::write_atomically((fs::path(work_dir) / slurm::kExitFile).string(),
                              fmt::format("{} {}\n", code, timed_out ? 1 : 0));
      fs::remove(claimed, ec);
    }

    // Stop what flowc cancelled.
    for (const auto& e : fs::directory_iterator(dir / "cancel", ec)) {
      std::string seq = e.path().filename().string();
      for (auto& [handle, what] : running) {
        if (fs::path(what.first).stem().string() == seq) {
          executor.cancel(handle);
          fs::remove(e.path(), ec);
        }
      }
    }

    // Pre-fetches that ended: their tasks may start.
    for (const Outcome& o : fetcher.collect()) {
      auto it = fetching.find(o.handle);
      if (it == fetching.end()) continue;
      fetched.insert(it->second);
      fetching.erase(it);
    }

    // Claim what fits, oldest first; while the next waits for cores, ready
    // the inputs of the next few (one copy at a time: it is I/O).
    std::vector<fs::path> inbox;
    for (const auto& e : fs::directory_iterator(dir / "inbox", ec)) {
      if (e.path().extension() == ".task") inbox.push_back(e.path());
    }
    std::sort(inbox.begin(), inbox.end(), [](const fs::path& a, const fs::path& b) {
      return std::stoull(a.stem().string()) < std::stoull(b.stem().string());
    });
    bool full = false;
    int ahead = 0;
    auto is_fetching = [&](const std::string& seq) {
      return std::any_of(fetching.begin(), fetching.end(), [&](const auto& f) { return f.second == seq; });
    };
    for (const fs::path& file : inbox) {
      auto task = parse_task(read_text(file));
      if (!task) continue;  // half-written: flowc writes through a rename, so never; skip it
      std::string seq = file.stem().string();
      if (!full) {
        LaunchSpec spec;
        spec.work_dir = task->work_dir;
        spec.argv = task->argv;
        if (auto path = find_in_path(spec.argv.at(0), task->env)) spec.argv[0] = *path;  // srun
        spec.stdout_path = task->stdout_path;
        spec.stderr_path = task->stderr_path;
        spec.timeout_seconds = task->timeout_seconds;
        spec.cpus = std::max(1, std::min(task->cpus, executor.default_jobs()));
        spec.env = task->env;
        spec.env.insert(spec.env.end(), slurm_env.begin(), slurm_env.end());
        // A task whose inputs are being fetched waits for them (and those
        // after it, to keep the order).
        if (is_fetching(seq) || !executor.has_room(spec)) {
          full = true;
        } else {
          fs::path claimed = dir / "running" / file.filename();
          fs::rename(file, claimed, ec);
          if (ec) continue;  // another agent took it
          uint64_t handle = executor.submit(spec);
          running[handle] = {claimed.string(), task->work_dir};
          fetched.erase(seq);
          unfetch.erase(seq);  // its own run cleans its scratch
          continue;
        }
      }
      if (task->prefetch_argv.empty() || ++ahead > kPrefetchAhead) continue;
      if (!fetching.empty() || fetched.count(seq)) continue;
      LaunchSpec fetch;
      fetch.work_dir = task->work_dir;
      fetch.argv = task->prefetch_argv;
      fetch.stdout_path = (fs::path(task->work_dir) / ".flowc-fetch.log").string();
      fetch.stderr_path = fetch.stdout_path;
      fetch.env = task->env;
      fetching[fetcher.submit(fetch)] = seq;
      unfetch[seq] = task->unfetch_argv;
    }

    if (running.empty() && inbox.empty()) {
      if (fs::exists(dir / "stop")) break;
      auto flowc_age = age_of((dir / "flowc.alive").string());
      if (!flowc_age || *flowc_age > kOrphanSeconds) {
        std::cerr << "flowc agent: flowc is gone and nothing is left to do: leaving\n";
        break;
      }
    }
    std::this_thread::sleep_for(kTick);
  }
  // Copies made for tasks this agent never ran.
  for (const auto& [seq, argv] : unfetch) {
    if (!argv.empty()) capture_output(argv, {}, 60);
  }
  fs::remove(alive);
  return 0;
}

}  // namespace flowc::runtime::pilot
