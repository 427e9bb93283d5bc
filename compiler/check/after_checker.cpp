// Checking `after`: names, what they name, and cycles. See after_checker.h.
#include "compiler/check/after_checker.h"

#include <functional>
#include <set>

#include "compiler/check/suggest.h"

namespace flowc::check {
namespace {

// A name bound by a statement of a block, directly or inside it (a `for` or
// an `if` makes the names bound inside visible after it).
struct Bound {
  size_t stmt = 0;
  bool is_call = true;  // every binding of the name is a call of an op or workflow
  Span defined_at;
};

struct BlockNames {
  const BlockNames* parent = nullptr;
  std::map<std::string, Bound> names;
};

// What a statement needs from outside it: each name with the place that
// needs it, and whether through `after` (else it reads the value).
struct Need {
  Span where;
  bool after = false;
};
using Needs = std::map<std::string, Need>;

const ast::ListExpr* after_list(const ast::BindStmt& bind, const ast::Expr** value = nullptr) {
  if (!bind.options) return nullptr;
  const auto* record = bind.options->as<ast::RecordExpr>();
  if (!record) return nullptr;
  for (const ast::FieldInit& f : record->fields) {
    if (f.name.text != "after") continue;
    if (value) *value = f.value.get();
    return f.value->as<ast::ListExpr>();
  }
  return nullptr;
}

void names_read(const ast::Expr& e, Needs& out) {
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::NameRef>) {
          if (n.target.kind == ast::NameTarget::Binding) out.emplace(n.name, Need{e.span, false});
        } else if constexpr (std::is_same_v<T, ast::StringLit>) {
          for (const ast::StringPart& p : n.parts) {
            if (p.expr) names_read(*p.expr, out);
          }
        } else if constexpr (std::is_same_v<T, ast::CallExpr>) {
          for (const ast::Arg& a : n.args) names_read(*a.value, out);
        } else if constexpr (std::is_same_v<T, ast::MemberExpr>) {
          names_read(*n.object, out);
        } else if constexpr (std::is_same_v<T, ast::IndexExpr>) {
          names_read(*n.object, out);
          names_read(*n.index, out);
        } else if constexpr (std::is_same_v<T, ast::UnaryExpr>) {
          names_read(*n.operand, out);
        } else if constexpr (std::is_same_v<T, ast::BinaryExpr>) {
          names_read(*n.lhs, out);
          names_read(*n.rhs, out);
        } else if constexpr (std::is_same_v<T, ast::ListExpr>) {
          for (const ast::ExprPtr& i : n.items) names_read(*i, out);
        } else if constexpr (std::is_same_v<T, ast::RecordExpr>) {
          for (const ast::FieldInit& f : n.fields) names_read(*f.value, out);
        } else if constexpr (std::is_same_v<T, ast::MapExpr>) {
          for (const ast::MapEntry& m : n.entries) {
            names_read(*m.key, out);
            names_read(*m.value, out);
          }
        }
      },
      e.node);
}

class AfterChecker {
 public:
  AfterChecker(CheckContext& ctx, const ast::WorkflowDecl& wf) : ctx_(ctx), wf_(wf) {}

  void run() { block(wf_.body, nullptr, {}); }

 private:
  // Every name bound in `s`, at any depth, into `out` (as bound by `index`).
  void binds_of(const ast::Stmt& s, size_t index, std::map<std::string, Bound>& out) {
    if (const auto* bind = s.as<ast::BindStmt>()) {
      auto info = ctx_.stmts.find(&s);
      bool is_call = info != ctx_.stmts.end() && info->second.is_call;
      auto [it, fresh] = out.emplace(bind->name.text, Bound{index, is_call, bind->name.span});
      if (!fresh) it->second.is_call = it->second.is_call && is_call;  // the arms of one `if`
    } else if (const auto* loop = s.as<ast::ForStmt>()) {
      for (const ast::Stmt& inner : loop->body.stmts) binds_of(inner, index, out);
    } else if (const auto* branch = s.as<ast::IfStmt>()) {
      for (const ast::IfArm& arm : branch->arms) {
        for (const ast::Stmt& inner : arm.body.stmts) binds_of(inner, index, out);
      }
      if (branch->else_block) {
        for (const ast::Stmt& inner : branch->else_block->stmts) binds_of(inner, index, out);
      }
    }
  }

