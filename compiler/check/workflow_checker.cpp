// Workflows. A workflow's names are unique (except that the arms of one `if`
// may bind the same name); a name bound inside a `for` is a list after it,
// one bound in only some arms of an `if` is optional after it.
#include "compiler/check/workflow_checker.h"

#include <functional>
#include <set>

#include "compiler/check/after_checker.h"
#include "compiler/check/expr_checker.h"
#include "compiler/check/signature_builder.h"
#include "compiler/check/suggest.h"
#include "compiler/check/type_resolver.h"

namespace flowc::check {

using ir::TypeKind;

struct Binding {
  NameInfo info;
  bool is_call = false;
  bool warn_unused = false;
  bool used = false;
  bool narrowed = false;  // `x` seen as present inside `if defined(x) { ... }`
};

// The names visible in a workflow, a frame per block.
class WorkflowScope : public NameEnv {
 public:
  explicit WorkflowScope(std::map<std::string, Span> all_bound) : all_bound_(std::move(all_bound)) {}

  const NameInfo* lookup(const std::string& name) override {
    for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
      auto it = frame->find(name);
      if (it != frame->end()) {
        it->second.used = true;
        return &it->second.info;
      }
    }
    return nullptr;
  }
  const Binding* find(const std::string& name) const {
    for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
      auto it = frame->find(name);
      if (it != frame->end()) return &it->second;
    }
    return nullptr;
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& frame : frames_) {
      for (const auto& [n, b] : frame) out.push_back(n);
    }
    return out;
  }
  std::optional<Span> bound_later(const std::string& name) const override {
    auto it = all_bound_.find(name);
    if (it != all_bound_.end() && it->second.begin >= position_) return it->second;
    return std::nullopt;
  }

  void mark_used(const std::string& name) { lookup(name); }

  void push() { frames_.emplace_back(); }
  std::map<std::string, Binding> pop() {
    auto frame = std::move(frames_.back());
    frames_.pop_back();
    return frame;
  }
  std::map<std::string, Binding>& top() { return frames_.back(); }
  void at(uint32_t position) { position_ = position; }

 private:
  std::vector<std::map<std::string, Binding>> frames_;
  std::map<std::string, Span> all_bound_;
  uint32_t position_ = 0;
};

namespace {

// Every name a statement list binds, at its first binding (for "used before bound").
void collect_bound(const ast::Block& b, std::map<std::string, Span>& out) {
  for (const ast::Stmt& s : b.stmts) {
    if (auto* bind = s.as<ast::BindStmt>()) {
      out.emplace(bind->name.text, bind->name.span);
    } else if (auto* loop = s.as<ast::ForStmt>()) {
      collect_bound(loop->body, out);
    } else if (auto* branch = s.as<ast::IfStmt>()) {
      for (const ast::IfArm& arm : branch->arms) collect_bound(arm.body, out);
      if (branch->else_block) collect_bound(*branch->else_block, out);
    }
  }
}

}  // namespace

WorkflowChecker::WorkflowChecker(CheckContext& ctx, TypeResolver& types) : ctx_(ctx), types_(types) {}
WorkflowChecker::~WorkflowChecker() = default;

void WorkflowChecker::check_signature(int module, ast::WorkflowDecl& wf) {
  ctx_.workflow_signatures[&wf] =
      build_signature(ctx_, types_, module, wf.name.text, wf.inputs, wf.outputs, /*allow_stream=*/false);
  for (const ast::Param& p : wf.outputs) {
    if (!p.default_value) continue;
    ctx_.diags.report(DiagId::WorkflowOutputDefault, p.default_value->span)
        .with_help(fmt::format("remove `= ...` and give it in `return ({} = ...)`", p.name.text));
  }
}

