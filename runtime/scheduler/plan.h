// The scheduler's core: a pure state machine over the IR.
//
// It expands a workflow into tasks as values become known (a `for` when its
// list is known, an `if` when its condition is, a sub-workflow or recursive
// call when its arguments are), and is told what became of each task:
//
//     Plan plan(program, "main", inputs, options);
//     for (;;) {
//       for (TaskId t : plan.take_ready()) launch(plan.task(t));   // whatever runs tasks
//       ... plan.succeeded(t, outputs) / plan.failed(t, reason) ...
//       if (plan.finished()) break;
//     }
//
// It does no I/O of its own (expressions may read files through builtins
// such as read_lines), so it is tested without processes. All semantics
// live here, once, for every executor: fan-out, conditions, recursion,
// optional calls, min_success, keep-going, and the order of list outputs.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ir/ir.h"
#include "runtime/eval/evaluator.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

using TaskId = uint32_t;

// One execution of an op, as the plan asks for it.
struct Task {
  TaskId id = 0;
  const ir::Op* op = nullptr;
  Value inputs;          // port name → value (defaults filled in)
  std::string path;      // main.g[3]: the call path, for people and the journal
  const std::string* base_dir = nullptr;  // the folder of the .flow file the op comes from
  ir::SourceLoc call_loc;
  // Stream tasks (ops with stream ports) start together with every task
  // their streams connect them to: their gang (0 for a batch task). How
  // their ports connect is filled in when the gang is released
  // (docs/runtime.md, Streams):
  //   {"inputs":  {port: {"key": "main.r#0/frames", "expect": 2, "from": ["main.p.out"]}},
  //    "outputs": {port: {"channel": "main.p.out", "to": [["main.r#0/frames", "main.r#1/frames"]]}}}
  // "expect" counts the producers whose end of stream the input waits for;
  // "to" lists the consumer groups: every group gets every message,
  // round-robin over the group's members (replicas).
  uint32_t gang = 0;
  Value streams;
  // Fan-out items of one call that share one container, one after another
  // (`group = N` on the call, or the profile's default for ops with an
  // image): the group's id (0: none) and how many items it has at most
  // (items in an `if` may never come).
  uint32_t group = 0;
  uint32_t group_members = 0;
};

// Something the user should hear about at the end of a run.
struct Problem {
  enum Kind { Failed, Absent, Skipped } kind;
  std::string path;     // the task or step concerned
  std::string message;  // why
  ir::SourceLoc loc;
  bool consequence = false;  // Failed: only because something inside it failed (reported on its own)
};

struct PlanOptions {
  bool keep_going = false;     // go on with whatever does not depend on a failure
  int max_depth = 1000;        // of nested workflow calls (recursion)
  int default_group = 0;       // items per group for fan-out calls of ops with an image, when the call does not say
};

class Plan {
 public:
  // Starts `workflow` with `inputs` (already checked against its types;
  // inputs not given take their defaults).
  Plan(const ir::Program& program, const ir::Workflow& workflow, Value inputs, PlanOptions options);
  ~Plan();
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  // Tasks that became ready since the last call, in the order they became
  // ready (a fan-out's items in list order).
  std::vector<TaskId> take_ready();
  const Task& task(TaskId id) const { return tasks_.at(id); }
  // Frees a finished task's record (its inputs) once it is no longer needed.
  void forget(TaskId id);

  void succeeded(TaskId id, Value outputs);
  void failed(TaskId id, const std::string& reason);
  // Why a failure of task `id`, reported now, would not fail the run: its
  // call is optional, or a `for` around it can still have enough items
  // succeed, or a call around it is optional. None if it would.
  struct Tolerance {
    std::string why;     // for people
    std::string absent;  // the path of the Absent problem it will be recorded as
  };
  std::optional<Tolerance> tolerance(TaskId id) const;
  // Stop launching: no more tasks will be made ready (Ctrl-C, or a failure).
  void stop();

  bool finished() const { return finished_; }
  // stop() was called, or a failure stopped the run: nothing new starts.
  bool stopping() const { return stopping_; }
  bool ok() const { return finished_ && !failed_; }
  // The workflow's outputs, when finished and ok.
  const Value& outputs() const { return outputs_; }
  const std::vector<Problem>& problems() const { return problems_; }
  // The tasks of a gang (stream tasks that start together), as released.
  const std::vector<TaskId>& gang(uint32_t id) const;

  // Tasks made so far, and the number known to be still to come (a lower
  // bound: later fan-outs are not known yet).
  size_t tasks_made() const { return tasks_made_; }

