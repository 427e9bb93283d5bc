// sbatch / squeue / scancel / sinfo, run through runtime/process/run_captured.
#include "runtime/executors/slurm/slurm_cli.h"

#include <algorithm>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "runtime/executors/slurm/command.h"
#include "runtime/process/run_captured.h"
#include "runtime/executors/slurm/job_array.h"

namespace flowc::runtime::slurm {
namespace {

// A query or cancel that takes longer than this means Slurm is not answering.
constexpr double kQuerySeconds = 30;

// The real tools, run to their end or a deadline.
class RealCommands : public Commands {
 public:
  Captured run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               double timeout_seconds) override {
    return capture_output(argv, env, timeout_seconds);
  }
};

RealCommands real_commands;
Commands* commands = &real_commands;

Captured run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env, double timeout) {
  return commands->run(argv, env, timeout);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t start = s.find_first_not_of(" \n");
  return start == std::string::npos ? std::string() : s.substr(start);
}

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

}  // namespace

UseCommands::UseCommands(Commands& c) : previous_(commands) { commands = &c; }
UseCommands::~UseCommands() { commands = previous_; }

State parse_state(const std::string& text) {
  static const std::map<std::string, State> states = {
      {"PENDING", State::Pending},       {"REQUEUED", State::Pending},    {"REQUEUE_HOLD", State::Pending},
      {"REQUEUE_FED", State::Pending},   {"SUSPENDED", State::Pending},   {"STOPPED", State::Pending},
      {"RESV_DEL_HOLD", State::Pending}, {"RUNNING", State::Running},     {"CONFIGURING", State::Running},
      {"COMPLETING", State::Running},    {"RESIZING", State::Running},    {"SIGNALING", State::Running},
      {"STAGE_OUT", State::Running},     {"COMPLETED", State::Completed}, {"FAILED", State::Failed},
      {"TIMEOUT", State::Timeout},       {"DEADLINE", State::Timeout},    {"CANCELLED", State::Cancelled},
      {"NODE_FAIL", State::NodeFail},    {"BOOT_FAIL", State::NodeFail},  {"OUT_OF_MEMORY", State::OutOfMemory},
      {"PREEMPTED", State::Preempted},   {"REVOKED", State::Cancelled},   {"SPECIAL_EXIT", State::Failed},
  };
  // "CANCELLED by 0" (scontrol) and "CANCELLED+" (sacct) name the same state.
  std::string word = text.substr(0, text.find_first_of(" +"));
  auto it = states.find(word);
  return it == states.end() ? State::Running : it->second;
}

bool is_finished(State state) { return state != State::Pending && state != State::Running; }

std::optional<std::string> never_starts(const std::string& reason) {
  static const std::map<std::string, std::string> never = {
      {"PartitionConfig", "it asks for more cpus, memory or gpus than the partition's nodes have"},
      {"PartitionTimeLimit", "its time limit is above the partition's"},
      {"BadConstraints", "no node meets its constraints"},
      {"InvalidAccount", "its account is not valid"},
      {"InvalidQOS", "its QOS is not valid"},
  };
  auto it = never.find(reason);
  if (it == never.end()) return std::nullopt;
  return it->second;
}

std::optional<std::map<std::string, JobStatus>> query_jobs(const std::vector<std::string>& ids, std::string* error) {
  std::map<std::string, JobStatus> known;
  if (ids.empty()) return known;
  // An array element ("123_4") is asked for through its array ("123"), once
  // for all its elements; --array lists each element on its own line, as
  // "123_4" even while pending.
  std::vector<std::string> ask;
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    std::string base = array_base(id);
    if (seen.insert(base).second) ask.push_back(base);
  }
  Captured r = run_command(
      {"squeue", "--noheader", "--array", "--states=all", "--format=%i|%T|%N|%r", "--jobs=" + join(ask, ',')}, {},
      kQuerySeconds);
  if (!r.ok()) {
    // One id Slurm has forgotten is an error to squeue; several are not.
    if (r.exit_code == 1 && r.err.find("Invalid job id specified") != std::string::npos) return known;
    *error = fmt::format("squeue failed: {}", r.why());
    return std::nullopt;
  }
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    size_t a = line.find('|');
    size_t b = a == std::string::npos ? a : line.find('|', a + 1);
    size_t c = b == std::string::npos ? b : line.find('|', b + 1);
    if (c == std::string::npos) continue;
    JobStatus s;
    s.state_text = line.substr(a + 1, b - a - 1);
    s.state = parse_state(s.state_text);
    s.nodes = trimmed(line.substr(b + 1, c - b - 1));
    s.reason = trimmed(line.substr(c + 1));
    known[trimmed(line.substr(0, a))] = s;
  }
  return known;
}

