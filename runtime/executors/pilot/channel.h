// How flowc and a pilot's agents talk: files in a folder both see (the
// state folder, on the cluster's shared file system), nothing else.
//
//   inbox/<seq>.task     a task for any agent (JSON: work dir, cpus, ranks,
//                        environment), written atomically by flowc
//   running/<seq>.task   claimed by an agent: renamed there, so two agents
//                        never take the same task
//   cancel/<seq>         flowc asks the agent running it to stop it
//   flowc.alive          flowc's heartbeat (its mtime); agents leave when
//                        flowc is gone and they are idle
//   agent.<host>.alive   each agent's heartbeat
//   stop                 flowc is done: agents leave once idle
//
// A task's end is its work dir's .flowc-exit, written by its job script (or
// by the agent when it had to stop it), exactly as with one batch job per
// task. Why files rather than a socket: flowc runs on a login node, the
// agents on compute nodes, and the file system is what both are sure to
// share (127.0.0.1 is not); files also outlive a flowc that dies, so a rerun
// finds what finished meanwhile.
#pragma once

#include <optional>
#include <string>

#include "runtime/executors/executor.h"

namespace flowc::runtime::pilot {

struct PilotTask {
  std::string work_dir;
  int cpus = 1;         // what it holds of the node (all ranks' cpus for an MPI task)
  std::vector<std::string> env;
};

std::string task_text(const PilotTask& task);
std::optional<PilotTask> parse_task(const std::string& text);

// The folders of a pilot's channel, created if missing.
bool make_channel(const std::string& dir, std::string* error);

// Touches `path` (creating it): a heartbeat.
void touch(const std::string& path);
// Seconds since `path` was last touched, or nothing if it does not exist.
std::optional<double> age_of(const std::string& path);

}  // namespace flowc::runtime::pilot
