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
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "ir/ir.h"
#include "runtime/eval/evaluator.h"
#include "runtime/scheduler/stream_wiring.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

using TaskId = uint32_t;

// One execution of an op, as the plan asks for it.
struct Task {
  TaskId id = 0;
  const ir::Op* op = nullptr;
  Value inputs;                           // port name → value (defaults filled in)
  std::string path;                       // main.g[3]: the call path, for people and the journal
  const std::string* base_dir = nullptr;  // the folder of the .flow file the op comes from
  ir::SourceLoc call_loc;
  // Stream tasks (ops with stream ports) start together with every task
  // their streams connect them to: their gang (0 for a batch task). How
  // their ports connect is filled in when the gang is released
  // (stream_wiring.h; docs/runtime.md, Streams).
  uint32_t gang = 0;
  StreamWiring streams;
  // Fan-out items of one call that share one container, one after another
  // (`group = N` on the call, or the profile's default for ops with an
  // image): the group's id (0: none) and how many items it has at most
  // (items in an `if` may never come).
  uint32_t group = 0;
  uint32_t group_members = 0;
};

// Something the user should hear about at the end of a run.
struct Problem {
  // Waiting: in a survey, a `for` or `if` that must wait for outputs.
  enum Kind { Failed, Absent, Skipped, Waiting } kind;
  std::string path;     // the task or step concerned
  std::string message;  // why
  ir::SourceLoc loc;
  bool consequence = false;  // Failed: only because something inside it failed (reported on its own)
};

// A growing array in chunks of 4,096: references stay valid as it grows,
// and growing never copies (a plan of ten million tasks keeps a few such
// arrays, whose doubling would briefly need twice their size).
template <typename T>
class Chunked {
 public:
  T& emplace_back() {
    if (size_ % kChunk == 0) chunks_.push_back(std::make_unique<T[]>(kChunk));
    ++size_;
    return (*this)[size_ - 1];
  }
  T& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  size_t size() const { return size_; }

 private:
  static constexpr size_t kChunk = 4096;
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

struct PlanOptions {
  bool keep_going = false;  // go on with whatever does not depend on a failure
  int max_depth = 1000;     // of nested workflow calls (recursion)
  int default_group = 0;    // items per group for fan-out calls of ops with an image, when the call does not say
  // A survey plans without running (--dry-run, and the check of every path
  // known before a run starts): the caller ends each task with unknown
  // outputs (Plan::unknown()), anything computed from them is unknown too,
  // and a `for` or `if` that needs an unknown value is left as a Waiting
  // problem. A `for` over a list whose items are unknown (`for b in a.bam`
  // after a `for` that made them) still knows how many items it has.
  bool survey = false;
  // Told of every file the plan's expressions read (not owned; may be null).
  FileWitness* witness = nullptr;
};

class Plan {
 public:
  // The value a survey does not know (JSON's "discarded"; no real value is one).
  static Value unknown() { return Value(Value::value_t::discarded); }
  // Does `v` hold an unknown value anywhere?
  static bool holds_unknown(const Value& v);

  // Starts `workflow` with `inputs` (already checked against its types;
  // inputs not given take their defaults).
  Plan(const ir::Program& program, const ir::Workflow& workflow, Value inputs, PlanOptions options);
  ~Plan();
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  // Tasks that became ready since the last call, in the order they became
  // ready (a fan-out's items in list order).
  std::vector<TaskId> take_ready();
  // A task's record. Made when first asked for: until then a task costs
  // only its inputs (a plan of ten million ready tasks is mostly waiting).
  const Task& task(TaskId id);
  // The op a task runs, without making its record.
  const ir::Op& op_of(TaskId id) const;
  // The call node that made a task and the workflow instance it is in (the
  // same for every item of a fan-out), without making the task's record.
  std::pair<const ir::Node*, const void*> call_site_of(TaskId id) const;
  // Frees a finished task's inputs once they are no longer needed.
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
  // Whether more tasks may still be made: calls, `for`s and `if`s not yet
  // reached (for the progress line's "+ more to plan").
  bool growing() const { return !finished_ && !stopping_ && unplanned_ > 0; }