void WorkflowChecker::check_body(int module, ast::WorkflowDecl& wf) {
  module_ = module;
  current_ = &wf;
  returned_ = false;
  guarded_depth_ = 0;
  std::map<std::string, Span> all_bound;
  collect_bound(wf.body, all_bound);
  scope_ = std::make_unique<WorkflowScope>(std::move(all_bound));
  scope_->push();
  const size_t errors_before = ctx_.diags.error_count();

  // Inputs, each default seeing the inputs before it.
  for (ast::Param& p : wf.inputs) {
    if (p.default_value) {
      scope_->at(p.default_value->span.begin);
      ExprChecker(ctx_, module, *scope_, ExprPlace::Default).expect(*p.default_value, p.resolved);
    }
    if (scope_->top().count(p.name.text)) continue;  // a duplicate, already reported
    Binding b;
    b.info = NameInfo{ast::NameTarget::Input, p.resolved, p.name.span, {}};
    scope_->top().emplace(p.name.text, b);
  }

  block(wf.body, true);
  check_after(ctx_, wf);

  if (!returned_ && !wf.outputs.empty()) {
    ctx_.diags.report(DiagId::MissingReturn, wf.name.span, wf.name.text)
        .with_help(fmt::format("end the workflow with `return ({} = ...)`", wf.outputs[0].name.text));
  }
  // Unused names are worth a warning only in a workflow that is otherwise
  // right; next to an error they are noise (often caused by the error).
  const bool clean = ctx_.diags.error_count() == errors_before;
  for (const auto& [name, b] : scope_->top()) {
    if (clean && b.warn_unused && !b.used) {
      ctx_.diags.report(DiagId::UnusedBinding, b.info.defined_at, name)
          .with_help("remove it, or use it in a step or in `return`");
    }
  }
  scope_.reset();
}

void WorkflowChecker::block(ast::Block& b, bool top_level) {
  for (size_t i = 0; i < b.stmts.size(); ++i) statement(b.stmts[i], top_level, i + 1 == b.stmts.size());
}

void WorkflowChecker::statement(ast::Stmt& s, bool top_level, bool last) {
  scope_->at(s.span.begin);
  if (auto* b = s.as<ast::BindStmt>()) {
    bind(s, *b);
  } else if (auto* f = s.as<ast::ForStmt>()) {
    for_stmt(s, *f);
  } else if (auto* i = s.as<ast::IfStmt>()) {
    if_stmt(s, *i);
  } else if (auto* r = s.as<ast::ReturnStmt>()) {
    if (!top_level || !last) {
      ctx_.diags.report(DiagId::ReturnNotLast, s.span)
          .with_help(top_level ? "move the statements after it above it"
                               : "return once, at the end of the workflow; inside `for` or `if`, bind names "
                                 "and return them after the block");
    }
    return_stmt(s, *r);
  }
}

// Declares `name` in the innermost frame, unless it is visible already.
static bool declare(CheckContext& ctx, WorkflowScope& scope, const ast::Ident& name, Binding b) {
  if (const Binding* prior = scope.find(name.text)) {
    Diagnostic& d = ctx.diags.report(DiagId::AlreadyBound, name.span, name.text);
    d.with_note(prior->info.defined_at, "first bound here");
    d.with_help(fmt::format("names in a workflow are bound once; choose another name, like `{}2`", name.text));
    return false;
  }
  scope.top().emplace(name.text, std::move(b));
  return true;
}

void WorkflowChecker::bind(ast::Stmt& s, ast::BindStmt& b) {
  const ir::Type* t = nullptr;
  bool is_call = false;
  if (auto* call = b.value->as<ast::CallExpr>()) {
    if (const Symbol* sym = ctx_.find_symbol(module_, call->callee.text); sym && sym->kind != Symbol::Type) {
      t = task_call(b, *b.value, *call, *sym);
      is_call = true;
    }
  }
  if (!is_call) {
    if (b.options) {
      ctx_.diags.report(DiagId::OptionsOnNonCall, b.options->span)
          .with_help("remove `with { ... }`, or call an op or workflow here");
    }
    t = ExprChecker(ctx_, module_, *scope_, ExprPlace::Workflow).check(*b.value);
  }
  ctx_.stmts[&s] = StmtInfo{t, is_call, {}};
  Binding binding;
  binding.info = NameInfo{ast::NameTarget::Binding, t, b.name.span, {}};
  binding.is_call = is_call;
  binding.warn_unused = !is_call;
  declare(ctx_, *scope_, b.name, std::move(binding));
}

