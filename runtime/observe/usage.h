// What a task used (ResourceUsage, runtime/executors/executor.h) as the
// journal keeps it, and as the measurement file a wrapper leaves in a work
// dir when the task ran where flowc cannot wait for it (a Slurm job, a pilot
// task, a container).
//
// In the journal (tasks.usage, JSON; absent fields were not measured):
//   {"wall": 1.52, "user": 1.01, "sys": 0.03, "rss": 210763776,
//    "read": 4096, "written": 1048576, "source": "rusage",
//    "requested": {"cpus": 1, "mem": 268435456, "time": 3600}}
// The measurement file, `.flowc-usage`: one "name value" per line, names
// source, wall_seconds, user_seconds, system_seconds (or user_ticks and
// system_ticks, in clock ticks, as cgroup v1's cpuacct.stat gives them),
// peak_rss_bytes, read_bytes, written_bytes. Unknown names are skipped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/executors/executor.h"
#include "runtime/value/value.h"

namespace flowc::runtime::observe {

inline constexpr const char* kUsageFile = ".flowc-usage";

Value usage_json(const ResourceUsage& usage);
std::optional<ResourceUsage> usage_from_json(const Value& json);
// What the op asked for, as the executor was told: {"cpus", "mem", "time"}.
Value requested_json(const LaunchSpec& spec);

// The file's text for `usage`, and reading it back from a work dir.
std::string usage_file_text(const ResourceUsage& usage);
std::optional<ResourceUsage> parse_usage_file(const std::string& text);
std::optional<ResourceUsage> read_usage_file(const std::string& work_dir);

// `argv` run inside a container, then what the container used, from its own
// cgroup (v1: memory.max_usage_in_bytes, cpuacct.stat; v2: memory.peak,
// cpu.stat) and the shell's /proc/self/io (which holds its reaped
// children's), written to the measurement file in the work dir. Needs only a
// POSIX shell in the image.
std::vector<std::string> cgroup_measured(const std::vector<std::string>& argv);

// What the journal keeps of a task's end: the usage measured and what it
// asked for. `inside`: the task ran in a container whose wrapper measured it
// (the file in its work dir), which knows the task rather than `podman run`.
// Null when it never started.
Value journal_usage(const Outcome& outcome, const LaunchSpec& spec, bool inside);

}  // namespace flowc::runtime::observe