 private:
  struct Scope;
  struct BodyIndex;
  class ScopeLookup;
  // Names a node reads through a stream field (`p.out`) and otherwise.
  struct NodeRefs {
    std::set<std::string, std::less<>> stream, batch;
  };
  struct StreamGroup {  // the consumers of a channel made from one call node: round-robin
    const ir::Node* node = nullptr;
    std::string port;
    std::vector<TaskId> members;
  };
  struct Channel {  // one stream output of one call node (all its replicas)
    std::vector<TaskId> producers;
    std::vector<StreamGroup> groups;
    bool released = false;
  };
  struct StreamPorts {  // a stream task's channels, by port
    std::vector<std::pair<std::string, std::string>> outputs;               // port, channel
    std::vector<std::pair<std::string, std::vector<std::string>>> inputs;   // port, channels
  };

  // Which node binds each name of a body (cached per body).
  const BodyIndex& index_of(const std::vector<ir::Node>& body);
  Scope* make_scope(Scope* parent, Scope* owner, uint32_t owner_node, int kind, const std::vector<ir::Node>* body,
                    const ir::Workflow* workflow, uint32_t index);
  void mark_dirty(Scope* scope);
  void settle();
  void advance(Scope* scope);
  bool ready(Scope* scope, const ir::Node& node);
  void start(Scope* scope, uint32_t n);
  void start_call(Scope* scope, uint32_t n, const ir::CallNode& call);
  // The group a call's task joins; false (the node failed) if `group` could not be evaluated.
  bool group_of(Scope* scope, uint32_t n, const ir::CallNode& call, const ir::Op& op, Task& task);
  void start_scatter(Scope* scope, uint32_t n, const ir::ScatterNode& scatter);
  void start_branch(Scope* scope, uint32_t n, const ir::BranchNode& branch);
  void node_done(Scope* scope, uint32_t n, Value value);
  void node_failed(Scope* scope, uint32_t n, const std::string& reason, const ir::SourceLoc& loc);
  bool absorbed(const Scope* scope) const { return absorber(scope).has_value(); }
  std::optional<Tolerance> absorber(const Scope* scope) const;
  void skip_dependents(Scope* scope, uint32_t n);
  void scope_finished(Scope* scope);
  void gather_done(Scope* scope, uint32_t n);
  // `what` names the expression in a failure message; it is only called then.
  std::optional<Value> evaluate(Scope* scope, const ir::Expr& e, const std::function<std::string()>& what, uint32_t n);
  std::optional<Value> call_inputs(Scope* scope, uint32_t n, const ir::CallNode& call,
                                   const std::vector<ir::Port>& ports, int callee_file);
  std::string path_of(const Scope* scope, const std::string& name) const;
  int scope_depth(const Scope* scope) const;
  Evaluator& evaluator_for(int file);
  const std::string& base_dir_of(int file);
  void finish_run(bool ok);
  // Streams (plan_streams.cpp).
  const NodeRefs& refs_of(const ir::Node& node);
  bool stream_ready(Scope* scope, const std::string& name);
  const Value* stream_view(Scope* scope, uint32_t n);
  bool start_stream_call(Scope* scope, uint32_t n, const ir::CallNode& call, const ir::Op& op, Value inputs);
  void join_gangs(uint32_t a, uint32_t b);
  bool consumers_waiting(const Scope* scope, const std::string& name);
  bool consumers_waiting_below(const Scope* scope, const std::string& name);
  std::string waiting_consumer(const Scope* scope, const std::string& name);
  void release_gangs();
  Value stream_ports_json(TaskId id);
  bool replica_finished(TaskId id, bool ok);

  const ir::Program& program_;
  PlanOptions options_;
  std::unique_ptr<Scope> root_;
  std::map<const std::vector<ir::Node>*, std::unique_ptr<BodyIndex>> indexes_;
  std::deque<Task> tasks_;  // chunked: stable references, few allocations
  std::vector<std::pair<Scope*, uint32_t>> homes_;  // where each task's result goes
  std::vector<TaskId> ready_;
  std::deque<Scope*> dirty_;
  std::map<int, std::unique_ptr<Evaluator>> evaluators_;
  std::map<int, std::string> base_dirs_;
  std::vector<Problem> problems_;
  Value outputs_;
  size_t tasks_made_ = 0;
  size_t running_ = 0;  // tasks made ready and not yet reported back
  std::map<const ir::Node*, NodeRefs> refs_;
  std::map<std::string, Channel> channels_;
  std::map<TaskId, StreamPorts> stream_ports_;
  std::map<uint32_t, std::vector<TaskId>> held_gangs_;  // made, waiting for their consumers
  std::map<uint32_t, std::vector<TaskId>> gangs_;       // released
  uint32_t next_gang_ = 1;
  struct Replicas {
    uint32_t left = 0;
    bool failed = false;
  };
  std::map<std::pair<Scope*, uint32_t>, Replicas> replicas_;  // call nodes with several stream tasks
  // (fan-out, call node, item / size) → group id
  std::map<std::tuple<const Scope*, uint32_t, const ir::Node*, uint32_t>, uint32_t> groups_;
  bool stopping_ = false;
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace flowc::runtime
