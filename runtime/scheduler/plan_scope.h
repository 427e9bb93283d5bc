// The plan's inner records (scopes, body indexes, name lookup), shared by
// plan.cpp and plan_streams.cpp. Private to the scheduler.
#pragma once

#include "runtime/scheduler/plan.h"

namespace flowc::runtime {
namespace plan_detail {
enum ScopeKind { kWorkflow, kIteration, kArm };
// Does the op have a stream input or output (plan_streams.cpp)?
bool has_stream_port(const ir::Op& op);
enum class Status : uint8_t { Waiting, Running, Done, Failed, Skipped };
}  // namespace plan_detail
using plan_detail::kArm;
using plan_detail::kIteration;
using plan_detail::kWorkflow;
using plan_detail::ScopeKind;
using plan_detail::Status;

// For a body (a list of nodes): which node binds each name, and for
// scatter/branch exports whether the name holds a call's outputs (which lift
// field by field) rather than a plain value.
struct Plan::BodyIndex {
  std::map<std::string, uint32_t, std::less<>> binder;  // found by string_view, no allocation
  std::map<std::string, bool, std::less<>> call_like;
  // What every scope of the body shares (set when the first is made).
  const std::vector<ir::Node>* body = nullptr;
  const ir::Workflow* workflow = nullptr;  // the workflow the body belongs to
  const std::string* var_name = nullptr;   // a `for`'s body: its variable
  uint32_t planned_nodes = 0;              // nodes that are not plain values (what the progress counts)
};

// One running copy of a block. A fan-out of ten million items makes ten
// million of these, so what only some scopes need lives apart (Extra), and
// an item of a plain fan-out costs 72 bytes and its slots, in one allocation.
struct Plan::Scope {
  Scope* parent = nullptr;           // lexical parent, for name lookup
  Scope* owner = nullptr;            // the scope holding the node this scope works for
  const BodyIndex* block = nullptr;  // its body, and what the body's scopes share
  uint32_t owner_node = 0;
  uint32_t index = 0;  // iteration number, or arm number
  uint32_t open = 0;   // nodes not yet done, failed or skipped
  uint8_t kind = kWorkflow;
  bool failed = false;
  bool finished = false;
  bool dirty = false;
  Value var;  // iteration scopes: the item

  const std::vector<ir::Node>* body() const { return block->body; }
  const BodyIndex* body_index() const { return block; }
  const ir::Workflow* workflow() const { return block->workflow; }  // the workflow this block belongs to
  const std::string* var_name() const { return block->var_name; }   // iteration scopes: the loop variable
  // Per node of the body: its state and, once done, what it binds. They
  // follow the scope in its allocation (Plan::new_scope); a scope on the
  // stack has none.
  struct Slot {
    Value value;
    Status status = Status::Waiting;
  };
  Slot* slots = nullptr;
  Status& status(uint32_t n) { return slots[n].status; }
  Status status(uint32_t n) const { return slots[n].status; }
  Value& value(uint32_t n) { return slots[n].value; }
  const Value& value(uint32_t n) const { return slots[n].value; }

  // Per scatter node of this scope: how its iterations went.
  struct Gather {
    uint32_t total = 0, finished = 0, failed = 0, required = 0;
    std::vector<Scope*> items;
  };
  // What a workflow instance, or a scope with blocks or calls of workflows
  // in its body, needs beside.
  struct Extra {
    std::string path;  // workflow scopes: the instance's call path
    Value inputs;      // workflow scopes: input values
    int depth = 0;     // workflow scopes: nested workflow calls
    std::vector<ScopePtr> children;
    std::map<uint32_t, Gather> gathers;
  };
  std::unique_ptr<Extra> extra;
  Extra& more() {
    if (!extra) extra = std::make_unique<Extra>();
    return *extra;
  }
  const std::string& path() const {
    static const std::string kNone;
    return extra ? extra->path : kNone;
  }
  const Value& inputs() const {
    static const Value kNone;
    return extra ? extra->inputs : kNone;
  }
  int depth() const { return extra ? extra->depth : 0; }
  std::map<uint32_t, Gather>& gathers() { return more().gathers; }
  const Gather* gather(uint32_t n) const {
    if (!extra) return nullptr;
    auto it = extra->gathers.find(n);
    return it == extra->gathers.end() ? nullptr : &it->second;
  }
};

// Finds names for expressions evaluated in a scope.
class Plan::ScopeLookup : public runtime::Scope {
 public:
  // `strict`: only finished nodes; otherwise a running stream producer's
  // stream fields too (set when it started; see plan_streams.cpp).
  explicit ScopeLookup(const Plan::Scope* scope, const Value* extra = nullptr, bool strict = false)
      : scope_(scope), extra_(extra), strict_(strict) {}
  // In a survey: values holding an unknown are not found, and `*refused` says so.
  void refuse_unknown(bool* refused) { refused_ = refused; }
  const Value* find(std::string_view name) const override {
    const Value* v = find_any(name);
    if (v && refused_ && Plan::holds_unknown(*v)) {
      *refused_ = true;
      return nullptr;
    }
    return v;
  }

 private:
  const Value* find_any(std::string_view name) const {
    if (extra_ && extra_->is_object()) {
      auto it = extra_->find(name);
      if (it != extra_->end()) return &*it;
    }
    for (const Plan::Scope* s = scope_; s; s = s->parent) {
      const BodyIndex& index = *s->body_index();
      auto b = index.binder.find(name);
      if (b != index.binder.end() &&
          (s->status(b->second) == Status::Done ||
           (!strict_ && s->status(b->second) == Status::Running && !s->value(b->second).is_null()))) {
        const Value& v = s->value(b->second);
        const ir::Node& node = (*s->body())[b->second];
        if (node.as<ir::CallNode>() || node.as<ir::ValueNode>()) return &v;
        auto field = v.find(name);
        return field == v.end() ? nullptr : &*field;
      }
      if (s->kind == kIteration && s->var_name() && *s->var_name() == name) return &s->var;
      if (s->kind == kWorkflow) {
        auto it = s->inputs().find(name);
        if (it != s->inputs().end()) return &*it;
        return nullptr;  // a workflow's names stop at its own scope
      }
    }
    return nullptr;
  }

  const Plan::Scope* scope_;
  const Value* extra_;
  bool strict_;
  bool* refused_ = nullptr;
};

}  // namespace flowc::runtime