const ir::Type* WorkflowChecker::task_call(ast::BindStmt& b, ast::Expr& e, ast::CallExpr& call, const Symbol& callee) {
  const bool is_op = callee.kind == Symbol::Op;
  const Signature& sig = is_op ? ctx_.op_signatures.at(callee.op) : ctx_.workflow_signatures.at(callee.workflow);
  const std::vector<ast::Param>& decl_inputs = is_op ? callee.op->inputs : callee.workflow->inputs;
  call.target.kind = is_op ? ast::CallTarget::Op : ast::CallTarget::Workflow;
  call.target.op = callee.op;
  call.target.workflow = callee.workflow;
  const std::string& name = call.callee.text;

  ExprChecker exprs(ctx_, module_, *scope_, ExprPlace::Workflow);
  std::map<std::string, Span> given;
  bool reported_positional = false;
  std::set<std::string> misspelt_as;
  std::vector<std::string> input_names;
  for (const auto& [n, t] : sig.inputs) input_names.push_back(n);

  // Inputs given by name anywhere in the call (a typo is not matched to these).
  std::set<std::string> named_inputs;
  for (const ast::Arg& arg : call.args) {
    if (arg.name) named_inputs.insert(arg.name->text);
  }
  std::vector<std::string> not_given;
  for (const std::string& n : input_names) {
    if (!named_inputs.count(n)) not_given.push_back(n);
  }

  for (ast::Arg& arg : call.args) {
    if (!arg.name) {
      if (!reported_positional) {
        // Show the whole call with each positional argument named after the
        // input it would fill, in order.
        std::vector<std::string> parts;
        size_t next = 0;
        for (const ast::Arg& a : call.args) {
          std::string value(ctx_.text(a.value->span));
          if (a.name) {
            parts.push_back(fmt::format("{} = {}", a.name->text, value));
          } else {
            while (next < not_given.size() && named_inputs.count(not_given[next])) ++next;
            parts.push_back(next < not_given.size() ? fmt::format("{} = {}", not_given[next++], value) : value);
          }
        }
        ctx_.diags.report(DiagId::PositionalArgument, arg.value->span, is_op ? "op" : "workflow", name)
            .with_help(fmt::format("name the inputs: {}({})", name, fmt::join(parts, ", ")));
        reported_positional = true;
      }
      exprs.check(*arg.value);
      continue;
    }
    auto input =
        std::find_if(sig.inputs.begin(), sig.inputs.end(), [&](const auto& kv) { return kv.first == arg.name->text; });
    if (input == sig.inputs.end()) {
      exprs.check(*arg.value);
      Diagnostic& d = ctx_.diags.report(DiagId::UnknownArgument, arg.name->span, name, arg.name->text);
      std::string hint = did_you_mean(arg.name->text, not_given);
      if (auto meant = closest(arg.name->text, not_given)) misspelt_as.insert(*meant);
      if (hint.empty()) {
        hint = input_names.empty() ? fmt::format("`{}` takes no inputs", name)
                                   : fmt::format("its inputs are: {}", fmt::join(input_names, ", "));
      }
      d.with_help(hint);
      continue;
    }
    auto [it, fresh] = given.emplace(arg.name->text, arg.name->span);
    if (!fresh) {
      ctx_.diags.report(DiagId::DuplicateArgument, arg.name->span, arg.name->text)
          .with_note(it->second, "first given here");
      exprs.check(*arg.value);
      continue;
    }
    const ir::Type* want = input->second;
    if (want->is(TypeKind::Stream)) {
      // A stream input takes a stream of the same type, or a list of them
      // (several producers feeding one consumer).
      const ir::Type* t = exprs.check(*arg.value, nullptr, true);
      bool fits = t->is_error() || t == want || (t->is(TypeKind::List) && t->elem() == want);
      if (!fits) exprs.report_mismatch(*arg.value, t, want);
    } else {
      exprs.expect(*arg.value, want);
    }
  }

  for (size_t i = 0; i < sig.inputs.size(); ++i) {
    if (!sig.input_required[i] || given.count(sig.inputs[i].first)) continue;
    // A misspelt or positional argument was already reported with the fix.
    if (misspelt_as.count(sig.inputs[i].first) || reported_positional) continue;
    Diagnostic& d = ctx_.diags.report(DiagId::MissingArgument, call.callee.span, sig.inputs[i].first, name);
    d.with_help(fmt::format("add `{} = ...` (a {})", sig.inputs[i].first, ctx_.display(sig.inputs[i].second)));
    for (const ast::Param& p : decl_inputs) {
      if (p.name.text == sig.inputs[i].first) d.with_note(p.name.span, "declared here");
    }
  }

  bool optional = false;
  if (b.options) call_options(*b.options, &optional);

  if (!is_op) {
    if (guarded_depth_ == 0) unguarded_calls_.push_back(CallSite{current_, callee.workflow, call.callee.span});
  }

  const ir::Type* result = sig.outputs_record;
  if (optional) {
    std::vector<ir::Field> fields;
    for (const ir::Field& f : result->fields()) fields.push_back({f.name, ctx_.types.optional(f.type)});
    result = ctx_.types.record(std::move(fields));
  }
  e.type = result;
  return result;
}

