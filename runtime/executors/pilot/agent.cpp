// The agent's loop: claim, run (through the local executor), report, heartbeat.
#include "runtime/executors/pilot/agent.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
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
#include "runtime/executors/pilot/span.h"
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
// How long a task pre-fetched on one node waits for that node before
// another agent may take it (and fetch its inputs itself).
constexpr double kWarmPatience = 10;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A number in the environment (Slurm's), or 0.
int64_t env_number(const char* name) {
  const char* text = std::getenv(name);
  if (!text) return 0;
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return 0;
  }
}

// Pins an MPI task's `srun` step (its argv, perhaps behind a staging
// script) to `nodes`.
void pin_step(std::vector<std::string>& argv, const std::vector<std::string>& nodes) {
  auto srun =
      std::find_if(argv.begin(), argv.end(), [](const std::string& a) { return fs::path(a).filename() == "srun"; });
  if (srun == argv.end()) return;
  // Block distribution: neighbouring ranks share a node (the allocation's
  // environment says cyclic).
  argv.insert(srun + 1, {fmt::format("--nodes={}", nodes.size()), fmt::format("--nodelist={}", fmt::join(nodes, ",")),
                         "--distribution=block"});
}

volatile std::sig_atomic_t stop_signal = 0;
void on_signal(int sig) { stop_signal = sig; }

}  // namespace