bool is_transient_refusal(const std::string& text) {
  // Words of Slurm's own messages (slurm_errno.c) that mean "later".
  static const char* later[] = {
      "MaxSubmitJob",  // QOSMaxSubmitJobPerUserLimit, AssocMaxSubmitJobLimit...
      "submit limit",
      "Job violates accounting/QOS policy",
      "Resource temporarily unavailable",
      "temporarily unable",
      "Socket timed out",
      "Unable to contact slurm controller",
      "Zero Bytes were transmitted or received",
      "Communication connection failure",
      "did not answer within",
  };
  for (const char* w : later) {
    if (text.find(w) != std::string::npos) return true;
  }
  return false;
}

Submitted sbatch(const std::vector<std::string>& args, const std::string& script, const std::vector<std::string>& env) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(script);
  Captured r = run_command(argv, env, kQuerySeconds);
  Submitted s;
  if (!r.ok()) {
    s.error = r.why();
    s.transient = is_transient_refusal(s.error);
    return s;
  }
  // --parsable: "id" or "id;cluster".
  std::string out = trimmed(r.out);
  s.job_id = out.substr(0, out.find(';'));
  if (s.job_id.empty()) s.error = "sbatch printed no job id";
  return s;
}

bool scancel(const std::vector<std::string>& ids, std::string* error) {
  if (ids.empty()) return true;
  std::vector<std::string> argv = {"scancel"};
  argv.insert(argv.end(), ids.begin(), ids.end());
  Captured r = run_command(argv, {}, kQuerySeconds);
  if (!r.ok() && error) *error = r.why();
  return r.ok();
}

PartitionShape partition_shape(const std::string& partition) {
  // One line per node and partition: a node in two partitions comes twice.
  // No partition named: the default one (sinfo marks it with a `*`).
  std::vector<std::string> argv = {"sinfo", "--noheader", "--Node", "--format=%N %c %P"};
  if (!partition.empty()) argv.push_back("--partition=" + partition);
  Captured r = run_command(argv, {}, kQuerySeconds);
  PartitionShape shape;
  if (!r.ok()) return shape;
  bool marked = partition.empty() && r.out.find('*') != std::string::npos;
  std::set<std::string> seen;
  std::istringstream lines(r.out);
  for (std::string node, cpus, part; lines >> node >> cpus >> part;) {
    if (marked && part.back() != '*') continue;
    if (!seen.insert(node).second) continue;
    int n = 0;
    try {
      n = std::stoi(cpus);
    } catch (const std::exception&) {
      continue;  // not a number: Slurm does not know yet
    }
    ++shape.nodes;
    shape.cpus += n;
    shape.largest = std::max(shape.largest, n);
  }
  return shape;
}

std::vector<std::string> mpi_placement_args(int ranks, int cpus_per_rank, const PartitionShape& shape) {
  int64_t wanted = static_cast<int64_t>(std::max(1, ranks)) * std::max(1, cpus_per_rank);
  if (shape.nodes <= 0 || wanted <= shape.cpus) return {};
  return {"--overcommit", fmt::format("--nodes={}", std::min(shape.nodes, std::max(1, ranks)))};
}

}  // namespace flowc::runtime::slurm