void WorkflowChecker::call_options(ast::Expr& options, bool* optional) {
  auto* record = options.as<ast::RecordExpr>();
  if (!record) {
    ctx_.diags.report(DiagId::ClauseNotBraced, options.span, "with", "options").with_help("with { optional = true }");
    return;
  }
  const std::vector<std::string> known = {"optional", "replicas", "group", "after"};
  ExprChecker exprs(ctx_, module_, *scope_, ExprPlace::Options);
  for (ast::FieldInit& f : record->fields) {
    const std::string& n = f.name.text;
    if (n == "optional") {
      if (auto* lit = f.value->as<ast::BoolLit>()) {
        *optional = lit->value;
      } else {
        ctx_.diags.report(DiagId::ClauseNotConstant, f.value->span, "optional", "write true or false");
      }
    } else if (n == "replicas" || n == "group") {
      exprs.expect(*f.value, ctx_.types.int_());
      if (auto* i = f.value->as<ast::IntLit>(); i && i->value < 1) {
        ctx_.diags.report(DiagId::ValueTooSmall, f.value->span, n, 1);
      }
    } else if (n == "after") {
      // Names of calls, which may be bound later: checked with the whole
      // body (after_checker.h).
    } else {
      Diagnostic& d = ctx_.diags.report(DiagId::UnknownOption, f.name.span, "call", n);
      std::string hint = did_you_mean(n, known);
      if (hint.empty() && (n == "depends" || n == "dependencies" || n == "needs" || n == "wait_for")) {
        hint = "to wait for another call without reading it, write `after = [a]`";
      }
      d.with_help(hint.empty() ? "a call's options are: optional, replicas, group, after" : hint);
    }
  }
}

void WorkflowChecker::for_options(ast::Expr& options) {
  auto* record = options.as<ast::RecordExpr>();
  if (!record) {
    ctx_.diags.report(DiagId::ClauseNotBraced, options.span, "with", "options")
        .with_help("with { min_success_ratio = 0.9 }");
    return;
  }
  const std::vector<std::string> known = {"min_success", "min_success_ratio"};
  ExprChecker exprs(ctx_, module_, *scope_, ExprPlace::Options);
  for (ast::FieldInit& f : record->fields) {
    const std::string& n = f.name.text;
    if (n == "min_success") {
      exprs.expect(*f.value, ctx_.types.int_());
      if (auto* i = f.value->as<ast::IntLit>(); i && i->value < 0) {
        ctx_.diags.report(DiagId::NegativeCount, f.value->span, "`min_success`")
            .with_help("it counts the iterations that must succeed: 0 or more");
      }
    } else if (n == "min_success_ratio") {
      exprs.expect(*f.value, ctx_.types.float_());
      double v = -1;
      if (auto* x = f.value->as<ast::FloatLit>()) v = x->value;
      if (auto* x = f.value->as<ast::IntLit>()) v = static_cast<double>(x->value);
      if ((f.value->as<ast::FloatLit>() || f.value->as<ast::IntLit>()) && (v < 0 || v > 1)) {
        ctx_.diags.report(DiagId::RatioOutOfRange, f.value->span, "min_success_ratio")
            .with_help("it is the share of iterations that must succeed: 0.9 means nine in ten");
      }
    } else {
      Diagnostic& d = ctx_.diags.report(DiagId::UnknownOption, f.name.span, "`for`", n);
      std::string hint = did_you_mean(n, known);
      d.with_help(hint.empty() ? "a `for`'s options are: min_success, min_success_ratio" : hint);
    }
  }
}