int run_agent(const std::string& dir_text) {
  fs::path dir(dir_text);
  std::error_code ec0;
  std::string error;
  if (!make_channel(dir_text, &error)) {
    std::cerr << "flowc agent: " << error << "\n";
    return 2;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  char host_name[256] = "node";
  ::gethostname(host_name, sizeof host_name - 1);
  const std::string host = host_name;
  std::string alive = (dir / fmt::format("agent.{}.alive", host)).string();
  fs::path given_up = dir / fmt::format("lost.{}", host);
  fs::path claimed_dir = dir / "running" / host;
  fs::create_directories(claimed_dir, ec0);

  // The allocation's own variables (SLURM_JOB_ID...) go to every task, so
  // that an MPI task's srun starts a step of this allocation.
  std::vector<std::string> slurm_env;
  for (char** e = environ; *e; ++e) {
    if (std::string_view(*e).rfind("SLURM_", 0) == 0) slurm_env.emplace_back(*e);
  }

  LocalExecutor executor(std::chrono::seconds(3));
  // What Slurm gave this node's share of the allocation, when it says:
  // tasks are placed by their cpus and memory within that.
  executor.hold_to(static_cast<int>(env_number("SLURM_CPUS_ON_NODE")), env_number("SLURM_MEM_PER_NODE") << 20);
  // Copies inputs to scratch for tasks still waiting (PilotTask::prefetch_argv).
  LocalExecutor fetcher(std::chrono::seconds(3));
  std::map<uint64_t, std::string> fetching;                         // handle → the task's seq
  std::set<std::string> fetched;                                    // seqs whose pre-fetch ended
  std::map<std::string, std::vector<std::string>> unfetch;          // seq → how to drop its copies
  std::map<uint64_t, std::pair<std::string, std::string>> running;  // handle → (seq file, work dir)
  std::error_code ec;                                               // a folder gone for a moment is an empty folder
  // MPI tasks: pinned to this node, or spanning several (span.h).
  const int node_cpus = executor.default_jobs();
  const int job_nodes = static_cast<int>(env_number("SLURM_JOB_NUM_NODES"));
  const bool many_nodes = job_nodes > 1;
  Span span(dir, host);
  bool span_started = false;
  // Reports what ended, as a batch job's script would (job_script.h).
  // `only_exited`: only commands that exited by themselves (the agent is
  // being stopped: what its stop killed is not an end to report, it runs
  // again in the next attempt).
  auto report_ended = [&](bool only_exited) {
    for (const Outcome& o : executor.collect()) {
      auto it = running.find(o.handle);
      if (it == running.end()) continue;
      auto [claimed, work_dir] = it->second;
      running.erase(it);
      if (span_started && fs::path(claimed).stem().string() == span.seq()) {
        span.end();  // its nodes are free again
        span_started = false;
      }
      if (only_exited && o.how != Outcome::How::Exited) continue;
      int code = o.how == Outcome::How::Exited ? o.exit_code : 128 + (o.signal ? o.signal : SIGKILL);
      if (o.how == Outcome::How::NotStarted) {
        std::ofstream(fs::path(work_dir) / slurm::kSlurmLog, std::ios::app) << "flowc agent: " << o.error << "\n";
        code = 127;
      }
      bool timed_out = o.how == Outcome::How::TimedOut;
      // What the task used (the local executor measured it), before the exit
      // status that makes flowc look.
      if (o.usage) {
        slurm::write_atomically((fs::path(work_dir) / observe::kUsageFile).string(),
                                observe::usage_file_text(*o.usage));
      }
      slurm::write_atomically((fs::path(work_dir) / slurm::kExitFile).string(),
                              fmt::format("{} {}\n", code, timed_out ? 1 : 0));
      fs::remove(claimed, ec);
    }
  };
  auto last_beat = std::chrono::steady_clock::now() - kHeartbeat;
  std::cerr << fmt::format("flowc agent: on {} with {} cpus, taking tasks from {}\n", host, executor.default_jobs(),
                           dir.string());
  while (!stop_signal) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_beat >= kHeartbeat) {
      touch(alive);
      last_beat = now;
    }

    // flowc gave this node up (its heartbeat did not reach it in time): its
    // tasks were reported and may run elsewhere now, in the same work dirs.
    // Stop them and leave without a word, so no late exit status is taken
    // for a new attempt's.
    if (fs::exists(given_up, ec)) {
      std::cerr << "flowc agent: flowc gave this node up: stopping " << running.size() << " tasks and leaving\n";
      for (auto& [handle, what] : running) executor.cancel(handle);
      for (int i = 0; i < 2000 && executor.running() > 0; ++i) {
        executor.collect();
        std::this_thread::sleep_for(kTick);
      }
      fs::remove(alive, ec);
      return 0;
    }

    report_ended(false);

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
      // The task waits for this node from now on (kWarmPatience).
      fs::path marker = dir / "warm" / it->second;
      if (fs::exists(marker, ec)) touch(marker.string());
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
    // Held for another agent's spanning step, or draining for its own: no
    // new task here.
    bool full = held_for_span(dir, host, running.empty()) || (!span.seq().empty() && !span_started);
    int ahead = 0, looked_past_full = 0;
    auto is_fetching = [&](const std::string& seq) {
      return std::any_of(fetching.begin(), fetching.end(), [&](const auto& f) { return f.second == seq; });
    };
    // Tasks pre-fetched to a node are left to it (DP's warm-up) while its
    // agent lives and for kWarmPatience after the copy ended: it takes them
    // as soon as it has room, and the others take the tasks after them.
    std::map<std::string, Warm> warm = read_warm(dir.string());
    auto warm_elsewhere = [&](const std::string& seq) {
      auto w = warm.find(seq);
      if (w == warm.end() || w->second.node == host || w->second.age > kWarmPatience) return false;
      return !fs::exists(dir / ("lost." + w->second.node), ec);
    };
    for (const fs::path& file : inbox) {
      std::string seq = file.stem().string();
      if (warm_elsewhere(seq)) continue;
      // Once the node is full only the next few matter (to pre-fetch):
      // reading every waiting task at every tick costs more than the tasks.
      if (full && ++looked_past_full > kPrefetchAhead) {
        if (span.seq().empty() || span_started) break;
        if (seq != span.seq()) continue;  // the task it drains its node for may be further on
      }
      auto task = parse_task(read_text(file));
      if (!task) continue;  // half-written: flowc writes through a rename, so never; skip it
      // An MPI task with more ranks than this node has cores: the first
      // agent free to place it holds the nodes it needs, one such task at a
      // time, and starts it once they are all idle.
      bool spanning = span.seq() == seq && !span_started;
      if (!full && !spanning && span.seq().empty() && task->ranks > 0 && task->cpus > node_cpus) {
        int nodes = nodes_needed(task->cpus, node_cpus, usable_nodes(dir, job_nodes));
        if (nodes > 1 && span.begin(seq, nodes)) {
          spanning = true;
          full = true;
        } else if (nodes > 1) {
          continue;  // another agent places one now, or the agents it needs are not all up yet
        }
      }
      if (spanning) {
        if (!running.empty() || !span.others_ready()) continue;
        full = false;
      }
      if (!full) {
        LaunchSpec spec;
        spec.work_dir = task->work_dir;
        spec.argv = task->argv;
        if (auto path = find_in_path(spec.argv.at(0), task->env)) spec.argv[0] = *path;  // srun
        spec.stdout_path = task->stdout_path;
        spec.stderr_path = task->stderr_path;
        spec.timeout_seconds = task->timeout_seconds;
        spec.cpus = std::max(1, std::min(task->cpus, executor.default_jobs()));
        if (spanning) {
          pin_step(spec.argv, span.nodes());
        } else if (task->ranks > 0 && many_nodes) {
          pin_step(spec.argv, {host});
        }
        spec.mem_bytes = task->mem_bytes;
        spec.env = task->env;
        spec.env.insert(spec.env.end(), slurm_env.begin(), slurm_env.end());
        // A task whose inputs are being fetched waits for them (and those
        // after it, to keep the order).
        if (is_fetching(seq) || !executor.has_room(spec)) {
          full = true;
        } else {
          fs::path claimed = claimed_dir / file.filename();
          fs::rename(file, claimed, ec);
          if (ec) continue;  // another agent took it
          uint64_t handle = executor.submit(spec);
          running[handle] = {claimed.string(), task->work_dir};
          if (spanning) {
            span_started = true;
            full = true;  // the whole node is the step's
          }
          fetched.erase(seq);
          unfetch.erase(seq);  // its own run cleans its scratch
          if (warm.count(seq)) fs::remove(dir / "warm" / seq, ec);
          continue;
        }
      }
      if (task->prefetch_argv.empty() || ++ahead > kPrefetchAhead) continue;
      if (!fetching.empty() || fetched.count(seq)) continue;
      // Another node's (it waited too long for it), or one agent's alone.
      if (warm.count(seq) || !mark_warm(dir.string(), seq, host)) continue;
      LaunchSpec fetch;
      fetch.work_dir = task->work_dir;
      fetch.argv = task->prefetch_argv;
      fetch.stdout_path = (fs::path(task->work_dir) / ".flowc-fetch.log").string();
      fetch.stderr_path = fetch.stdout_path;
      fetch.env = task->env;
      fetching[fetcher.submit(fetch)] = seq;
      unfetch[seq] = task->unfetch_argv;
    }

    // A spanning task that left the inbox before it started (cancelled):
    // its nodes are let go.
    if (!span.seq().empty() && !span_started &&
        std::none_of(inbox.begin(), inbox.end(), [&](const fs::path& f) { return f.stem() == span.seq(); })) {
      span.end();
    }

    // Copies for tasks that left the inbox without this agent running them
    // (another node's agent took them, fetching its own copy; flowc
    // cancelled them): this node's scratch is its own, nobody reads them.
    for (auto it = unfetch.begin(); it != unfetch.end();) {
      const std::string& seq = it->first;
      bool waits = std::any_of(inbox.begin(), inbox.end(), [&](const fs::path& f) { return f.stem() == seq; });
      if (waits || is_fetching(seq)) {
        ++it;
        continue;
      }
      if (!it->second.empty()) capture_output(it->second, {}, 60);
      fs::remove(dir / "warm" / seq, ec);
      fetched.erase(seq);
      it = unfetch.erase(it);
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
  // Stopped (scancel, the allocation's end): a command that finished just
  // before is reported all the same, or the next attempt would run it again.
  if (stop_signal) report_ended(true);
  // Copies made for tasks this agent never ran.
  for (const auto& [seq, argv] : unfetch) {
    if (!argv.empty()) capture_output(argv, {}, 60);
    fs::remove(dir / "warm" / seq, ec);
  }
  fs::remove(alive);
  return 0;
}

}  // namespace flowc::runtime::pilot
