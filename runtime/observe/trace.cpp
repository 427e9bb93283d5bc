// The trace TSV.
#include "runtime/observe/trace.h"

#include <cmath>

#include <fmt/format.h>

#include "runtime/observe/run_view.h"

namespace flowc::runtime::observe {
namespace {

// Nextflow's names for a task's state.
std::string status_of(TaskState state) {
  switch (state) {
    case TaskState::Succeeded: return "COMPLETED";
    case TaskState::Cached: return "CACHED";
    case TaskState::Failed: return "FAILED";
    case TaskState::Running: return "RUNNING";
    case TaskState::Cancelled: return "ABORTED";
    case TaskState::Queued:
    case TaskState::Absent: return "-";
  }
  return "-";
}

// Nextflow's Duration.toString: "15ms", "1.2s", "2m 3s", "1h 2m 3s".
std::string nf_duration(double seconds) {
  if (seconds < 1) return fmt::format("{}ms", std::lround(seconds * 1000));
  if (seconds < 60) return fmt::format("{:.1f}s", seconds);
  auto s = std::lround(seconds);
  if (s < 3600) return fmt::format("{}m {}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h {}m {}s", s / 3600, (s % 3600) / 60, s % 60);
  return fmt::format("{}d {}h {}m {}s", s / 86400, (s % 86400) / 3600, (s % 3600) / 60, s % 60);
}

// Nextflow's MemoryUnit.toString: 1024-based, "B KB MB GB TB".
std::string nf_memory(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string nf_date(double epoch) {
  return fmt::format("{}.{:03}", local_time(epoch), static_cast<int>(std::fmod(epoch, 1.0) * 1000));
}

}  // namespace

std::string trace_tsv(const std::vector<TaskRecord>& tasks, bool raw) {
  std::string out =
      "task_id\thash\tnative_id\tprocess\tname\tstatus\texit\tattempt\tcpus\tmemory\ttime\tsubmit\tstart\tcomplete\t"
      "duration\trealtime\t%cpu\tpeak_rss\trchar\twchar\tworkdir\n";
  auto date = [&](double t) {
    return t <= 0 ? std::string("-") : raw ? fmt::format("{}", std::llround(t * 1000)) : nf_date(t);
  };
  auto span = [&](double s) { return raw ? fmt::format("{}", std::llround(s * 1000)) : nf_duration(s); };
  auto bytes = [&](const Value& u, const char* key) {
    if (!u.is_object() || !u.contains(key)) return std::string("-");
    double b = u.value(key, 0.0);
    return raw ? fmt::format("{:.0f}", b) : nf_memory(b);
  };
  size_t id = 0;
  for (const TaskRecord& t : tasks) {
    const Value& u = t.usage;
    Value requested = u.is_object() ? u.value("requested", Value::object()) : Value::object();
    std::string hash = t.key.size() >= 8 ? t.key.substr(0, 2) + "/" + t.key.substr(2, 6) : "-";
    std::string cpu = "-", realtime = "-";
    if (u.is_object() && u.contains("user")) {
      double wall = u.value("wall", 0.0);
      double used = u.value("user", 0.0) + u.value("sys", 0.0);
      cpu = wall > 0 ? fmt::format("{:.1f}%", 100 * used / wall) : "-";
      realtime = span(wall);
    } else if (u.is_object()) {
      realtime = span(u.value("wall", 0.0));
    }
    bool ended = t.finished > 0;
    out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", ++id,
                       hash, job_of(t).empty() ? "-" : job_of(t), t.op, t.path, status_of(t.state),
                       ended && t.exit_code >= 0 ? std::to_string(t.exit_code) : "-", t.attempt,
                       requested.contains("cpus") ? std::to_string(requested.value("cpus", 1)) : "-",
                       bytes(requested, "mem"), requested.contains("time") ? span(requested.value("time", 0.0)) : "-",
                       date(t.started), date(t.started), ended ? date(t.finished) : "-",
                       ended ? span(t.finished - t.started) : "-", realtime, cpu, bytes(u, "rss"), bytes(u, "read"),
                       bytes(u, "written"), t.work_dir);
  }
  return out;
}

}  // namespace flowc::runtime::observe