namespace {

// A call's outputs lift field by field (g.msg is a list after a for); any
// other value lifts as a whole.
const ir::Type* lift(ir::TypeTable& types, const ir::Type* t, bool is_call,
                     const std::function<const ir::Type*(const ir::Type*)>& f) {
  if (is_call && t->is(TypeKind::Record)) {
    std::vector<ir::Field> fields;
    for (const ir::Field& field : t->fields()) fields.push_back({field.name, f(field.type)});
    return types.record(std::move(fields));
  }
  return t->is_error() ? t : f(t);
}

}  // namespace

void WorkflowChecker::for_stmt(ast::Stmt& s, ast::ForStmt& f) {
  ExprChecker exprs(ctx_, module_, *scope_, ExprPlace::Workflow);
  const ir::Type* collection = exprs.check(*f.collection);
  const ir::Type* item = ctx_.types.error();
  if (collection->is(TypeKind::List)) {
    item = collection->elem();
  } else if (collection->is_optional() && collection->elem()->is(TypeKind::List)) {
    exprs.report_mismatch(*f.collection, collection, collection->elem());
  } else if (!collection->is_error()) {
    Diagnostic& d = ctx_.diags.report(DiagId::NotIterable, f.collection->span, ctx_.display(collection));
    std::string text(ctx_.text(f.collection->span));
    if (collection->is(TypeKind::Int)) d.with_help(fmt::format("to count, iterate range({})", text));
    if (collection->is(TypeKind::Map)) d.with_help(fmt::format("iterate keys({}) or values({})", text, text));
    if (collection->is(TypeKind::File)) d.with_help(fmt::format("to go over its lines, iterate read_lines({})", text));
  }
  if (f.options) for_options(*f.options);

  scope_->push();
  Binding var;
  var.info = NameInfo{ast::NameTarget::LoopVar, item, f.var.span, {}};
  declare(ctx_, *scope_, f.var, var);
  ++guarded_depth_;
  block(f.body, false);
  --guarded_depth_;
  std::map<std::string, Binding> inner = scope_->pop();

  StmtInfo info;
  for (auto& [name, b] : inner) {
    if (b.info.kind == ast::NameTarget::LoopVar) continue;
    b.info.type = lift(ctx_.types, b.info.type, b.is_call, [&](const ir::Type* t) { return ctx_.types.list(t); });
    b.info.type = limit_type_depth(ctx_, b.info.type, Span{s.span.file, s.span.begin, f.collection->span.end});
    b.info.lifted_through.insert(b.info.lifted_through.begin(),
                                 {Span{s.span.file, s.span.begin, f.collection->span.end}, true});
    info.exports.emplace_back(name, b.info.type);
    scope_->top().emplace(name, std::move(b));
  }
  ctx_.stmts[&s] = std::move(info);
}

