// How flowc and a pilot's agents talk: files in a folder both see (the
// state folder, on the cluster's shared file system), nothing else.
//
//   inbox/<seq>.task     a task for any agent (JSON: work dir, cpus, ranks,
//                        environment), written atomically by flowc
//   running/<node>/<seq>.task   claimed by the agent on <node>: renamed
//                        there, so two agents never take the same task, and
//                        flowc knows which tasks a lost node had
//   lost.<node>          flowc gave the node up (its agent fell silent): an
//                        agent that finds its own stops its tasks and leaves
//                        without reporting them (they run again elsewhere)
//   cancel/<seq>         flowc asks the agent running it to stop it
//   warm/<seq>           the task's inputs are pre-fetched to the node named
//                        inside (made by a link, so one agent only fetches a
//                        task): other agents leave it to that node for a while
//   flowc.alive          flowc's heartbeat (its mtime); agents leave when
//                        flowc is gone and they are idle
//   agent.<host>.alive   each agent's heartbeat
//   stop                 flowc is done: agents leave once idle
//
// A task's end is its work dir's .flowc-exit, written by the agent in the
// format a batch job's script uses (slurm/job_script.h). Why files rather than a socket: flowc runs on a login node, the
// agents on compute nodes, and the file system is what both are sure to
// share (127.0.0.1 is not); files also outlive a flowc that dies, so a rerun
// finds what finished meanwhile.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "runtime/executors/executor.h"

namespace flowc::runtime::pilot {

// A task as the agent runs it: the command (already under `srun` for an MPI
// task), where its output goes, its timeout, what it holds of the node (all
// ranks' cpus for an MPI task), its environment. The agent runs it directly
// (one process, not a job script around it: spawning is the cost here) and
// writes its .flowc-exit itself.
struct PilotTask {
  std::string work_dir;
  std::vector<std::string> argv;
  std::string stdout_path, stderr_path;
  double timeout_seconds = 0;
  int cpus = 1;
  // An MPI task's ranks (its argv an `srun` step; 0: not MPI): the agent
  // pins the step to its own node, or to as many as its cpus need (span.h).
  int ranks = 0;
  int64_t mem_bytes = 0;  // what it asks of the node's memory; 0: nothing said
  std::vector<std::string> env;
  // A command that readies the task before it starts (copies its inputs to
  // the node's scratch), run by an agent while the task waits for cores;
  // empty: none. The task's own command does it anyway if this did not run.
  std::vector<std::string> prefetch_argv;
  // Undoes a prefetch whose task this agent never ran (it leaves; flowc
  // cancelled the task): removes the copies from scratch.
  std::vector<std::string> unfetch_argv;
};

std::string task_text(const PilotTask& task);
std::optional<PilotTask> parse_task(const std::string& text);

// The folders of a pilot's channel, created if missing.
bool make_channel(const std::string& dir, std::string* error);

// Pre-fetching (warm/): marks task `seq` as pre-fetched to `node`; false
// if another agent marked it first.
bool mark_warm(const std::string& dir, const std::string& seq, const std::string& node);
// Every task marked: seq → its node and the marker's age in seconds (since
// it was made, or touched when the fetch ended).
struct Warm {
  std::string node;
  double age = 0;
};
std::map<std::string, Warm> read_warm(const std::string& dir);

// Touches `path` (creating it): a heartbeat.
void touch(const std::string& path);
// Seconds since `path` was last touched, or nothing if it does not exist.
std::optional<double> age_of(const std::string& path);

}  // namespace flowc::runtime::pilot