  // What `s` needs from outside it (names bound inside it are its own).
  Needs needs_of(const ast::Stmt& s) {
    Needs out;
    std::map<std::string, Bound> own;
    binds_of(s, 0, own);
    auto add_block = [&](const ast::Block& b) {
      for (const ast::Stmt& inner : b.stmts) {
        for (auto& [name, need] : needs_of(inner)) {
          auto [it, fresh] = out.emplace(name, need);
          if (!fresh && need.after && !it->second.after) it->second = need;
        }
      }
    };
    if (const auto* bind = s.as<ast::BindStmt>()) {
      names_read(*bind->value, out);
      if (bind->options) {
        if (const auto* record = bind->options->as<ast::RecordExpr>()) {
          for (const ast::FieldInit& f : record->fields) {
            if (f.name.text != "after") names_read(*f.value, out);
          }
        }
      }
      if (const ast::ListExpr* list = after_list(*bind)) {
        for (const ast::ExprPtr& item : list->items) {
          if (const auto* ref = item->as<ast::NameRef>()) out[ref->name] = Need{item->span, true};
        }
      }
    } else if (const auto* loop = s.as<ast::ForStmt>()) {
      names_read(*loop->collection, out);
      if (loop->options) names_read(*loop->options, out);
      add_block(loop->body);
    } else if (const auto* branch = s.as<ast::IfStmt>()) {
      for (const ast::IfArm& arm : branch->arms) {
        names_read(*arm.condition, out);
        add_block(arm.body);
      }
      if (branch->else_block) add_block(*branch->else_block);
    } else if (const auto* ret = s.as<ast::ReturnStmt>()) {
      for (const ast::FieldInit& f : ret->values) names_read(*f.value, out);
    }
    for (const auto& [name, b] : own) out.erase(name);
    return out;
  }

  std::string step_name(const ast::Stmt& s) const {
    if (const auto* bind = s.as<ast::BindStmt>()) return fmt::format("`{}`", bind->name.text);
    LineCol lc = ctx_.sources.file(s.span.file).line_col(s.span.begin);
    if (s.as<ast::ForStmt>()) return fmt::format("the `for` at line {}", lc.line);
    if (s.as<ast::IfStmt>()) return fmt::format("the `if` at line {}", lc.line);
    return "`return`";
  }

  // `loop_vars`: the loop variables of the `for`s around this block.
  void block(const ast::Block& b, const BlockNames* parent, std::map<std::string, Span> loop_vars) {
    BlockNames names;
    names.parent = parent;
    for (size_t i = 0; i < b.stmts.size(); ++i) binds_of(b.stmts[i], i, names.names);

    for (const ast::Stmt& s : b.stmts) {
      if (const auto* bind = s.as<ast::BindStmt>()) {
        check_names(s, *bind, names, loop_vars);
      } else if (const auto* loop = s.as<ast::ForStmt>()) {
        auto vars = loop_vars;
        vars.emplace(loop->var.text, loop->var.span);
        block(loop->body, &names, vars);
      } else if (const auto* branch = s.as<ast::IfStmt>()) {
        for (const ast::IfArm& arm : branch->arms) block(arm.body, &names, loop_vars);
        if (branch->else_block) block(*branch->else_block, &names, loop_vars);
      }
    }
    find_cycles(b, names);
  }

