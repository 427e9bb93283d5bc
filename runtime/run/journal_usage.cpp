// A task's end as the journal keeps it (journal_usage.h).
#include "runtime/run/journal_usage.h"

#include "runtime/observe/usage.h"

namespace flowc::runtime {

using observe::read_usage_file;
using observe::usage_json;

Value requested_json(const LaunchSpec& spec) {
  Value r = Value::object();
  r["cpus"] = spec.mpi_ranks > 0 ? spec.cpus * spec.mpi_ranks : spec.cpus;
  if (spec.mem_bytes > 0) r["mem"] = spec.mem_bytes;
  if (spec.time_limit_seconds > 0) r["time"] = spec.time_limit_seconds;
  return r;
}

Value journal_usage(const Outcome& outcome, const LaunchSpec& spec, bool inside) {
  if (outcome.how == Outcome::How::NotStarted) return Value();
  std::optional<ResourceUsage> usage = outcome.usage;
  if (inside) {
    // Measured in the container, or not at all: what the host measured is
    // the engine's client (`podman run`), not the task.
    usage = read_usage_file(spec.work_dir);
    if (usage && usage->wall_seconds <= 0) usage->wall_seconds = outcome.seconds;
  }
  Value j = usage ? usage_json(*usage) : Value::object({{"wall", outcome.seconds}});
  j["requested"] = requested_json(spec);
  return j;
}

}  // namespace flowc::runtime
