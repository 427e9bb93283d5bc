// The plan's stream rules: gangs of tasks that start together.
//
// A call of an op with stream ports makes its task(s) as usual, but holds
// them instead of making them ready. As soon as it started, its stream
// fields are known (a channel name, `main.p.out`, and how many tasks produce
// it), so a consumer that reads only those fields is ready too: it is made
// in the same settle, joins the producer's gang, and is held with it. A
// gang is released (all its tasks ready at once) when no consumer of its
// streams is still waiting for another value; a gang that could never be
// released (a consumer waits for something that needs the stream to end
// first) fails with the name of that consumer. Batch tasks downstream of a
// stream task wait for it to finish, as for any task.
#include <fmt/format.h>

#include "ir/find_port.h"
#include "runtime/scheduler/plan.h"
#include "runtime/scheduler/plan_scope.h"

namespace flowc::runtime {
namespace {

using Names = std::set<std::string, std::less<>>;

// `p.out` where the field is a stream reads p's stream; any other use of a
// name reads its value.
void walk_expr(const ir::Expr& e, Names& stream, Names& batch) {
  if (e.kind == ir::Expr::Kind::Member && e.type && e.type->holds_stream() && e.args.size() == 1 &&
      e.args[0].kind == ir::Expr::Kind::Var) {
    stream.insert(e.args[0].name);
    return;
  }
  if (e.kind == ir::Expr::Kind::Var) {
    batch.insert(e.name);
    return;
  }
  for (const ir::Expr& a : e.args) walk_expr(a, stream, batch);
  for (const auto& [name, f] : e.fields) walk_expr(f, stream, batch);
}

void walk_node(const ir::Node& node, Names& stream, Names& batch) {
  auto opt = [&](const std::optional<ir::Expr>& e) {
    if (e) walk_expr(*e, stream, batch);
  };
  if (const auto* c = node.as<ir::CallNode>()) {
    for (const auto& [name, e] : c->args) walk_expr(e, stream, batch);
    opt(c->replicas);
    opt(c->group);
  } else if (const auto* v = node.as<ir::ValueNode>()) {
    walk_expr(v->value, stream, batch);
  } else if (const auto* s = node.as<ir::ScatterNode>()) {
    walk_expr(s->collection, stream, batch);
    opt(s->min_success);
    opt(s->min_success_ratio);
    for (const ir::Node& inner : s->body) walk_node(inner, stream, batch);
  } else if (const auto* b = node.as<ir::BranchNode>()) {
    for (const ir::BranchArm& arm : b->arms) {
      opt(arm.condition);
      for (const ir::Node& inner : arm.body) walk_node(inner, stream, batch);
    }
  }
}

// The channel names a stream input was given: one stream, or a list (fan-in).
std::vector<std::string> channels_of(const Value& v) {
  std::vector<std::string> out;
  if (v.is_object() && v.contains("stream")) {
    out.push_back(v["stream"].get<std::string>());
  } else if (v.is_array()) {
    for (const Value& item : v) {
      for (std::string& c : channels_of(item)) out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace

bool plan_detail::has_stream_port(const ir::Op& op) {
  for (const ir::Port& p : op.inputs) {
    if (p.type->holds_stream()) return true;
  }
  for (const ir::Port& p : op.outputs) {
    if (p.type->holds_stream()) return true;
  }
  return false;
}

const Plan::NodeRefs& Plan::refs_of(const ir::Node& node) {
  auto it = refs_.find(&node);
  if (it != refs_.end()) return it->second;
  NodeRefs refs;
  walk_node(node, refs.stream, refs.batch);
  return refs_.emplace(&node, std::move(refs)).first->second;
}

// Has the node binding `name` (seen from `scope`) started, with its stream
// fields known?
bool Plan::stream_ready(Scope* scope, const std::string& name) {
  for (Scope* s = scope; s; s = s->parent) {
    const BodyIndex& index = *s->body_index();
    if (auto b = index.binder.find(name); b != index.binder.end()) {
      if (s->status(b->second) != Status::Running) return false;
      return stream_view(s, b->second) != nullptr;
    }
    if (s->kind == kWorkflow) return false;
  }
  return false;
}

// The stream fields of a running node: a call's (set when it started), or a
// `for`'s lists of its items' (once every item's producer started, then kept
// in the node's slot until the `for` finishes and binds the full lists).
const Value* Plan::stream_view(Scope* scope, uint32_t n) {
  Value& slot = scope->value(n);
  if (!slot.is_null()) return &slot;
  const ir::Node& node = (*scope->body())[n];
  if (!node.as<ir::ScatterNode>()) return nullptr;
  const Scope::Gather* g = scope->gather(n);
  if (!g) return nullptr;
  const BodyIndex& outer = *scope->body_index();
  Value exports = Value::object();
  for (const ir::Export& e : node.exports) {
    if (!e.type->holds_stream() || !outer.call_like.at(e.name) || !e.type->is(ir::TypeKind::Record)) continue;
    Value fields = Value::object();
    for (const ir::Field& f : e.type->fields()) {
      if (f.type->holds_stream()) fields[f.name] = Value::array();
    }
    for (Scope* item : g->items) {
      auto b = item->body_index()->binder.find(e.name);
      if (b == item->body_index()->binder.end()) return nullptr;
      Status st = item->status(b->second);
      if (st != Status::Running && st != Status::Done) return nullptr;
      const Value* v = st == Status::Done ? &item->value(b->second) : stream_view(item, b->second);
      if (!v || v->is_null()) return nullptr;
      const ir::Node& binder = (*item->body())[b->second];
      const Value& record = binder.as<ir::CallNode>() ? *v : (*v)[e.name];
      for (auto& [field, list] : fields.items()) list.push_back(record.value(field, Value()));
    }
    exports[e.name] = std::move(fields);
  }
  if (exports.empty()) return nullptr;
  slot = std::move(exports);
  return &slot;
}

// Makes the tasks of a call of an op with stream ports (one per replica),
// held in a gang with the producers of the streams it reads. False if the
// op has no stream port (an ordinary task).
bool Plan::start_stream_call(Scope* scope, uint32_t n, const ir::CallNode& call, const ir::Op& op,
                             const Value& inputs) {
  const ir::Node& node = (*scope->body())[n];
  if (!plan_detail::has_stream_port(op)) {
    if (call.replicas) {
      node_failed(scope, n,
                  fmt::format("`replicas` shares a stream among copies of a stream consumer, but op `{}` has no "
                              "stream port; use a `for` to run it several times",
                              op.name),
                  node.loc);
      return true;
    }
    return false;
  }
  uint32_t replicas = 1;
  if (call.replicas) {
    auto v = evaluate(
        scope, *call.replicas, [] { return std::string("replicas"); }, n);
    if (!v) return true;
    int64_t r = v->is_discarded() ? 1 : v->is_number_integer() ? v->get<int64_t>() : 0;  // a survey: one stands for all
    if (r < 1) {
      node_failed(scope, n, fmt::format("`replicas` is {}; it must be at least 1", v->dump()), node.loc);
      return true;
    }
    replicas = static_cast<uint32_t>(r);
  }
  if (replicas > 1) {
    for (const ir::Port& p : op.outputs) {
      if (p.type->holds_stream()) continue;
      node_failed(scope, n,
                  fmt::format("`replicas = {}` makes several copies of `{}`, but its output `{}` is a {}, of which "
                              "the call can give only one; use a `for` to get a list of them",
                              replicas, op.name, p.name, program_.types->display(p.type)),
                  node.loc);
      return true;
    }
  }

  // Every stream this call reads must come from a producer whose gang has
  // not started yet: a consumer joins its producers before they start.
  for (const ir::Port& p : op.inputs) {
    if (!p.type->holds_stream()) continue;
    for (const std::string& c : channels_of(inputs.value(p.name, Value()))) {
      auto ch = channels_.find(c);
      bool late = ch == channels_.end() || ch->second.released;
      if (late) {
        node_failed(scope, n,
                    fmt::format("`{}` would read the stream `{}`, which already started without it (a consumer "
                                "must be able to start with its producer: give it no input that waits for a task "
                                "finishing after the producer starts)",
                                node.name, c),
                    node.loc);
        return true;
      }
    }
  }

  std::string path = path_of(scope, node.name);
  uint32_t gang = next_gang_++;
  held_gangs_[gang] = {};
  Value partial = Value::object();
  for (const ir::Port& p : op.outputs) {
    if (!p.type->holds_stream()) continue;
    std::string channel = path + "." + p.name;
    partial[p.name] = Value{{"stream", channel}, {"producers", replicas}};
    channels_[channel] = Channel{};
  }
  for (uint32_t k = 0; k < replicas; ++k) {
    TaskId id = add_task(scope, n, op, nullptr);
    Task& task = record(id);
    task.inputs = inputs;
    task.path = replicas > 1 ? fmt::format("{}#{}", path, k) : path;
    task.gang = gang;
    held_gangs_[gang].push_back(id);
    StreamPorts& ports = stream_ports_[id];
    for (const ir::Port& p : op.outputs) {
      if (!p.type->holds_stream()) continue;
      std::string channel = path + "." + p.name;
      ports.outputs.emplace_back(p.name, channel);
      channels_[channel].producers.push_back(id);
    }
    for (const ir::Port& p : op.inputs) {
      if (!p.type->holds_stream()) continue;
      std::vector<std::string> from = channels_of(inputs.value(p.name, Value()));
      for (const std::string& c : from) {
        Channel& ch = channels_.at(c);
        auto group = std::find_if(ch.groups.begin(), ch.groups.end(),
                                  [&](const StreamGroup& g) { return g.node == &node && g.port == p.name; });
        if (group == ch.groups.end()) {
          ch.groups.push_back(StreamGroup{&node, p.name, {}});
          group = ch.groups.end() - 1;
        }
        group->members.push_back(id);
        for (TaskId producer : ch.producers) join_gangs(records_[id]->gang, records_[producer]->gang);
      }
      ports.inputs.emplace_back(p.name, std::move(from));
    }
  }
  if (replicas > 1) replicas_[{scope, n}] = Replicas{replicas, false};
  if (!partial.empty()) scope->value(n) = std::move(partial);
  // Consumers in this block and the blocks around it may now start.
  for (Scope* s = scope; s; s = s->owner) {
    mark_dirty(s);
    if (s->kind == kWorkflow) break;
  }
  return true;
}

void Plan::join_gangs(uint32_t a, uint32_t b) {
  if (a == b) return;
  auto& into = held_gangs_.at(a);
  for (TaskId id : held_gangs_.at(b)) {
    records_[id]->gang = a;
    into.push_back(id);
  }
  held_gangs_.erase(b);
}

// Is a consumer of `name`'s streams still waiting to start, in `scope` or a
// block around it (up to its workflow: streams do not cross workflow calls)?
bool Plan::consumers_waiting(const Scope* scope, const std::string& name) {
  return !waiting_consumer(scope, name).empty();
}

bool Plan::consumers_waiting_below(const Scope* scope, const std::string& name) {
  for (uint32_t k = 0; k < scope->body()->size(); ++k) {
    const ir::Node& node = (*scope->body())[k];
    if (!refs_of(node).stream.count(name)) continue;
    Status st = scope->status(k);
    if (st == Status::Waiting) return true;
    if (st == Status::Running && (node.as<ir::ScatterNode>() || node.as<ir::BranchNode>()) && scope->extra) {
      for (const auto& child : scope->extra->children) {
        if (child->owner_node == k && !child->finished && consumers_waiting_below(child.get(), name)) return true;
      }
    }
  }
  return false;
}

// The first consumer of `name`'s streams still waiting, by call path ("" if none).
std::string Plan::waiting_consumer(const Scope* scope, const std::string& name) {
  for (const Scope* s = scope; s; s = s->owner) {
    if (consumers_waiting_below(s, name)) {
      for (uint32_t k = 0; k < s->body()->size(); ++k) {
        const ir::Node& node = (*s->body())[k];
        if (refs_of(node).stream.count(name) && s->status(k) == Status::Waiting) {
          return fmt::format("{} ({})", path_of(s, node.name.empty() ? "?" : node.name), program_.where(node.loc));
        }
      }
      return path_of(s, name) + " (a consumer inside a block)";
    }
    if (s->kind == kWorkflow) break;
  }
  return "";
}

void Plan::release_gangs() {
  for (auto it = held_gangs_.begin(); it != held_gangs_.end();) {
    bool closed = true;
    for (TaskId id : it->second) {
      const Made& m = made_[id];
      if (consumers_waiting(m.scope, (*m.scope->body())[m.node].name)) {
        closed = false;
        break;
      }
    }
    if (!closed) {
      ++it;
      continue;
    }
    for (TaskId id : it->second) {
      for (const auto& [port, channel] : stream_ports_[id].outputs) channels_[channel].released = true;
    }
    for (TaskId id : it->second) {
      records_[id]->streams = stream_wiring(id);
      ready_.push_back(id);
      ++running_;
    }
    gangs_[it->first] = std::move(it->second);
    it = held_gangs_.erase(it);
  }
  if (held_gangs_.empty() || running_ > 0) return;
  // Nothing runs, so nothing the waiting consumers need can ever come.
  auto held = std::move(held_gangs_);
  held_gangs_.clear();
  for (auto& [gang, members] : held) {
    std::string who;
    for (TaskId id : members) {
      const Made& m = made_[id];
      who = waiting_consumer(m.scope, (*m.scope->body())[m.node].name);
      if (!who.empty()) break;
    }
    for (TaskId id : members) {
      const Made& m = made_[id];
      node_failed(m.scope, m.node,
                  fmt::format("its stream cannot start: the consumer {} waits for a value that can only come after "
                              "the stream has ended; a stream's consumers must be able to start with their producer",
                              who.empty() ? "?" : who),
                  records_[id]->call_loc);
    }
  }
}

// Whether the stream into `consumer`'s `port` can be a pipe: one producer,
// writing to this consumer alone, both commands on stdin/stdout, and
// lines or frames (records are checked line by line, through ZeroMQ).
bool Plan::pipe_between(const std::vector<std::string>& from, TaskId consumer, const std::string& port) {
  if (from.size() != 1) return false;
  const Channel& channel = channels_.at(from[0]);
  if (channel.producers.size() != 1 || channel.groups.size() != 1 || channel.groups[0].members.size() != 1) {
    return false;
  }
  const ir::Op& producer = *records_[channel.producers[0]]->op;
  const ir::Op& op = *records_[consumer]->op;
  if (producer.native_streams || op.native_streams) return false;
  const ir::Port* p = ir::find_port(op.inputs, port);
  if (!p || !p->type->is(ir::TypeKind::Stream)) return false;  // a list of streams: more than one
  const ir::Type* elem = p->type->elem();
  return elem->is(ir::TypeKind::Bytes) || elem->is(ir::TypeKind::Str);
}

StreamWiring Plan::stream_wiring(TaskId id) {
  const Task& task = *records_[id];
  const StreamPorts& ports = stream_ports_.at(id);
  StreamWiring wiring;
  for (const auto& [port, from] : ports.inputs) {
    StreamInputWiring& in = wiring.inputs[port];
    in.key = task.path + "/" + port;
    for (const std::string& c : from) in.expect += channels_.at(c).producers.size();
    in.from = from;
    in.pipe = pipe_between(from, id, port);
  }
  for (const auto& [port, channel] : ports.outputs) {
    StreamOutputWiring& out = wiring.outputs[port];
    out.channel = channel;
    for (const StreamGroup& g : channels_.at(channel).groups) {
      std::vector<std::string>& members = out.to.emplace_back();
      for (TaskId m : g.members) members.push_back(records_[m]->path + "/" + g.port);
    }
  }
  return wiring;
}

// A replica ended; true when its node is complete and every replica succeeded.
bool Plan::replica_finished(TaskId id, bool ok) {
  auto it = replicas_.find({made_[id].scope, made_[id].node});
  if (it == replicas_.end()) return ok;
  Replicas& r = it->second;
  --r.left;
  if (!ok) r.failed = true;
  bool done = r.left == 0 && !r.failed;
  if (r.left == 0) replicas_.erase(it);
  return done;
}

const std::vector<TaskId>& Plan::gang(uint32_t id) const {
  static const std::vector<TaskId> kNone;
  auto it = gangs_.find(id);
  return it == gangs_.end() ? kNone : it->second;
}

}  // namespace flowc::runtime
