// The plan's inner records (scopes, body indexes, name lookup), shared by
// plan.cpp and plan_streams.cpp. Private to the scheduler.
#pragma once

#include "runtime/scheduler/plan.h"

namespace flowc::runtime {
namespace plan_detail {
enum ScopeKind { kWorkflow, kIteration, kArm };
enum class Status : uint8_t { Waiting, Running, Done, Failed, Skipped };
}  // namespace plan_detail
using plan_detail::ScopeKind;
using plan_detail::Status;
using plan_detail::kWorkflow;
using plan_detail::kIteration;
using plan_detail::kArm;

// For a body (a list of nodes): which node binds each name, and for
// scatter/branch exports whether the name holds a call's outputs (which lift
// field by field) rather than a plain value.
struct Plan::BodyIndex {
  std::map<std::string, uint32_t, std::less<>> binder;  // found by string_view, no allocation
  std::map<std::string, bool, std::less<>> call_like;
};

struct Plan::Scope {
  Scope* parent = nullptr;  // lexical parent, for name lookup
  Scope* owner = nullptr;   // the scope holding the node this scope works for
  uint32_t owner_node = 0;
  int kind = kWorkflow;
  const std::vector<ir::Node>* body = nullptr;
  const BodyIndex* body_index = nullptr;   // of `body`
  const ir::Workflow* workflow = nullptr;  // the workflow this block belongs to
  uint32_t index = 0;                      // iteration number, or arm number
  int depth = 0;                           // nested workflow calls
  // Per node of the body: its state and, once done, what it binds. One
  // allocation per scope (a million-item fan-out makes a million scopes).
  struct Slot {
    Value value;
    Status status = Status::Waiting;
  };
  std::unique_ptr<Slot[]> slots;
  Status& status(uint32_t n) { return slots[n].status; }
  Status status(uint32_t n) const { return slots[n].status; }
  Value& value(uint32_t n) { return slots[n].value; }
  const Value& value(uint32_t n) const { return slots[n].value; }
  uint32_t open = 0;          // nodes not yet done, failed or skipped
  bool failed = false;
  bool finished = false;
  bool dirty = false;
  std::string path;           // workflow scopes: the instance's call path
  Value inputs;               // workflow scopes: input values
  Value var;                  // iteration scopes: the item
  const std::string* var_name = nullptr;
  std::vector<std::unique_ptr<Scope>> children;
  // Per scatter node of this scope: how its iterations went.
  struct Gather {
    uint32_t total = 0, finished = 0, failed = 0, required = 0;
    std::vector<Scope*> items;
  };
  std::map<uint32_t, Gather> gathers;
};

// Finds names for expressions evaluated in a scope.
class Plan::ScopeLookup : public runtime::Scope {
 public:
  // `strict`: only finished nodes; otherwise a running stream producer's
  // stream fields too (set when it started; see plan_streams.cpp).
  ScopeLookup(Plan& plan, const Plan::Scope* scope, const Value* extra = nullptr, bool strict = false)
      : plan_(plan), scope_(scope), extra_(extra), strict_(strict) {}
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
      const BodyIndex& index = s->body_index ? *s->body_index : plan_.index_of(*s->body);
      auto b = index.binder.find(name);
      if (b != index.binder.end() && (s->status(b->second) == Status::Done ||
                                      (!strict_ && s->status(b->second) == Status::Running &&
                                       !s->value(b->second).is_null()))) {
        const Value& v = s->value(b->second);
        const ir::Node& node = (*s->body)[b->second];
        if (node.as<ir::CallNode>() || node.as<ir::ValueNode>()) return &v;
        auto field = v.find(name);
        return field == v.end() ? nullptr : &*field;
      }
      if (s->kind == kIteration && s->var_name && *s->var_name == name) return &s->var;
      if (s->kind == kWorkflow) {
        auto it = s->inputs.find(name);
        if (it != s->inputs.end()) return &*it;
        return nullptr;  // a workflow's names stop at its own scope
      }
    }
    return nullptr;
  }

  Plan& plan_;
  const Plan::Scope* scope_;
  const Value* extra_;
  bool strict_;
  bool* refused_ = nullptr;
};

}  // namespace flowc::runtime
