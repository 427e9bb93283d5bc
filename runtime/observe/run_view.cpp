// Runs and tasks from the journal.
#include "runtime/observe/run_view.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "runtime/observe/monitor.h"

namespace flowc::runtime::observe {
namespace fs = std::filesystem;

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string read_text(const fs::path& path, size_t limit = 1 << 20) {
  std::ifstream in(path, std::ios::binary);
  std::string text(limit, '\0');
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

bool is_hex(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::unique_ptr<Store> open_journal(const std::string& state_dir, std::string* error) {
  fs::path db = fs::path(state_dir) / "flow.db";
  std::error_code ec;
  if (!fs::exists(db, ec)) {
    *error = fmt::format("there is no run here yet (no `{}`); run a workflow first, or give --state-dir", db.string());
    return nullptr;
  }
  try {
    return Store::open_for_reading(db.string());
  } catch (const StoreError& e) {
    *error = e.what();
    return nullptr;
  }
}

bool run_process_alive(const RunRecord& run) {
  int64_t pid = run.meta.is_object() ? run.meta.value("pid", int64_t{0}) : 0;
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  // The pid may have been reused: it must still be a flowc.
  std::string cmdline = read_text(fmt::format("/proc/{}/cmdline", pid), 4096);
  std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
  return fs::path(argv0).filename().string().find("flowc") != std::string::npos;
}

std::string run_state(const RunRecord& run) {
  if (run.status != "running") return run.status;
  return run_process_alive(run) ? "running" : "stopped";
}

std::optional<RunRecord> find_run(Store& store, const std::string& which, std::string* error) {
  if (which.empty() || which == "latest") {
    auto runs = store.recent_runs(1);
    if (runs.empty()) {
      *error = "there is no run here yet";
      return std::nullopt;
    }
    return runs[0];
  }
  if (auto exact = store.run(which)) return exact;
  std::vector<RunRecord> matches;
  for (RunRecord& r : store.recent_runs(100000)) {
    if (r.id.rfind(which, 0) == 0) matches.push_back(std::move(r));
  }
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) {
    *error = fmt::format("there is no run `{}` here; `flowc runs` lists them", which);
  } else {
    *error = fmt::format("`{}` names {} runs ({}, {}, ...); give more of the id", which, matches.size(), matches[0].id,
                         matches[1].id);
  }
  return std::nullopt;
}

std::optional<TaskRecord> find_task(Store& store, const std::string& run_id, const std::string& which,
                                    std::string* error) {
  if (auto t = store.task(run_id, which)) return t;
  std::vector<TaskRecord> tasks = store.task_summaries(run_id);
  // A key prefix (as in a work dir: ab/cdef... or abcdef...).
  std::string key = which;
  key.erase(std::remove(key.begin(), key.end(), '/'), key.end());
  if (key.size() >= 6 && is_hex(key)) {
    std::vector<const TaskRecord*> hits;
    for (const TaskRecord& t : tasks) {
      if (t.key.rfind(key, 0) == 0) hits.push_back(&t);
    }
    if (hits.size() == 1) return store.task(run_id, hits[0]->path);
    if (hits.size() > 1) {
      *error = fmt::format("`{}` is the start of the key of {} tasks of run {} ({}, {}, ...); give more of it", which,
                           hits.size(), run_id, hits[0]->path, hits[1]->path);
      return std::nullopt;
    }
  }
  std::vector<std::string> near;
  for (const TaskRecord& t : tasks) {
    if (t.path.find(which) != std::string::npos || which.find(t.path) != std::string::npos) near.push_back(t.path);
    if (near.size() >= 8) break;
  }
  *error = fmt::format("run {} has no task `{}`", run_id, which);
  if (!near.empty()) {
    *error += "; it has:";
    for (const std::string& n : near) *error += "\n  " + n;
  } else {
    *error += "; name a task by its call path (`main.g[2]`, as `flowc status` shows) or a prefix of its key";
  }
  return std::nullopt;
}

std::string executor_of(const TaskRecord& t) {
  if (t.job.empty()) return t.state == TaskState::Cached ? "" : "local";
  return t.job.substr(0, t.job.find(':'));
}

std::string job_of(const TaskRecord& t) {
  if (!t.job.empty()) {
    size_t colon = t.job.find(':');
    return colon == std::string::npos ? t.job : t.job.substr(colon + 1);
  }
  return t.pid > 0 ? fmt::format("pid {}", t.pid) : "";
}

std::string log_path(const TaskRecord& t, bool stderr_log) {
  return (fs::path(t.work_dir) / (stderr_log ? ".stderr" : ".stdout")).string();
}

RunSummary start_summary(const RunRecord& run) {
  RunSummary s;
  s.run = run;
  s.state = run_state(run);
  s.duration = (run.finished > 0 ? run.finished : now_seconds()) - run.started;
  return s;
}

void add_to_summary(RunSummary& s, const TaskRecord& t) {
  ++s.total;
  std::string state(state_name(t.state));
  ++s.by_state[state];
  ++s.by_op[t.op][state];
  if (t.usage.is_object()) s.cpu_seconds += t.usage.value("user", 0.0) + t.usage.value("sys", 0.0);
}

RunSummary summarize(const RunRecord& run, const std::vector<TaskRecord>& tasks) {
  RunSummary s = start_summary(run);
  for (const TaskRecord& t : tasks) add_to_summary(s, t);
  return s;
}

RunSummary summarize_counts(Store& store, const RunRecord& run, bool by_op) {
  RunSummary s = start_summary(run);
  if (!by_op) {
    for (const auto& [state, n] : store.state_counts(run.id)) {
      s.by_state[state] += n;
      s.total += n;
    }
    return s;
  }
  for (const auto& [op, state, n] : store.op_state_counts(run.id)) {
    s.by_state[state] += n;
    s.by_op[op][state] += n;
    s.total += n;
  }
  s.cpu_seconds = store.cpu_seconds(run.id);
  return s;
}

std::string file_tail(const std::string& path, size_t max_lines, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(std::max<std::streamoff>(0, in.tellg()));
  size_t from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string text(size - from, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (from > 0) {
    size_t newline = text.find('\n');  // a cut line is not shown
    text = newline == std::string::npos ? text : text.substr(newline + 1);
  }
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;  // the last line's own newline
  size_t begin = end, lines = 0;
  while (begin > 0) {
    if (text[begin - 1] == '\n' && ++lines == max_lines) break;
    --begin;
  }
  return text.substr(begin);
}

std::string local_time(double epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

Value run_json(const RunSummary& s) {
  Value j = {{"id", s.run.id},         {"state", s.state}, {"started", s.run.started},
             {"duration", s.duration}, {"tasks", s.total}, {"counts", Value::object()}};
  if (s.run.finished > 0) j["finished"] = s.run.finished;
  if (s.run.meta.is_object()) {
    j["workflow"] = s.run.meta.value("workflow", "");
    j["source"] = s.run.meta.value("source", "");
    j["cwd"] = s.run.meta.value("cwd", "");
  }
  for (const auto& [state, n] : s.by_state) j["counts"][state] = n;
  if (!s.by_op.empty()) {
    j["ops"] = Value::object();
    for (const auto& [op, states] : s.by_op) {
      Value counts = Value::object();
      for (const auto& [state, n] : states) counts[state] = n;
      j["ops"][op] = counts;
    }
    j["cpu_seconds"] = s.cpu_seconds;
  }
  return j;
}

Value task_json(const TaskRecord& t, bool detail) {
  Value j = {{"path", t.path},
             {"key", t.key},
             {"op", t.op},
             {"state", std::string(state_name(t.state))},
             {"attempt", t.attempt},
             {"started", t.started},
             {"work_dir", t.work_dir},
             {"executor", executor_of(t)},
             {"job", job_of(t)}};
  if (t.finished > 0) {
    j["finished"] = t.finished;
    j["duration"] = t.finished - t.started;
  }
  if (t.exit_code >= 0 && t.state != TaskState::Running) j["exit_code"] = t.exit_code;
  if (t.usage.is_object()) j["usage"] = t.usage;
  if (!t.error.empty()) j["error"] = detail ? t.error : t.error.substr(0, t.error.find('\n'));
  if (t.state == TaskState::Running && !t.work_dir.empty()) {
    if (std::string p = reported_progress(t.work_dir); !p.empty()) j["progress"] = p;
  }
  if (detail) {
    if (t.manifest.is_object() && t.manifest.contains("inputs")) j["inputs"] = t.manifest["inputs"];
    if (t.manifest.is_object() && t.manifest.contains("cache_miss")) j["cache_miss"] = t.manifest["cache_miss"];
    j["command"] = read_text(fs::path(t.work_dir) / ".command.sh", 64 * 1024);
    j["stdout"] = log_path(t, false);
    j["stderr"] = log_path(t, true);
  }
  return j;
}

}  // namespace flowc::runtime::observe
