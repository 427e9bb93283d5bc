// flowc runs, status, logs, show: a state folder's runs and tasks, read from
// its journal while runs go on (runtime/observe/run_view.h).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "cli/journal_helpers.h"
#include "runtime/observe/control.h"
#include "runtime/observe/monitor.h"
#include "runtime/observe/run_view.h"
#include "runtime/observe/table_text.h"

namespace flowc::cli {
namespace fs = std::filesystem;
namespace obs = runtime::observe;
using runtime::TaskRecord;
using runtime::Value;

namespace {

std::string counts_text(const std::map<std::string, size_t>& by_state) {
  auto n = [&](const char* s) {
    auto it = by_state.find(s);
    return it == by_state.end() ? size_t{0} : it->second;
  };
  return fmt::format("{}/{}/{}", n("succeeded"), n("cached"), n("failed"));
}

}  // namespace

int cmd_runs(const ObserveOptions& options) {
  auto store = open_journal_or_say(options);
  if (!store) return kExitUsage;
  Value all = Value::array();
  obs::TextTable table({"RUN", "WORKFLOW", "STARTED", "DURATION", "STATE", "RAN/CACHED/FAILED"});
  for (const runtime::RunRecord& run : store->recent_runs(options.limit)) {
    obs::RunSummary s = obs::summarize_counts(*store, run);
    if (options.json) {
      all.push_back(obs::run_json(s));
      continue;
    }
    table.add({run.id, run.meta.is_object() ? run.meta.value("workflow", "") : "", obs::local_time(run.started),
               obs::duration_text(s.duration), s.state, counts_text(s.by_state)});
  }
  if (options.json) {
    std::cout << all.dump(2) << "\n";
  } else if (table.empty()) {
    std::cerr << "flowc: no run here yet\n";
  } else {
    std::cout << table.text();
  }
  return kExitOk;
}

int cmd_status(const ObserveOptions& options) {
  auto chosen = chosen_run(options);
  if (!chosen) return kExitUsage;
  auto& store = chosen->store;
  const runtime::RunRecord* run = &chosen->run;
  std::vector<TaskRecord> tasks = store->task_summaries(run->id);
  obs::RunSummary s = obs::summarize(*run, tasks);
  if (options.json) {
    Value j = obs::run_json(s);
    j["running"] = Value::array();
    j["failed"] = Value::array();
    for (const TaskRecord& t : tasks) {
      if (t.state == runtime::TaskState::Running) j["running"].push_back(obs::task_json(t, false));
      if (t.state == runtime::TaskState::Failed) {
        Value f = obs::task_json(t, false);
        f["error"] = t.error;
        f["stderr"] = obs::log_path(t, true);
        j["failed"].push_back(f);
      }
    }
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("run {} ({}): {}, started {}, {} {}\n", run->id,
                           run->meta.is_object() ? run->meta.value("workflow", "?") : "?", s.state,
                           obs::local_time(run->started), s.state == "running" ? "running for" : "took",
                           obs::duration_text(s.duration));
  if (s.state == "stopped") {
    std::cout << "  its flowc is gone (killed?): what it journaled is kept; `flowc run` again resumes\n";
  }
  obs::TextTable ops({"OP", "SUCCEEDED", "CACHED", "RUNNING", "FAILED", "OTHER"});
  for (const auto& [op, states] : s.by_op) {
    size_t other = 0;
    auto n = [&states = states](const char* st) {  // clang 14 cannot capture a structured binding by [&]
      auto it = states.find(st);
      return it == states.end() ? size_t{0} : it->second;
    };
    for (const auto& [state, count] : states) {
      if (state != "succeeded" && state != "cached" && state != "running" && state != "failed") other += count;
    }
    ops.add({op, std::to_string(n("succeeded")), std::to_string(n("cached")), std::to_string(n("running")),
             std::to_string(n("failed")), std::to_string(other)});
  }
  std::cout << "\n" << ops.text();
  obs::TextTable running({"RUNNING", "OP", "FOR", "EXECUTOR", "JOB", "PROGRESS"});
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const TaskRecord& t : tasks) {
    if (t.state != runtime::TaskState::Running) continue;
    running.add({t.path, t.op, obs::duration_text(now - t.started), obs::executor_of(t), obs::job_of(t),
                 obs::reported_progress(t.work_dir)});
  }
  if (!running.empty()) std::cout << "\n" << running.text();
  bool any_failed = false;
  for (const TaskRecord& t : tasks) {
    if (t.state != runtime::TaskState::Failed) continue;
    if (!any_failed) std::cout << "\nfailed:\n";
    any_failed = true;
    std::cout << fmt::format("  {} ({}): {}\n    stderr: {}\n", t.path, t.op, t.error.substr(0, t.error.find('\n')),
                             obs::log_path(t, true));
  }
  return kExitOk;
}

// The task a logs/show command names, in the run it names (default: the
// newest run that has it).
static std::optional<TaskRecord> chosen_task(runtime::Store& store, const ObserveOptions& options) {
  std::string error;
  if (!options.run.empty()) {
    auto run = obs::find_run(store, options.run, &error);
    if (!run) {
      print_error(error);
      return std::nullopt;
    }
    auto t = obs::find_task(store, run->id, options.task, &error);
    if (!t) print_error(error);
    return t;
  }
  std::string first_error;
  for (const runtime::RunRecord& run : store.recent_runs(20)) {
    if (auto t = obs::find_task(store, run.id, options.task, &error)) return t;
    if (first_error.empty()) first_error = error;
  }
  print_error(first_error.empty() ? "there is no run here yet" : first_error);
  return std::nullopt;
}

int cmd_logs(const ObserveOptions& options) {
  auto store = open_journal_or_say(options);
  if (!store) return kExitUsage;
  auto task = chosen_task(*store, options);
  if (!task) return kExitErrors;
  std::string path = obs::log_path(*task, options.stderr_log);
  std::ifstream in(path, std::ios::binary);
  if (!in && !options.follow) {
    print_error(fmt::format("{} has no {} yet (`{}`)", task->path, options.stderr_log ? "stderr" : "stdout", path));
    return kExitErrors;
  }
  char buffer[1 << 16];
  auto pump = [&] {
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      std::cout.write(buffer, in.gcount());
      if (in.eof()) break;
    }
    in.clear();
    std::cout.flush();
  };
  pump();
  if (!options.follow) return kExitOk;
  // Follow while the task runs (as its journal says), then print what is left.
  auto checked = std::chrono::steady_clock::now();
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!in.is_open()) in.open(path, std::ios::binary);
    pump();
    if (std::chrono::steady_clock::now() - checked < std::chrono::milliseconds(500)) continue;
    checked = std::chrono::steady_clock::now();
    auto now = store->task(task->run_id, task->path);
    auto run = store->run(task->run_id);
    bool running = now && now->state == runtime::TaskState::Running && run && obs::run_state(*run) == "running";
    if (!running) {
      pump();
      return kExitOk;
    }
  }
}