void WorkflowChecker::if_stmt(ast::Stmt& s, ast::IfStmt& branch) {
  ExprChecker exprs(ctx_, module_, *scope_, ExprPlace::Workflow);
  std::vector<std::map<std::string, Binding>> arms;
  ++guarded_depth_;
  for (ast::IfArm& arm : branch.arms) {
    scope_->at(arm.condition->span.begin);
    const ir::Type* c = exprs.check(*arm.condition);
    if (c->is_optional() && c->elem()->is(TypeKind::Bool)) {
      exprs.report_mismatch(*arm.condition, c, ctx_.types.bool_());
    } else if (!c->is_error() && !c->is(TypeKind::Bool)) {
      Diagnostic& d = ctx_.diags.report(DiagId::ConditionType, arm.condition->span, ctx_.display(c));
      if (c->is_numeric()) d.with_help(fmt::format("compare it: {} > 0", ctx_.text(arm.condition->span)));
      if (c->is_optional()) d.with_help(fmt::format("to test presence: defined({})", ctx_.text(arm.condition->span)));
    }
    scope_->push();
    std::vector<std::string> present;
    proven_present(*arm.condition, present);
    for (const std::string& name : present) {
      const Binding* outer = scope_->find(name);
      if (!outer || !outer->info.type->is_optional()) continue;
      Binding narrowed = *outer;
      narrowed.info.type = outer->info.type->non_optional();
      narrowed.narrowed = true;
      narrowed.used = false;
      scope_->top().emplace(name, std::move(narrowed));
    }
    block(arm.body, false);
    std::map<std::string, Binding> frame = scope_->pop();
    // A narrowed name is the outer binding seen as present: a use of it is a
    // use of that binding, and it is not bound by the arm.
    for (auto it = frame.begin(); it != frame.end();) {
      if (!it->second.narrowed) {
        ++it;
        continue;
      }
      if (it->second.used) scope_->mark_used(it->first);
      it = frame.erase(it);
    }
    arms.push_back(std::move(frame));
  }
  if (branch.else_block) {
    scope_->push();
    block(*branch.else_block, false);
    arms.push_back(scope_->pop());
  }
  --guarded_depth_;

  // Merge: bound in every arm (with an else) keeps its type; otherwise optional.
  std::map<std::string, std::vector<Binding*>> by_name;
  for (auto& arm : arms) {
    for (auto& [name, b] : arm) by_name[name].push_back(&b);
  }
  StmtInfo info;
  for (auto& [name, bindings] : by_name) {
    Binding merged = *bindings[0];
    const ir::Type* type = bindings[0]->info.type;
    bool conflict = false;
    for (size_t k = 1; k < bindings.size() && !conflict; ++k) {
      const ir::Type* other = bindings[k]->info.type;
      const ir::Type* joined = ir::common_type(ctx_.types, type, other);
      if (!joined) {
        ctx_.diags
            .report(DiagId::BranchTypeConflict, bindings[k]->info.defined_at, name, ctx_.display(type),
                    ctx_.display(other))
            .with_note(bindings[0]->info.defined_at, "bound here first")
            .with_help("give it the same type in every branch, or use different names");
        conflict = true;
        type = ctx_.types.error();
      } else {
        type = joined;
      }
      merged.used = merged.used || bindings[k]->used;
      merged.is_call = merged.is_call && bindings[k]->is_call;
    }
    bool everywhere = branch.else_block && bindings.size() == arms.size();
    if (!everywhere && !conflict) {
      bool is_call = merged.is_call;
      type = lift(ctx_.types, type, is_call, [&](const ir::Type* t) { return ctx_.types.optional(t); });
      Span header{s.span.file, s.span.begin, branch.arms[0].condition->span.end};
      type = limit_type_depth(ctx_, type, header);
      merged.info.lifted_through.insert(merged.info.lifted_through.begin(), {header, false});
    }
    merged.info.type = type;
    merged.warn_unused = bindings[0]->warn_unused;
    info.exports.emplace_back(name, type);
    scope_->top().emplace(name, std::move(merged));
  }
  ctx_.stmts[&s] = std::move(info);
}

