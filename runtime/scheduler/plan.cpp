// The plan: scopes of nodes, expanded as values become known.
//
// A scope is one running copy of a block: a workflow's body (a workflow
// instance), one iteration of a `for`, or the chosen arm of an `if`. It holds
// each node's state and, once done, the value the node binds. Names are
// looked up through the lexical parents. Changes mark scopes dirty; settle()
// advances dirty scopes until nothing more can happen without a task
// finishing, so no chain of completions recurses deeply.
#include "runtime/scheduler/plan.h"
#include "runtime/scheduler/plan_scope.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "ir/expr_text.h"
#include "ir/find_port.h"

namespace flowc::runtime {
namespace {

const std::vector<ir::Node> kNoNodes;

bool binds_call_outputs(const std::vector<ir::Node>& body, const std::string& name) {
  for (const ir::Node& n : body) {
    if (n.name == name) {
      if (n.as<ir::CallNode>()) return true;
      if (n.as<ir::ValueNode>()) return false;
    }
    if (std::none_of(n.exports.begin(), n.exports.end(), [&](const ir::Export& e) { return e.name == name; })) continue;
    if (const auto* s = n.as<ir::ScatterNode>()) return binds_call_outputs(s->body, name);
    if (const auto* b = n.as<ir::BranchNode>()) {
      for (const ir::BranchArm& arm : b->arms) {
        for (const ir::Node& inner : arm.body) {
          if (inner.name == name || std::any_of(inner.exports.begin(), inner.exports.end(),
                                                [&](const ir::Export& e) { return e.name == name; })) {
            return binds_call_outputs(arm.body, name);
          }
        }
      }
    }
  }
  return false;
}

// The absent form of a value of type `t` from a block that did not run:
// a call's outputs are a record of absent fields, anything else is null.
Value absent_like(const ir::Type* t, bool call_like) {
  if (call_like && t->is(ir::TypeKind::Record)) {
    Value record = Value::object();
    for (const ir::Field& f : t->fields()) record[f.name] = nullptr;
    return record;
  }
  return nullptr;
}

}  // namespace
const Plan::BodyIndex& Plan::index_of(const std::vector<ir::Node>& body) {
  auto it = indexes_.find(&body);
  if (it != indexes_.end()) return *it->second;
  auto index = std::make_unique<BodyIndex>();
  for (uint32_t i = 0; i < body.size(); ++i) {
    const ir::Node& n = body[i];
    if (!n.as<ir::ValueNode>()) ++index->planned_nodes;
    if (n.as<ir::CallNode>() || n.as<ir::ValueNode>()) index->binder.emplace(n.name, i);
    for (const ir::Export& e : n.exports) index->binder.emplace(e.name, i);
  }
  for (const ir::Node& n : body) {
    if (const auto* s = n.as<ir::ScatterNode>()) {
      for (const ir::Export& e : n.exports) index->call_like[e.name] = binds_call_outputs(s->body, e.name);
    }
    if (const auto* b = n.as<ir::BranchNode>()) {
      for (const ir::Export& e : n.exports) {
        bool call = false;
        for (const ir::BranchArm& arm : b->arms) call = call || binds_call_outputs(arm.body, e.name);
        index->call_like[e.name] = call;
      }
    }
  }
  index->body = &body;
  return *indexes_.emplace(&body, std::move(index)).first->second;
}

const Plan::BodyIndex& Plan::block_of(const std::vector<ir::Node>& body, const ir::Workflow* workflow,
                                      const std::string* var_name) {
  auto& index = const_cast<BodyIndex&>(index_of(body));
  if (!index.workflow) index.workflow = workflow;
  if (!index.var_name) index.var_name = var_name;
  return index;
}

// ---- construction ----------------------------------------------------------------

Plan::Plan(const ir::Program& program, const ir::Workflow& workflow, Value inputs, PlanOptions options)
    : program_(program), options_(options) {
  root_ = new_scope(workflow.body.size());
  Scope* root = root_.get();
  root->kind = kWorkflow;
  root->block = &block_of(workflow.body, &workflow, nullptr);
  root->more().path = workflow.name;
  root->open = static_cast<uint32_t>(workflow.body.size());
  unplanned_ += root->block->planned_nodes;
  Value& root_inputs = root->more().inputs;
  root_inputs = Value::object();
  // Given inputs, then defaults in order (a default may use earlier inputs).
  for (const ir::Port& p : workflow.inputs) {
    if (inputs.contains(p.name)) {
      root_inputs[p.name] = inputs[p.name];
    } else if (p.default_value) {
      auto v = evaluate(
          root, *p.default_value, [&] { return fmt::format("the default of input `{}`", p.name); }, UINT32_MAX);
      if (!v) return;
      coerce_in_place(*v, p.type);
      root_inputs[p.name] = std::move(*v);
    } else {
      root_inputs[p.name] = nullptr;  // an optional left out
    }
  }
  dirty_.push_back(root);
  root->dirty = true;
  settle();
}

// The scopes first: deleting one reads its block's BodyIndex (how many slots
// it has), and indexes_, declared after root_, would otherwise go before it
// (found by AddressSanitizer: a use after free in every plan's destructor).
Plan::~Plan() { root_.reset(); }

// One allocation for a scope and its slots: a ten-million-item fan-out
// makes ten million scopes, each with a slot per node of the `for`'s body.
Plan::ScopePtr Plan::new_scope(size_t slots) {
  void* raw = ::operator new(sizeof(Scope) + slots * sizeof(Scope::Slot));
  ScopePtr scope(new (raw) Scope());
  scope->slots = reinterpret_cast<Scope::Slot*>(static_cast<char*>(raw) + sizeof(Scope));
  for (size_t n = 0; n < slots; ++n) new (&scope->slots[n]) Scope::Slot();
  return scope;
}

void Plan::ScopeDelete::operator()(Scope* scope) const {
  if (scope->slots && scope->block) {  // the block (set right after new_scope) says how many
    for (size_t n = 0, count = scope->body()->size(); n < count; ++n) scope->slots[n].~Slot();
  }
  scope->~Scope();
  ::operator delete(scope);
}

Evaluator& Plan::evaluator_for(int file) {
  auto it = evaluators_.find(file);
  if (it != evaluators_.end()) return *it->second;
  EvalOptions options;
  options.base_dir = base_dir_of(file);
  options.scratch_dir = (std::filesystem::temp_directory_path() / "flowc-values").string();
  options.glob_names_inputs = true;
  options.witness = options_.witness;
  return *evaluators_.emplace(file, std::make_unique<Evaluator>(program_, options)).first->second;
}

const std::string& Plan::base_dir_of(int file) {
  auto it = base_dirs_.find(file);
  if (it != base_dirs_.end()) return it->second;
  std::string dir = ".";
  if (file >= 0 && static_cast<size_t>(file) < program_.files.size()) {
    std::filesystem::path p = std::filesystem::absolute(program_.files[file]).parent_path();
    dir = p.lexically_normal().string();
  }
  return base_dirs_.emplace(file, dir).first->second;
}

// ---- paths -------------------------------------------------------------------------

std::string Plan::path_of(const Scope* scope, const std::string& name) const {
  // The workflow instance's path, then the name, then the iteration numbers
  // of the `for`s between (outermost first): main.counted[0].w[2]
  uint32_t indices[64];
  size_t depth = 0;
  const Scope* s = scope;
  for (; s && s->kind != kWorkflow; s = s->parent) {
    if (s->kind == kIteration && depth < std::size(indices)) indices[depth++] = s->index;
  }
  std::string path = s ? s->path() : std::string("?");
  path.reserve(path.size() + name.size() + 1 + depth * 8);
  path += '.';
  path += name;
  char digits[16];
  while (depth > 0) {
    auto end = std::to_chars(digits, digits + sizeof digits, indices[--depth]).ptr;
    path += '[';
    path.append(digits, end);
    path += ']';
  }
  return path;
}

// ---- evaluation --------------------------------------------------------------------

bool Plan::holds_unknown(const Value& v) {
  if (v.is_discarded()) return true;
  if (v.is_array() || v.is_object()) {
    for (const Value& item : v) {
      if (holds_unknown(item)) return true;
    }
  }
  return false;
}

std::optional<Value> Plan::evaluate(Scope* scope, const ir::Expr& e, const std::function<std::string()>& what,
                                    uint32_t n) {
  ScopeLookup lookup(scope);
  bool refused = false;
  if (options_.survey) lookup.refuse_unknown(&refused);
  Evaluator& ev = evaluator_for(scope->workflow()->loc.file);
  auto result = ev.eval(e, lookup);
  if (refused) return unknown();  // it reads what only tasks will make
  if (auto* v = std::get_if<Value>(&result)) return std::move(*v);
  const EvalFailure& f = std::get<EvalFailure>(result);
  std::string message = fmt::format("{}: {}", what(), f.message);
  ir::SourceLoc loc = f.loc.known() ? f.loc : e.loc;
  if (n == UINT32_MAX) {
    // A workflow's own input default: the whole scope fails.
    problems_.push_back(Problem{Problem::Failed, scope->path(), message, loc});
    scope->failed = true;
    failed_ = true;
    finished_ = true;
    return std::nullopt;
  }
  node_failed(scope, n, message, loc);
  return std::nullopt;
}

// ---- the settle loop ----------------------------------------------------------------

void Plan::mark_dirty(Scope* scope) {
  if (scope->dirty || scope->finished) return;
  scope->dirty = true;
  dirty_.push_back(scope);
}

void Plan::settle() {
  while (!dirty_.empty()) {
    Scope* scope = dirty_.front();
    dirty_.pop_front();
    scope->dirty = false;
    if (scope->finished) continue;
    advance(scope);
    if (scope->open == 0) scope_finished(scope);
  }
  if (!held_gangs_.empty()) {
    release_gangs();
    if (!dirty_.empty()) {
      settle();
      return;
    }
  }
  if (stopping_ && running_ == 0 && !finished_) finish_run(false);
}

bool Plan::ready(Scope* scope, const ir::Node& node) {
  ScopeLookup lookup(scope, nullptr, /*strict=*/true);
  for (const std::string& dep : node.deps) {
    if (lookup.find(dep)) continue;
    // A stream consumer starts with its producer: it needs only the
    // producer's stream fields, known as soon as the producer started.
    const NodeRefs& refs = refs_of(node);
    if (refs.stream.count(dep) && !refs.batch.count(dep) && stream_ready(scope, dep)) continue;
    return false;
  }
  return true;
}

void Plan::advance(Scope* scope) {
  for (uint32_t n = 0; n < scope->body()->size(); ++n) {
    if (stopping_) return;
    if (scope->status(n) != Status::Waiting) continue;
    if (!ready(scope, (*scope->body())[n])) continue;
    start(scope, n);
  }
}

void Plan::start(Scope* scope, uint32_t n) {
  const ir::Node& node = (*scope->body())[n];
  scope->status(n) = Status::Running;
  if (!node.as<ir::ValueNode>()) --unplanned_;
  if (const auto* v = node.as<ir::ValueNode>()) {
    if (auto value = evaluate(
            scope, v->value, [&] { return fmt::format("`{}`", node.name); }, n))
      node_done(scope, n, std::move(*value));
  } else if (const auto* c = node.as<ir::CallNode>()) {
    start_call(scope, n, *c);
  } else if (const auto* s = node.as<ir::ScatterNode>()) {
    start_scatter(scope, n, *s);
  } else if (const auto* b = node.as<ir::BranchNode>()) {
    start_branch(scope, n, *b);
  }
}

// ---- calls ---------------------------------------------------------------------------

std::optional<Value> Plan::call_inputs(Scope* scope, uint32_t n, const ir::CallNode& call,
                                       const std::vector<ir::Port>& ports, int callee_file) {
  Value inputs = Value::object();
  for (const auto& arg : call.args) {
    const std::string& name = arg.first;  // not a structured binding: clang 14 cannot capture those
    const ir::Expr& expr = arg.second;
    // [&name = name]: clang 14 (the sanitizer build) cannot capture a structured binding by [&].
    auto v = evaluate(
        scope, expr, [&name = name, &call] { return fmt::format("input `{}` of `{}`", name, call.callee); }, n);
    if (!v) return std::nullopt;
    // The value takes the port's type (an int given for a float is a float).
    if (const ir::Port* p = ir::find_port(ports, name)) coerce_in_place(*v, p->type);
    inputs[name] = std::move(*v);
  }
  // Defaults, in order, each seeing the inputs before it.
  for (const ir::Port& p : ports) {
    if (inputs.contains(p.name)) continue;
    if (!p.default_value) {
      inputs[p.name] = nullptr;  // an optional left out
      continue;
    }
    Scope empty;
    empty.block = &index_of(kNoNodes);
    ScopeLookup lookup(&empty, &inputs);
    bool refused = false;
    if (options_.survey) lookup.refuse_unknown(&refused);
    auto result = evaluator_for(callee_file).eval(*p.default_value, lookup);
    if (refused) {
      inputs[p.name] = unknown();
      continue;
    }
    if (auto* failure = std::get_if<EvalFailure>(&result)) {
      node_failed(scope, n, fmt::format("the default of input `{}` of `{}`: {}", p.name, call.callee, failure->message),
                  failure->loc.known() ? failure->loc : p.loc);
      return std::nullopt;
    }
    inputs[p.name] = std::move(std::get<Value>(result));
    coerce_in_place(inputs[p.name], p.type);
  }
  return inputs;
}

void Plan::start_call(Scope* scope, uint32_t n, const ir::CallNode& call) {
  const ir::Node& node = (*scope->body())[n];
  if (call.callee_is_workflow) {
    const ir::Workflow* wf = program_.find_workflow(call.callee);
    if (scope_depth(scope) + 1 > options_.max_depth) {
      node_failed(scope, n,
                  fmt::format("workflow calls nest deeper than {} (recursion that does not end?); "
                              "raise the limit with --max-depth if this is intended",
                              options_.max_depth),
                  node.loc);
      return;
    }
    auto inputs = call_inputs(scope, n, call, wf->inputs, wf->loc.file);
    if (!inputs) return;
    Scope* child = make_scope(scope, scope, n, kWorkflow, block_of(wf->body, wf, nullptr), 0);
    Scope::Extra& instance = child->more();
    instance.path = path_of(scope, node.name);
    instance.inputs = std::move(*inputs);
    instance.depth = scope_depth(scope) + 1;
    mark_dirty(child);
    return;
  }
  auto known = ops_by_call_.find(&call);
  const ir::Op* op = known != ops_by_call_.end()
                         ? known->second
                         : ops_by_call_.emplace(&call, program_.find_op(call.callee)).first->second;
  if (plan_detail::has_stream_port(*op) || call.replicas) {
    auto inputs = call_inputs(scope, n, call, op->inputs, op->loc.file);
    if (inputs) start_stream_call(scope, n, call, *op, *inputs);
    return;
  }
  std::unique_ptr<Value[]> inputs = op_inputs(scope, n, call, *op);
  if (!inputs) return;
  Task grouped;
  if (!group_of(scope, n, call, *op, grouped)) return;
  TaskId id = add_task(scope, n, *op, std::move(inputs));
  if (grouped.group) {
    Task& task = record(id);
    task.group = grouped.group;
    task.group_members = grouped.group_members;
  }
  ready_.push_back(id);
  ++running_;
}

std::unique_ptr<Value[]> Plan::op_inputs(Scope* scope, uint32_t n, const ir::CallNode& call, const ir::Op& op) {
  const std::vector<ir::Port>& ports = op.inputs;
  auto port_index = [&](const std::string& name) {
    for (size_t k = 0; k < ports.size(); ++k) {
      if (ports[k].name == name) return k;
    }
    return ports.size();  // not a port (the IR loader refuses such a call)
  };
  auto values = std::make_unique<Value[]>(ports.size());
  // Which ports the call gives: bits of one word for the usual few ports.
  std::vector<bool> many(ports.size() > 64 ? ports.size() : 0);
  uint64_t few = 0;
  auto given = [&](size_t k) { return ports.size() > 64 ? static_cast<bool>(many[k]) : ((few >> k) & 1) != 0; };
  for (const auto& [name, expr] : call.args) {
    size_t k = port_index(name);
    if (k == ports.size()) continue;
    // [&name = name]: clang 14 (the sanitizer build) cannot capture a structured binding by [&].
    auto v = evaluate(
        scope, expr, [&name = name, &call] { return fmt::format("input `{}` of `{}`", name, call.callee); }, n);
    if (!v) return nullptr;
    // The value takes the port's type (an int given for a float is a float).
    coerce_in_place(*v, ports[k].type);
    values[k] = std::move(*v);
    if (ports.size() > 64) {
      many[k] = true;
    } else {
      few |= uint64_t{1} << k;
    }
  }
  // Defaults, in order, each seeing the given inputs and those before it.
  for (size_t k = 0; k < ports.size(); ++k) {
    const ir::Port& p = ports[k];
    if (given(k) || !p.default_value) continue;  // an optional left out stays null
    Value known = Value::object();
    for (size_t j = 0; j < ports.size(); ++j) {
      if (given(j) || j < k) known[ports[j].name] = values[j];
    }
    Scope empty;
    empty.block = &index_of(kNoNodes);
    ScopeLookup lookup(&empty, &known);
    auto result = evaluator_for(op.loc.file).eval(*p.default_value, lookup);
    if (auto* failure = std::get_if<EvalFailure>(&result)) {
      node_failed(scope, n, fmt::format("the default of input `{}` of `{}`: {}", p.name, call.callee, failure->message),
                  failure->loc.known() ? failure->loc : p.loc);
      return nullptr;
    }
    values[k] = std::move(std::get<Value>(result));
    coerce_in_place(values[k], p.type);
  }
  return values;
}

TaskId Plan::add_task(Scope* scope, uint32_t n, const ir::Op& op, std::unique_ptr<Value[]> inputs) {
  auto id = static_cast<TaskId>(made_.size());
  Made& made = made_.emplace_back();
  made.scope = scope;
  made.node = n;
  made.op = &op;
  made.inputs = std::move(inputs);
  records_.emplace_back();
  ++tasks_made_;
  return id;
}

// A task's scope lives while the task runs (its node is not done), so the
// record can be made from it whenever it is first asked for.
Task& Plan::record(TaskId id) {
  std::unique_ptr<Task>& slot = records_[id];
  if (slot) return *slot;
  Made& made = made_[id];
  const ir::Node& node = (*made.scope->body())[made.node];
  slot = std::make_unique<Task>();
  Task& task = *slot;
  task.id = id;
  task.op = made.op;
  task.path = path_of(made.scope, node.name);
  task.base_dir = &base_dir_of(made.op->loc.file);
  task.call_loc = node.loc;
  if (made.inputs) {
    task.inputs = Value::object();
    for (size_t k = 0; k < made.op->inputs.size(); ++k)
      task.inputs[made.op->inputs[k].name] = std::move(made.inputs[k]);
    made.inputs.reset();
  }
  return task;
}

const Task& Plan::task(TaskId id) {
  if (id >= made_.size()) throw std::out_of_range(fmt::format("no task {}", id));
  return record(id);
}

const ir::Op& Plan::op_of(TaskId id) const {
  if (id >= made_.size()) throw std::out_of_range(fmt::format("no task {}", id));
  return *made_[id].op;
}

std::pair<const ir::Node*, const void*> Plan::call_site_of(TaskId id) const {
  if (id >= made_.size()) throw std::out_of_range(fmt::format("no task {}", id));
  const Scope* instance = made_[id].scope;
  while (instance->kind != kWorkflow && instance->parent) instance = instance->parent;
  return {&(*made_[id].scope->body())[made_[id].node], instance};
}

bool Plan::group_of(Scope* scope, uint32_t n, const ir::CallNode& call, const ir::Op& op, Task& task) {
  // Only a container is shared: an op without an image has nothing to group.
  if (!op.image || (!call.group && options_.default_group <= 1)) return true;
  const Scope* item = scope;  // the fan-out item this call belongs to
  while (item && item->kind == kArm) item = item->parent;
  if (!item || item->kind != kIteration) return true;
  int64_t size = options_.default_group;
  if (call.group) {
    auto v = evaluate(
        scope, *call.group, [] { return std::string("the call's `group`"); }, n);
    if (!v) return false;
    if (v->is_discarded()) return true;  // a survey: grouping changes no task
    size = v->is_number() ? v->get<int64_t>() : 0;
    if (size < 1) {
      node_failed(scope, n, fmt::format("`group` must be at least 1, not {}", v->dump()), call.group->loc);
      return false;
    }
  }
  if (size <= 1) return true;
  uint32_t slice = item->index / static_cast<uint32_t>(size);
  const Scope::Gather& gather = *item->owner->gather(item->owner_node);
  auto [it, added] = groups_.emplace(std::make_tuple(item->owner, item->owner_node, &(*scope->body())[n], slice),
                                     static_cast<uint32_t>(groups_.size() + 1));
  task.group = it->second;
  uint64_t first = static_cast<uint64_t>(slice) * static_cast<uint64_t>(size);
  task.group_members = static_cast<uint32_t>(std::min<uint64_t>(static_cast<uint64_t>(size), gather.total - first));
  return true;
}

int Plan::scope_depth(const Scope* scope) const {
  for (const Scope* s = scope; s; s = s->parent) {
    if (s->kind == kWorkflow) return s->depth();
  }
  return 0;
}

Plan::Scope* Plan::make_scope(Scope* parent, Scope* owner, uint32_t owner_node, int kind, const BodyIndex& block,
                              uint32_t index) {
  size_t nodes = block.body->size();
  ScopePtr child = new_scope(nodes);
  // A called workflow sees only its own inputs; blocks see their parents.
  child->parent = kind == kWorkflow ? nullptr : parent;
  child->owner = owner;
  child->owner_node = owner_node;
  child->kind = static_cast<uint8_t>(kind);
  child->block = &block;
  child->index = index;
  child->open = static_cast<uint32_t>(nodes);
  unplanned_ += block.planned_nodes;
  Scope* raw = child.get();
  owner->more().children.push_back(std::move(child));
  return raw;
}

// ---- for and if ----------------------------------------------------------------------

void Plan::start_scatter(Scope* scope, uint32_t n, const ir::ScatterNode& scatter) {
  const ir::Node& node = (*scope->body())[n];
  auto items = evaluate(
      scope, scatter.collection, [&] { return fmt::format("the list of `for {}`", scatter.var); }, n);
  if (!items) return;
  if (items->is_discarded()) {
    // A survey: the list holds what tasks make. Its length may be known
    // (the list a `for` made), its items are not.
    auto length = survey_length(scope, scatter.collection);
    if (!length) {
      survey_waits(scope, n,
                   fmt::format("`for {} in {}`: its list comes from outputs of earlier steps", scatter.var,
                               ir::expr_text(scatter.collection)));
      return;
    }
    items = Value::array();
    for (size_t i = 0; i < *length; ++i) items->push_back(unknown());
  }
  Scope::Gather& gather = scope->gathers()[n];
  gather.total = static_cast<uint32_t>(items->size());
  gather.required = gather.total;
  if (scatter.min_success) {
    auto v = evaluate(
        scope, *scatter.min_success, [] { return std::string("min_success"); }, n);
    if (!v) return;
    if (!v->is_discarded()) gather.required = static_cast<uint32_t>(std::max<int64_t>(0, v->get<int64_t>()));
  } else if (scatter.min_success_ratio) {
    auto v = evaluate(
        scope, *scatter.min_success_ratio, [] { return std::string("min_success_ratio"); }, n);
    if (!v) return;
    if (!v->is_discarded()) gather.required = static_cast<uint32_t>(std::ceil(v->get<double>() * gather.total - 1e-9));
  }
  if (gather.required > gather.total) {
    node_failed(scope, n,
                fmt::format("the `for` needs {} items to succeed but has only {}", gather.required, gather.total),
                node.loc);
    return;
  }
  if (gather.total == 0) {
    gather_done(scope, n);
    return;
  }
  gather.items.reserve(gather.total);
  std::vector<ScopePtr>& children = scope->more().children;
  children.reserve(children.size() + gather.total);
  const BodyIndex& item_block = block_of(scatter.body, scope->workflow(), &scatter.var);
  for (uint32_t i = 0; i < gather.total; ++i) {
    Scope* child = make_scope(scope, scope, n, kIteration, item_block, i);
    child->var = std::move((*items)[i]);
    gather.items.push_back(child);
    mark_dirty(child);
  }
}

void Plan::start_branch(Scope* scope, uint32_t n, const ir::BranchNode& branch) {
  for (uint32_t a = 0; a < branch.arms.size(); ++a) {
    const ir::BranchArm& arm = branch.arms[a];
    bool taken = true;
    if (arm.condition) {
      auto c = evaluate(
          scope, *arm.condition, [] { return std::string("the condition"); }, n);
      if (!c) return;
      if (c->is_discarded()) {
        survey_waits(
            scope, n,
            fmt::format("`if {}`: its condition reads outputs of earlier steps", ir::expr_text(*arm.condition)));
        return;
      }
      taken = c->is_boolean() && c->get<bool>();
    }
    if (!taken) continue;
    Scope* child = make_scope(scope, scope, n, kArm, block_of(arm.body, scope->workflow(), nullptr), a);
    mark_dirty(child);
    return;
  }
  // No arm ran: every export is absent.
  const ir::Node& node = (*scope->body())[n];
  const BodyIndex& index = index_of(*scope->body());
  Value exports = Value::object();
  for (const ir::Export& e : node.exports) exports[e.name] = absent_like(e.type, index.call_like.at(e.name));
  node_done(scope, n, std::move(exports));
}

// ---- surveys -------------------------------------------------------------------------

void Plan::survey_waits(Scope* scope, uint32_t n, const std::string& why) {
  const ir::Node& node = (*scope->body())[n];
  problems_.push_back(Problem{Problem::Waiting, path_of(scope, node.name), why, node.loc});
  Value exports = Value::object();
  for (const ir::Export& e : node.exports) exports[e.name] = unknown();
  node_done(scope, n, std::move(exports));
}

// The length of a list named by `e` (a name, or fields of one: `a.bam`)
// whose items are unknown, as a `for` makes when its items are tasks.
// Anything computed is not trusted: flatten() or select_all() of unknown
// items has a length no survey can know.
std::optional<size_t> Plan::survey_length(Scope* scope, const ir::Expr& e) {
  const ir::Expr* at = &e;
  while (at->kind == ir::Expr::Kind::Member && !at->args.empty()) at = &at->args[0];
  if (at->kind != ir::Expr::Kind::Var) return std::nullopt;
  ScopeLookup lookup(scope);
  auto result = evaluator_for(scope->workflow()->loc.file).eval(e, lookup);
  auto* v = std::get_if<Value>(&result);
  if (!v || !v->is_array()) return std::nullopt;
  return v->size();
}

// ---- completion ------------------------------------------------------------------------

void Plan::node_done(Scope* scope, uint32_t n, Value value) {
  scope->status(n) = Status::Done;
  scope->value(n) = std::move(value);
  --scope->open;
  mark_dirty(scope);
}

void Plan::node_failed(Scope* scope, uint32_t n, const std::string& reason, const ir::SourceLoc& loc) {
  const ir::Node& node = (*scope->body())[n];
  if (scope->status(n) == Status::Failed || scope->status(n) == Status::Done) return;  // another replica's
  // An optional call's failure is data: its outputs are absent.
  if (const auto* call = node.as<ir::CallNode>(); call && call->optional) {
    problems_.push_back(Problem{Problem::Absent, path_of(scope, node.name), reason, loc});
    node_done(scope, n, absent_like(node.type, true));
    return;
  }
  problems_.push_back(Problem{Problem::Failed, path_of(scope, node.name.empty() ? "?" : node.name), reason, loc});
  scope->status(n) = Status::Failed;
  --scope->open;
  scope->failed = true;
  skip_dependents(scope, n);
  if (!options_.keep_going && !absorbed(scope)) stop();
  mark_dirty(scope);
}

// Will a failure of `scope` be absorbed on its way up (by an optional call
// or a `for` that can still have enough successes)? Says by what.
std::optional<Plan::Tolerance> Plan::absorber(const Scope* scope) const {
  for (const Scope* s = scope; s && s->owner; s = s->owner) {
    const Scope* owner = s->owner;
    const ir::Node& node = (*owner->body())[s->owner_node];
    if (const auto* call = node.as<ir::CallNode>(); call && call->optional) {
      std::string path = path_of(owner, node.name);
      return Tolerance{fmt::format("the call `{}` is optional: its outputs are absent, and the run goes on", path),
                       path};
    }
    if (s->kind == kIteration) {
      const Scope::Gather& g = *owner->gather(s->owner_node);
      uint32_t failures = g.failed + (s->finished ? 0 : 1);
      if (g.total - failures >= g.required) {
        return Tolerance{fmt::format("item {} of the `for` at {} is left out of its lists: it needs {} of its {} items",
                                     s->index, program_.where(node.loc), g.required, g.total),
                         fmt::format("{}[{}]", path_of(owner, node.name), s->index)};  // as gather_done says it
      }
    }
  }
  return std::nullopt;
}

std::optional<Plan::Tolerance> Plan::tolerance(TaskId id) const {
  const Made& made = made_[id];
  const Scope* scope = made.scope;
  const ir::Node& node = (*scope->body())[made.node];
  if (const auto* call = node.as<ir::CallNode>(); call && call->optional) {
    std::string path = path_of(scope, node.name);
    return Tolerance{fmt::format("`{}` is optional: its outputs are absent, and the run goes on", path), path};
  }
  return absorber(scope);
}

// Nodes that need what `n` would have bound can never run, nor what needs
// them. Usually they come after `n`; a call's `after` may name a later one,
// so the whole body is looked at until nothing more is lost.
void Plan::skip_dependents(Scope* scope, uint32_t n) {
  std::set<std::string> lost;
  const ir::Node& failed = (*scope->body())[n];
  if (!failed.name.empty()) lost.insert(failed.name);
  for (const ir::Export& e : failed.exports) lost.insert(e.name);
  for (bool more = true; more;) {
    more = false;
    for (uint32_t k = 0; k < scope->body()->size(); ++k) {
      const ir::Node& node = (*scope->body())[k];
      if (scope->status(k) != Status::Waiting) continue;
      if (std::none_of(node.deps.begin(), node.deps.end(), [&](const std::string& d) { return lost.count(d) > 0; })) {
        continue;
      }
      scope->status(k) = Status::Skipped;
      --scope->open;
      if (!node.as<ir::ValueNode>()) --unplanned_;
      if (!node.name.empty()) lost.insert(node.name);
      for (const ir::Export& e : node.exports) lost.insert(e.name);
      more = true;
    }
  }
}

void Plan::scope_finished(Scope* scope) {
  scope->finished = true;
  if (!scope->owner) {
    finish_run(!scope->failed);
    return;
  }
  Scope* owner = scope->owner;
  uint32_t n = scope->owner_node;
  const ir::Node& node = (*owner->body())[n];
  switch (scope->kind) {
    case kWorkflow: {
      if (scope->failed) {
        node_failed(owner, n, fmt::format("workflow `{}` failed", scope->workflow()->name), node.loc);
        if (!problems_.empty() && problems_.back().kind == Problem::Failed) problems_.back().consequence = true;
        break;
      }
      Value outputs = Value::object();
      for (const ir::Port& p : scope->workflow()->outputs) {
        auto v = evaluate(
            scope, *p.value, [&] { return fmt::format("output `{}` of `{}`", p.name, scope->workflow()->name); }, 0);
        if (!v) {
          node_failed(owner, n,
                      fmt::format("workflow `{}` could not give output `{}`", scope->workflow()->name, p.name),
                      node.loc);
          return;
        }
        coerce_in_place(*v, p.type);
        outputs[p.name] = std::move(*v);
      }
      node_done(owner, n, std::move(outputs));
      break;
    }
    case kIteration: {
      Scope::Gather& g = owner->gathers().at(n);
      ++g.finished;
      if (scope->failed) ++g.failed;
      if (g.finished == g.total) gather_done(owner, n);
      break;
    }
    case kArm: {
      if (scope->failed) {
        node_failed(owner, n, "a step in the branch failed", node.loc);
        if (!problems_.empty() && problems_.back().kind == Problem::Failed) problems_.back().consequence = true;
        break;
      }
      const BodyIndex& outer = index_of(*owner->body());
      const BodyIndex& inner = index_of(*scope->body());
      Value exports = Value::object();
      for (const ir::Export& e : node.exports) {
        auto b = inner.binder.find(e.name);
        bool call_like = outer.call_like.at(e.name);
        if (b == inner.binder.end() || scope->status(b->second) != Status::Done) {
          exports[e.name] = absent_like(e.type, call_like);
          continue;
        }
        const ir::Node& binder = (*scope->body())[b->second];
        const Value& v = scope->value(b->second);
        exports[e.name] = binder.as<ir::CallNode>() || binder.as<ir::ValueNode>() ? v : v[e.name];
      }
      node_done(owner, n, std::move(exports));
      break;
    }
  }
}

// All iterations of a `for` are over: build its lists, in item order.
void Plan::gather_done(Scope* scope, uint32_t n) {
  Scope::Gather& g = scope->gathers().at(n);
  const ir::Node& node = (*scope->body())[n];
  uint32_t succeeded = g.total - g.failed;
  if (succeeded < g.required) {
    node_failed(scope, n,
                fmt::format("{} of {} items failed; the `for` needs {} to succeed", g.failed, g.total, g.required),
                node.loc);
    // A `for` that needs every item fails because an item did, which says why.
    if (g.required == g.total && !problems_.empty() && problems_.back().kind == Problem::Failed) {
      problems_.back().consequence = true;
    }
    return;
  }
  // The failed items were absorbed: each is absent from the lists, and said so.
  for (Scope* item : g.items) {
    if (item->failed) {
      problems_.push_back(Problem{Problem::Absent, fmt::format("{}[{}]", path_of(scope, node.name), item->index),
                                  "an item of this `for` failed; it is left out of the lists the `for` makes",
                                  node.loc});
    }
  }
  const BodyIndex& outer = index_of(*scope->body());
  Value exports = Value::object();
  for (const ir::Export& e : node.exports) {
    bool call_like = outer.call_like.at(e.name);
    Value list = Value::array();
    Value fields = Value::object();
    if (call_like && e.type->is(ir::TypeKind::Record)) {
      for (const ir::Field& f : e.type->fields()) fields[f.name] = Value::array();
    }
    for (Scope* item : g.items) {
      if (item->failed) continue;
      ScopeLookup lookup(item);
      const Value* v = lookup.find(e.name);
      Value value = v ? *v : Value();
      if (call_like && e.type->is(ir::TypeKind::Record)) {
        for (const ir::Field& f : e.type->fields()) {
          // A survey's task ends with its outputs unknown as a whole (survey.cpp): so is each field.
          fields[f.name].push_back(value.is_object() ? value[f.name] : value.is_discarded() ? unknown() : Value());
        }
      } else {
        list.push_back(std::move(value));
      }
    }
    exports[e.name] = call_like && e.type->is(ir::TypeKind::Record) ? std::move(fields) : std::move(list);
  }
  // The iterations' scopes are no longer needed (their values are copied).
  // Not one that (or a scope inside which) is still queued to settle: the
  // queue holds their pointers (an iteration whose `if` took no arm ends
  // before its queued arm scope is settled).
  std::function<bool(const Scope&)> queued = [&](const Scope& s) {
    if (s.dirty) return true;
    if (!s.extra) return false;
    const auto& children = s.extra->children;
    return std::any_of(children.begin(), children.end(), [&](const ScopePtr& c) { return queued(*c); });
  };
  std::erase_if(scope->more().children,
                [&](const ScopePtr& c) { return c->owner_node == n && c->finished && !queued(*c); });
  g.items.clear();
  node_done(scope, n, std::move(exports));
}

void Plan::finish_run(bool ok) {
  if (finished_) return;
  finished_ = true;
  failed_ = !ok;
  if (!ok) return;
  Scope* root = root_.get();
  outputs_ = Value::object();
  for (const ir::Port& p : root->workflow()->outputs) {
    ScopeLookup lookup(root);
    bool refused = false;
    if (options_.survey) lookup.refuse_unknown(&refused);
    auto result = evaluator_for(root->workflow()->loc.file).eval(*p.value, lookup);
    if (refused) {
      outputs_[p.name] = unknown();  // a survey: made by tasks
      continue;
    }
    if (auto* failure = std::get_if<EvalFailure>(&result)) {
      problems_.push_back(Problem{Problem::Failed, root->path(),
                                  fmt::format("output `{}`: {}", p.name, failure->message), failure->loc});
      failed_ = true;
      return;
    }
    outputs_[p.name] = std::move(std::get<Value>(result));
    coerce_in_place(outputs_[p.name], p.type);
  }
}

// ---- the outside world's calls -------------------------------------------------------

std::vector<TaskId> Plan::take_ready() {
  settle();
  std::vector<TaskId> out;
  out.swap(ready_);
  return out;
}

void Plan::forget(TaskId id) {
  if (id >= made_.size()) return;
  if (records_[id]) {
    Value& inputs = records_[id]->inputs;
    // Emptied first: nlohmann::json destroys an object through a heap stack of its members.
    if (inputs.is_object()) inputs.get_ref<Value::object_t&>().clear();
    inputs = Value();
  } else {
    made_[id].inputs.reset();
  }
}

void Plan::succeeded(TaskId id, Value outputs) {
  --running_;
  Scope* scope = made_[id].scope;
  uint32_t n = made_[id].node;
  if (gang_of(id)) {
    // A stream producer's stream fields were bound when it started; a node
    // of several replicas is done when the last one is.
    if (!replica_finished(id, true)) {
      settle();
      return;
    }
    const Value& started = scope->value(n);
    if (started.is_object()) {
      for (auto& [port, channel] : started.items()) outputs[port] = channel;
    }
  }
  node_done(scope, n, std::move(outputs));
  settle();
}

void Plan::failed(TaskId id, const std::string& reason) {
  --running_;
  Scope* scope = made_[id].scope;
  uint32_t n = made_[id].node;
  if (gang_of(id)) replica_finished(id, false);
  node_failed(scope, n, reason, (*scope->body())[n].loc);
  settle();
}

void Plan::stop() {
  stopping_ = true;
  held_gangs_.clear();  // never started: nothing to wait for
  if (running_ == 0 && !finished_) finish_run(false);
}

}  // namespace flowc::runtime