  void check_names(const ast::Stmt& s, const ast::BindStmt& bind, const BlockNames& names,
                   const std::map<std::string, Span>& loop_vars) {
    const ast::Expr* value = nullptr;
    const ast::ListExpr* list = after_list(bind, &value);
    if (!value) return;
    if (!list) {
      std::string text(ctx_.text(value->span));
      ctx_.diags.report(DiagId::AfterNotList, value->span).with_help(fmt::format("after = [{}]", text));
      return;
    }
    for (const ast::ExprPtr& item : list->items) {
      const auto* ref = item->as<ast::NameRef>();
      if (!ref) {
        Diagnostic& d = ctx_.diags.report(DiagId::AfterNotName, item->span);
        if (const auto* member = item->as<ast::MemberExpr>(); member && member->object->as<ast::NameRef>()) {
          d.with_help(fmt::format("to wait for the call, name it: `{}`", ctx_.text(member->object->span)));
        } else {
          d.with_help("after = [a, b], where a and b are calls bound in this workflow");
        }
        continue;
      }
      const Bound* found = nullptr;
      for (const BlockNames* n = &names; n && !found; n = n->parent) {
        auto it = n->names.find(ref->name);
        if (it != n->names.end()) found = &it->second;
      }
      if (!found) {
        not_found(item->span, ref->name, names, loop_vars);
        continue;
      }
      if (!found->is_call) {
        ctx_.diags.report(DiagId::AfterNotACall, item->span, ref->name, "a value")
            .with_note(found->defined_at, "bound here")
            .with_help("`after` orders steps that run commands; a value is ready when what it is computed from is");
        continue;
      }
      if (ref->name == bind.name.text) {
        ctx_.diags
            .report(DiagId::AfterCycle, item->span,
                    fmt::format("`{}` waits for itself, so it could never start", ref->name))
            .with_help("remove it from its own `after`");
        reported_.insert(&s);
      }
    }
  }

  void not_found(Span where, const std::string& name, const BlockNames& names,
                 const std::map<std::string, Span>& loop_vars) {
    for (const ast::Param& p : wf_.inputs) {
      if (p.name.text == name) {
        ctx_.diags.report(DiagId::AfterNotACall, where, name, fmt::format("an input of workflow `{}`", wf_.name.text))
            .with_help("`after` waits for calls of this workflow; an input is there from the start");
        return;
      }
    }
    if (auto it = loop_vars.find(name); it != loop_vars.end()) {
      ctx_.diags.report(DiagId::AfterNotACall, where, name, "the variable of a `for`")
          .with_note(it->second, "the loop variable")
          .with_help("`after` waits for calls of this workflow");
      return;
    }
    std::vector<std::string> calls;
    for (const BlockNames* n = &names; n; n = n->parent) {
      for (const auto& [bound, b] : n->names) {
        if (b.is_call) calls.push_back(bound);
      }
    }
    // Every name bound in the workflow is visible here (a block's names
    // are visible after it, as lists or optionals): this one is nowhere.
    Diagnostic& d = ctx_.diags.report(DiagId::AfterUnknown, where, name);
    std::string hint = did_you_mean(name, calls);
    if (hint.empty()) {
      hint = calls.empty() ? std::string("there are no calls here to wait for")
                           : fmt::format("the calls here are: {}", fmt::join(calls, ", "));
    }
    d.with_help(hint);
  }