int cmd_show(const ObserveOptions& options) {
  auto store = open_journal_or_say(options);
  if (!store) return kExitUsage;
  auto task = chosen_task(*store, options);
  if (!task) return kExitErrors;
  Value j = obs::task_json(*task, true);
  j["run"] = task->run_id;
  if (auto entry = store->cache_find(task->key)) j["outputs"] = entry->outputs;
  if (options.json) {
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  const TaskRecord& t = *task;
  std::cout << fmt::format("task {} (op `{}`) of run {}: {}", t.path, t.op, t.run_id, state_name(t.state));
  if (j.contains("exit_code")) std::cout << fmt::format(", exit {}", t.exit_code);
  std::cout << "\n";
  std::cout << fmt::format("  key:       {}\n  work dir:  {}\n", t.key, t.work_dir);
  if (t.state != runtime::TaskState::Cached) {
    std::cout << fmt::format("  executor:  {}{}\n", obs::executor_of(t),
                             obs::job_of(t).empty() ? "" : " (" + obs::job_of(t) + ")");
    std::cout << fmt::format("  attempts:  {}\n", t.attempt);
  }
  std::cout << fmt::format("  started:   {}\n", obs::local_time(t.started));
  if (t.finished > 0) {
    std::cout << fmt::format("  finished:  {} ({})\n", obs::local_time(t.finished),
                             obs::duration_text(t.finished - t.started));
  }
  if (t.usage.is_object()) std::cout << "  resources: " << obs::usage_text(t.usage) << "\n";
  if (j.contains("progress")) std::cout << "  progress:  " << j["progress"].get<std::string>() << "\n";
  if (j.contains("cache_miss")) std::cout << "  ran because: " << j["cache_miss"].get<std::string>() << "\n";
  if (j.contains("inputs")) {
    std::cout << "inputs:\n";
    for (auto& [name, v] : j["inputs"].items()) std::cout << fmt::format("  {} = {}\n", name, obs::short_json(v, 200));
  }
  if (j.contains("outputs")) {
    std::cout << "outputs:\n";
    for (auto& [name, v] : j["outputs"].items()) std::cout << fmt::format("  {} = {}\n", name, obs::short_json(v, 200));
  }
  if (!t.error.empty()) std::cout << "error:\n  " << t.error << "\n";
  std::string command = j.value("command", "");
  if (!command.empty()) {
    std::cout << fmt::format("command ({}):\n", (fs::path(t.work_dir) / ".command.sh").string());
    std::istringstream lines(command);
    for (std::string line; std::getline(lines, line);) std::cout << "  " << line << "\n";
  }
  std::cout << fmt::format("logs: {} and {} (`flowc logs {}{}`)\n", obs::log_path(t, false), obs::log_path(t, true),
                           t.path, options.run.empty() ? "" : " --run " + t.run_id);
  return kExitOk;
}

int cmd_cancel(const ObserveOptions& options) {
  auto chosen = chosen_run(options);
  if (!chosen) return kExitUsage;
  auto& store = chosen->store;
  const runtime::RunRecord* run = &chosen->run;
  std::cerr << fmt::format("flowc: stopping run {} (its running tasks are stopped and journaled)\n", run->id);
  if (std::string why = obs::cancel_run(*store, *run, 120); !why.empty()) {
    print_error(why);
    return kExitErrors;
  }
  auto now = store->run(run->id);
  std::cerr << fmt::format("flowc: run {} {}\n", run->id, now ? obs::run_state(*now) : "ended");
  return kExitOk;
}

// flowc run --detach: the same run in the background; prints its id.
int run_detached(const RunCommandOptions& options) {
  auto started = obs::start_detached(options.raw_args, ".", options.state_dir);
  if (auto* why = std::get_if<std::string>(&started)) {
    print_error(*why);
    return kExitUsage;
  }
  const auto& d = std::get<obs::Detached>(started);
  std::cout << d.run_id << "\n";
  std::cerr << fmt::format(
      "flowc: run {} started in the background (pid {}); its output: {}\n"
      "flowc: follow it with `flowc status {}`, stop it with `flowc cancel {}`\n",
      d.run_id, d.pid, d.log, d.run_id, d.run_id);
  return kExitOk;
}

}  // namespace flowc::cli