void WorkflowChecker::return_stmt(ast::Stmt& s, ast::ReturnStmt& r) {
  returned_ = true;  // even a misplaced return: that error is enough
  ExprChecker exprs(ctx_, module_, *scope_, ExprPlace::Workflow);
  std::map<std::string, Span> given;
  std::set<std::string> misspelt_as;
  std::vector<std::string> names;
  for (const ast::Param& p : current_->outputs) names.push_back(p.name.text);
  for (ast::FieldInit& v : r.values) {
    auto out = std::find_if(current_->outputs.begin(), current_->outputs.end(),
                            [&](const ast::Param& p) { return p.name.text == v.name.text; });
    if (out == current_->outputs.end()) {
      exprs.check(*v.value);
      Diagnostic& d = ctx_.diags.report(DiagId::UnknownOutput, v.name.span, current_->name.text, v.name.text);
      std::string hint = did_you_mean(v.name.text, names);
      if (auto meant = closest(v.name.text, names)) misspelt_as.insert(*meant);
      if (hint.empty()) {
        hint = names.empty()
                   ? fmt::format("declare it: workflow {}(...) -> ({}: ...)", current_->name.text, v.name.text)
                   : fmt::format("its outputs are: {}", fmt::join(names, ", "));
      }
      d.with_help(hint);
      continue;
    }
    auto [it, fresh] = given.emplace(v.name.text, v.name.span);
    if (!fresh) {
      ctx_.diags.report(DiagId::DuplicateArgument, v.name.span, v.name.text).with_note(it->second, "first given here");
      continue;
    }
    if (out->resolved) exprs.expect(*v.value, out->resolved);
  }
  for (const ast::Param& p : current_->outputs) {
    if (!given.count(p.name.text) && !misspelt_as.count(p.name.text)) {
      ctx_.diags.report(DiagId::MissingOutput, s.span, p.name.text)
          .with_help(fmt::format("add `{} = ...`", p.name.text))
          .with_note(p.name.span, "declared here");
    }
  }
}

void WorkflowChecker::check_recursion() {
  std::map<const ast::WorkflowDecl*, std::vector<const CallSite*>> edges;
  for (const CallSite& c : unguarded_calls_) edges[c.from].push_back(&c);
  std::set<const ast::WorkflowDecl*> reported;
  for (const CallSite& start : unguarded_calls_) {
    if (reported.count(start.from)) continue;
    // Does `start.to` lead back to `start.from` through unguarded calls?
    // Breadth-first from `start.to`, remembering how each workflow was
    // reached, so the cycle can be named.
    std::map<const ast::WorkflowDecl*, const CallSite*> reached_by;
    std::vector<const ast::WorkflowDecl*> queue = {start.to};
    reached_by[start.to] = &start;
    bool cycle = start.to == start.from;
    for (size_t q = 0; q < queue.size() && !cycle; ++q) {
      for (const CallSite* next : edges[queue[q]]) {
        if (reached_by.count(next->to)) continue;
        reached_by[next->to] = next;
        queue.push_back(next->to);
        if (next->to == start.from) cycle = true;
      }
    }
    if (!cycle) continue;
    std::vector<std::string> chain = {start.from->name.text};
    std::vector<const CallSite*> calls;
    for (const ast::WorkflowDecl* w = start.from;;) {
      const CallSite* via = reached_by[w];
      calls.insert(calls.begin(), via);
      if (via == &start) break;
      w = via->from;
    }
    for (const CallSite* c : calls) chain.push_back(c->to->name.text);
    // One report per cycle: every workflow on it is covered by this one.
    for (const CallSite* c : calls) reported.insert(c->from);
    std::string through = chain.size() <= 2 ? std::string() : fmt::format(" ({})", fmt::join(chain, " → "));
    Diagnostic& d = ctx_.diags.report(DiagId::UnconditionalRecursion, start.span, start.from->name.text, through);
    d.with_help("put the recursive call inside an `if` that stops it, e.g. `if n > 0 { ... }`");
    for (size_t i = 1; i < calls.size(); ++i) {
      d.with_note(calls[i]->span,
                  fmt::format("`{}` calls `{}` here", calls[i]->from->name.text, calls[i]->to->name.text));
    }
  }
}

}  // namespace flowc::check
