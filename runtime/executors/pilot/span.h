// An MPI task with more ranks than one node has cores runs in a pilot as
// one `srun` step spanning several nodes of the allocation. The agent that
// takes it coordinates, through files of the channel (channel.h):
//
//   span                 "<seq> <node>": the one spanning task being placed
//                        or run, and its coordinator (made by a link: one at
//                        a time in the pilot, so two never hold each other's
//                        nodes)
//   hold.<node>          the coordinator asks <node>'s agent to take no new
//                        task and to say when its node is idle
//   held.<node>          ...which it does: the node is free for the step
//
// The coordinator drains its own node too, then starts the step pinned to
// those nodes (`--nodes=K --nodelist=...`), and removes the files when it
// ends. A held agent whose coordinator is lost or silent lets go by itself.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace flowc::runtime::pilot {

// The nodes a task holding `cpus` needs at `node_cpus` each: 1 when it fits
// one node, at most `nodes` (more ranks than their cores then run
// overcommitted, as on one node).
int nodes_needed(int cpus, int node_cpus, int nodes);

// The allocation's `job_nodes` less those flowc gave up (lost.<node>).
int usable_nodes(const std::filesystem::path& dir, int job_nodes);

// The agents alive in the pilot (their heartbeat fresh, not given up).
std::vector<std::string> live_agents(const std::filesystem::path& dir);

// The coordinator's side.
class Span {
 public:
  Span(std::filesystem::path dir, std::string host) : dir_(std::move(dir)), host_(std::move(host)) {}
  ~Span() { end(); }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  // Whether a spanning task is placed now (by any agent).
  bool busy() const;
  // Starts placing task `seq` on `nodes` nodes, this one first; false if
  // another agent is placing one, or the peers it needs are not alive (yet:
  // the agents of an allocation start one by one).
  bool begin(const std::string& seq, int nodes);
  // The task this agent places or runs ("" if none).
  const std::string& seq() const { return seq_; }
  // Whether every node it holds is free (this node's idleness is the caller's).
  bool others_ready() const;
  // The nodes the step runs on, this one first.
  const std::vector<std::string>& nodes() const { return nodes_; }
  // Lets the held nodes go.
  void end();

 private:
  std::filesystem::path dir_;
  std::string host_;
  std::string seq_;
  std::vector<std::string> nodes_;
};

// A held agent's side: whether `host` must take no new task now (a
// coordinator holds it); says `held` once `idle`.
bool held_for_span(const std::filesystem::path& dir, const std::string& host, bool idle);

}  // namespace flowc::runtime::pilot