  // The steps of a block, each waiting for those whose names it needs: a
  // circle among them would wait forever. Data alone only points back (a
  // name is used after it is bound), so every circle has an `after` in it.
  void find_cycles(const ast::Block& b, const BlockNames& names) {
    const size_t n = b.stmts.size();
    struct Edge {
      size_t to;
      std::string name;
      Need need;
    };
    std::vector<std::vector<Edge>> edges(n);
    for (size_t i = 0; i < n; ++i) {
      for (const auto& [name, need] : needs_of(b.stmts[i])) {
        auto it = names.names.find(name);
        if (it == names.names.end() || it->second.stmt == i) continue;
        edges[i].push_back(Edge{it->second.stmt, name, need});
      }
    }
    std::vector<int> color(n, 0);  // 0 unseen, 1 on the path, 2 done
    std::vector<const Edge*> path_edges;
    std::vector<size_t> path;
    std::function<void(size_t)> visit = [&](size_t v) {
      color[v] = 1;
      path.push_back(v);
      for (const Edge& e : edges[v]) {
        if (color[e.to] == 1) {
          // The circle: from e.to along the path back to v, then e.
          auto start = std::find(path.begin(), path.end(), e.to) - path.begin();
          std::vector<std::pair<size_t, const Edge*>> circle;
          for (size_t k = static_cast<size_t>(start); k + 1 < path.size(); ++k)
            circle.push_back({path[k], path_edges[k]});
          circle.push_back({v, &e});
          report_cycle(b, circle);
        } else if (color[e.to] == 0) {
          path_edges.push_back(&e);
          visit(e.to);
          path_edges.pop_back();
        }
      }
      path.pop_back();
      color[v] = 2;
    };
    for (size_t i = 0; i < n; ++i) {
      if (color[i] == 0) visit(i);
    }
  }

  template <typename Circle>
  void report_cycle(const ast::Block& b, const Circle& circle) {
    for (const auto& [stmt, edge] : circle) {
      if (reported_.count(&b.stmts[stmt])) return;  // one report per circle
    }
    // "`a` waits for `b`", "`g` reads `f` (in the `for` at line 11)".
    auto needed = [&](const auto& edge) {
      const ast::Stmt& to = b.stmts[edge->to];
      const auto* bind = to.as<ast::BindStmt>();
      return bind && bind->name.text == edge->name ? fmt::format("`{}`", edge->name)
                                                   : fmt::format("`{}` (in {})", edge->name, step_name(to));
    };
    std::vector<std::string> steps;
    size_t at = circle.size();  // reported at the first `after` of the circle
    for (size_t k = 0; k < circle.size(); ++k) {
      const auto& [stmt, edge] = circle[k];
      steps.push_back(
          fmt::format("{} {} {}", step_name(b.stmts[stmt]), edge->need.after ? "waits for" : "reads", needed(edge)));
      if (edge->need.after && at == circle.size()) at = k;
    }
    if (at == circle.size()) at = 0;
    std::string chain =
        steps.size() == 2 ? fmt::format("{}, and {}", steps[0], steps[1]) : fmt::format("{}", fmt::join(steps, ", "));
    const auto& [stmt, edge] = circle[at];
    Diagnostic& d = ctx_.diags.report(DiagId::AfterCycle, edge->need.where,
                                      fmt::format("{}: none of them could ever start", chain));
    for (size_t k = 0; k < circle.size(); ++k) {
      if (k == at) continue;
      const auto& [other, e] = circle[k];
      d.with_note(e->need.where, e->need.after
                                     ? fmt::format("{} waits for `{}` here", step_name(b.stmts[other]), e->name)
                                     : fmt::format("{} reads `{}` here", step_name(b.stmts[other]), e->name));
    }
    d.with_help("remove one of these `after` entries, or wait for a step that does not need this one");
    for (const auto& [s, e] : circle) reported_.insert(&b.stmts[s]);
  }

  CheckContext& ctx_;
  const ast::WorkflowDecl& wf_;
  std::set<const ast::Stmt*> reported_;
};

}  // namespace

void check_after(CheckContext& ctx, const ast::WorkflowDecl& wf) { AfterChecker(ctx, wf).run(); }

std::vector<std::string> after_names(const ast::BindStmt& bind) {
  std::vector<std::string> out;
  if (const ast::ListExpr* list = after_list(bind)) {
    for (const ast::ExprPtr& item : list->items) {
      if (const auto* ref = item->as<ast::NameRef>()) out.push_back(ref->name);
    }
  }
  return out;
}

}  // namespace flowc::check