 private:
  struct Scope;
  // Scopes are made with their slots in the same allocation (plan.cpp).
  struct ScopeDelete {
    void operator()(Scope* scope) const;
  };
  using ScopePtr = std::unique_ptr<Scope, ScopeDelete>;
  static ScopePtr new_scope(size_t slots);
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
  // Every task made, by id: where its result goes (its scope's node), its
  // op, and, until its Task record is made, its inputs in the order of the
  // op's input ports.
  struct Made {
    Scope* scope = nullptr;
    uint32_t node = 0;
    const ir::Op* op = nullptr;
    std::unique_ptr<Value[]> inputs;
  };
  struct StreamPorts {                                                     // a stream task's channels, by port
    std::vector<std::pair<std::string, std::string>> outputs;              // port, channel
    std::vector<std::pair<std::string, std::vector<std::string>>> inputs;  // port, channels
  };

  // Which node binds each name of a body (cached per body).
  const BodyIndex& index_of(const std::vector<ir::Node>& body);
  Scope* make_scope(Scope* parent, Scope* owner, uint32_t owner_node, int kind, const BodyIndex& block, uint32_t index);
  // The index of `body`, recording the workflow it belongs to and (a `for`'s body) its variable.
  const BodyIndex& block_of(const std::vector<ir::Node>& body, const ir::Workflow* workflow,
                            const std::string* var_name);
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
  // Survey: a node that needs an unknown value ends with its names unknown.
  void survey_waits(Scope* scope, uint32_t n, const std::string& why);
  std::optional<size_t> survey_length(Scope* scope, const ir::Expr& e);
  std::optional<Value> call_inputs(Scope* scope, uint32_t n, const ir::CallNode& call,
                                   const std::vector<ir::Port>& ports, int callee_file);
  // The inputs of a call of an op, in its input ports' order; null if one could not be evaluated.
  std::unique_ptr<Value[]> op_inputs(Scope* scope, uint32_t n, const ir::CallNode& call, const ir::Op& op);
  // Adds a task; its record is made at once if `record` (stream and grouped tasks).
  TaskId add_task(Scope* scope, uint32_t n, const ir::Op& op, std::unique_ptr<Value[]> inputs);
  Task& record(TaskId id);
  uint32_t gang_of(TaskId id) const { return records_[id] ? records_[id]->gang : 0; }
  std::string path_of(const Scope* scope, const std::string& name) const;
  int scope_depth(const Scope* scope) const;
  Evaluator& evaluator_for(int file);
  const std::string& base_dir_of(int file);
  void finish_run(bool ok);
  // Streams (plan_streams.cpp).
  const NodeRefs& refs_of(const ir::Node& node);
  bool stream_ready(Scope* scope, const std::string& name);
  const Value* stream_view(Scope* scope, uint32_t n);
  bool start_stream_call(Scope* scope, uint32_t n, const ir::CallNode& call, const ir::Op& op, const Value& inputs);
  void join_gangs(uint32_t a, uint32_t b);
  bool consumers_waiting(const Scope* scope, const std::string& name);
  bool consumers_waiting_below(const Scope* scope, const std::string& name);
  std::string waiting_consumer(const Scope* scope, const std::string& name);
  void release_gangs();
  bool pipe_between(const std::vector<std::string>& from, TaskId consumer, const std::string& port);
  StreamWiring stream_wiring(TaskId id);
  bool replica_finished(TaskId id, bool ok);

  const ir::Program& program_;
  PlanOptions options_;
  ScopePtr root_;
  std::map<const std::vector<ir::Node>*, std::unique_ptr<BodyIndex>> indexes_;
  Chunked<Made> made_;
  Chunked<std::unique_ptr<Task>> records_;  // by task id; null until asked for
  std::vector<TaskId> ready_;
  std::deque<Scope*> dirty_;
  std::map<int, std::unique_ptr<Evaluator>> evaluators_;
  std::map<int, std::string> base_dirs_;
  std::vector<Problem> problems_;
  Value outputs_;
  size_t tasks_made_ = 0;
  size_t unplanned_ = 0;  // call, for and if nodes of the scopes made so far, not yet started or skipped
  size_t running_ = 0;    // tasks made ready and not yet reported back
  std::map<const ir::Node*, NodeRefs> refs_;
  std::unordered_map<const ir::CallNode*, const ir::Op*> ops_by_call_;  // the op each call node calls
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
