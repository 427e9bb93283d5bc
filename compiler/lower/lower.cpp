// Lowering: the checked AST → the IR. Runs only on programs without errors,
// so every expression has a type and every call a target.
#include "compiler/lower/lower.h"

#include <algorithm>
#include <deque>
#include <set>

#include "compiler/check/after_checker.h"

namespace flowc::lower {
namespace {

class Lowerer {
 public:
  explicit Lowerer(check::CheckContext& ctx) : ctx_(ctx) {}

  ir::Program run(std::shared_ptr<ir::TypeTable> types, const std::string& compiler) {
    ir::Program p;
    p.compiler = compiler;
    p.types = std::move(types);
    for (size_t f = 0; f < ctx_.sources.size(); ++f)
      p.files.push_back(ctx_.sources.file(static_cast<FileId>(f)).path());
    collect_reachable();
    assign_ids();
    for (const ast::OpDecl* op : ops_) p.ops.push_back(op_(*op));
    for (const ast::WorkflowDecl* wf : workflows_) p.workflows.push_back(workflow(*wf));
    p.entry = entry();
    return p;
  }

 private:
  // ---- what goes into the program ----

  // Everything the main file defines, and what that calls, transitively.
  void collect_reachable() {
    std::deque<const ast::WorkflowDecl*> todo;
    auto add_op = [&](const ast::OpDecl* op) {
      if (std::find(ops_.begin(), ops_.end(), op) == ops_.end()) ops_.push_back(op);
    };
    auto add_wf = [&](const ast::WorkflowDecl* wf) {
      if (std::find(workflows_.begin(), workflows_.end(), wf) != workflows_.end()) return;
      workflows_.push_back(wf);
      todo.push_back(wf);
    };
    const ast::Module& main = *ctx_.modules[0].ast;
    for (const ast::OpDecl& op : main.ops) add_op(&op);
    for (const ast::WorkflowDecl& wf : main.workflows) add_wf(&wf);
    while (!todo.empty()) {
      const ast::WorkflowDecl* wf = todo.front();
      todo.pop_front();
      visit_calls(wf->body, [&](const ast::CallExpr& call) {
        if (call.target.kind == ast::CallTarget::Op) add_op(call.target.op);
        if (call.target.kind == ast::CallTarget::Workflow) add_wf(call.target.workflow);
      });
    }
  }

  template <typename F>
  void visit_calls(const ast::Block& b, F&& f) {
    for (const ast::Stmt& s : b.stmts) {
      if (auto* bind = s.as<ast::BindStmt>()) {
        if (auto* call = bind->value->as<ast::CallExpr>()) f(*call);
      } else if (auto* loop = s.as<ast::ForStmt>()) {
        visit_calls(loop->body, f);
      } else if (auto* branch = s.as<ast::IfStmt>()) {
        for (const ast::IfArm& arm : branch->arms) visit_calls(arm.body, f);
        if (branch->else_block) visit_calls(*branch->else_block, f);
      }
    }
  }

  // A definition's id is its name, qualified with its file when two
  // definitions in the program share a name.
  void assign_ids() {
    std::map<std::string, int> count;
    for (const ast::OpDecl* op : ops_) ++count[op->name.text];
    for (const ast::WorkflowDecl* wf : workflows_) ++count[wf->name.text];
    auto id = [&](const ast::Ident& name) {
      if (count[name.text] == 1 || name.span.file == 0) return name.text;
      return name.text + "@" + ctx_.sources.file(name.span.file).path();
    };
    for (const ast::OpDecl* op : ops_) ids_[op] = id(op->name);
    for (const ast::WorkflowDecl* wf : workflows_) ids_[wf] = id(wf->name);
  }

  std::string entry() {
    const ast::Module& main = *ctx_.modules[0].ast;
    for (const ast::WorkflowDecl& wf : main.workflows) {
      if (wf.name.text == "main") return ids_[&wf];
    }
    if (main.workflows.size() == 1) return ids_[&main.workflows[0]];
    return {};
  }

  // ---- locations and expressions ----

  ir::SourceLoc loc(Span span) const {
    const SourceFile& file = ctx_.sources.file(span.file);
    LineCol b = file.line_col(span.begin), e = file.line_col(span.end);
    return ir::SourceLoc{static_cast<int>(span.file), b.line, b.column, e.line, e.column};
  }

  const ir::Type* type_of(const ast::Expr& e) const { return e.type ? e.type : ctx_.types.error(); }

  ir::Expr expr(const ast::Expr& e) {
    ir::Expr out;
    out.type = type_of(e);
    std::visit(
        [&](const auto& node) {
          using N = std::decay_t<decltype(node)>;
          if constexpr (std::is_same_v<N, ast::IntLit>) {
            out = ir::Expr::literal(node.value, out.type);
          } else if constexpr (std::is_same_v<N, ast::FloatLit>) {
            out = ir::Expr::literal(node.value, out.type);
          } else if constexpr (std::is_same_v<N, ast::SizeLit>) {
            out = ir::Expr::literal(node.bytes, out.type);
          } else if constexpr (std::is_same_v<N, ast::DurationLit>) {
            out = ir::Expr::literal(node.seconds, out.type);
          } else if constexpr (std::is_same_v<N, ast::BoolLit>) {
            out = ir::Expr::literal(node.value, out.type);
          } else if constexpr (std::is_same_v<N, ast::NoneLit>) {
            out = ir::Expr::literal(nullptr, out.type);
          } else if constexpr (std::is_same_v<N, ast::StringLit>) {
            if (node.is_plain()) {
              out = ir::Expr::literal(node.plain_text(), out.type);
            } else {
              out.kind = ir::Expr::Kind::Format;
              for (const ast::StringPart& part : node.parts) {
                out.args.push_back(part.expr ? expr(*part.expr) : ir::Expr::literal(part.text, ctx_.types.str()));
              }
            }
          } else if constexpr (std::is_same_v<N, ast::NameRef>) {
            out = ir::Expr::var(node.name, out.type);
          } else if constexpr (std::is_same_v<N, ast::CallExpr>) {
            out.kind = ir::Expr::Kind::Call;
            out.name = node.callee.text;
            for (const ast::Arg& a : node.args) out.args.push_back(expr(*a.value));
            out.loc = loc(e.span);
          } else if constexpr (std::is_same_v<N, ast::MemberExpr>) {
            out.kind = ir::Expr::Kind::Member;
            out.name = node.field.text;
            out.args.push_back(expr(*node.object));
          } else if constexpr (std::is_same_v<N, ast::IndexExpr>) {
            out.kind = ir::Expr::Kind::Index;
            out.args.push_back(expr(*node.object));
            out.args.push_back(expr(*node.index));
            out.loc = loc(e.span);
          } else if constexpr (std::is_same_v<N, ast::UnaryExpr>) {
            out.kind = ir::Expr::Kind::Unary;
            out.name = ast::spelling(node.op);
            out.args.push_back(expr(*node.operand));
          } else if constexpr (std::is_same_v<N, ast::BinaryExpr>) {
            out.kind = ir::Expr::Kind::Binary;
            out.name = ast::spelling(node.op);
            out.args.push_back(expr(*node.lhs));
            out.args.push_back(expr(*node.rhs));
            out.loc = loc(e.span);
          } else if constexpr (std::is_same_v<N, ast::ListExpr>) {
            out.kind = ir::Expr::Kind::List;
            for (const ast::ExprPtr& item : node.items) out.args.push_back(expr(*item));
          } else if constexpr (std::is_same_v<N, ast::RecordExpr>) {
            out.kind = ir::Expr::Kind::Record;
            for (const ast::FieldInit& f : node.fields) out.fields.emplace_back(f.name.text, expr(*f.value));
          } else if constexpr (std::is_same_v<N, ast::MapExpr>) {
            out.kind = ir::Expr::Kind::Map;
            for (const ast::MapEntry& entry : node.entries) {
              out.args.push_back(expr(*entry.key));
              out.args.push_back(expr(*entry.value));
            }
          }
        },
        e.node);
    out.type = type_of(e);
    return out;
  }

  // ---- ops ----

  ir::Port port(const ast::Param& p) {
    ir::Port out;
    out.name = p.name.text;
    out.type = p.resolved ? p.resolved : ctx_.types.error();
    out.loc = loc(p.name.span);
    return out;
  }

  // An op's or workflow's inputs, each with its default.
  std::vector<ir::Port> input_ports(const std::vector<ast::Param>& params) {
    std::vector<ir::Port> out;
    for (const ast::Param& p : params) {
      ir::Port in = port(p);
      if (p.default_value) in.default_value = expr(*p.default_value);
      out.push_back(std::move(in));
    }
    return out;
  }

  ir::Op op_(const ast::OpDecl& op) {
    ir::Op out;
    out.id = ids_[&op];
    out.name = op.name.text;
    out.doc = op.doc;
    out.loc = loc(op.name.span);
    out.inputs = input_ports(op.inputs);
    for (const ast::Param& p : op.outputs) {
      ir::Port o = port(p);
      if (p.default_value) o.path = expr(*p.default_value);
      out.outputs.push_back(std::move(o));
    }
    for (const ast::Clause& clause : op.clauses) {
      const std::string& name = clause.name.text;
      const ast::Expr& value = *clause.value;
      if (name == "run") {
        if (auto* s = value.as<ast::StringLit>()) {
          for (const ast::StringPart& part : s->parts) {
            ir::CommandPart cp;
            if (part.expr) {
              cp.expr = expr(*part.expr);
              cp.quoting = part.shell;
              cp.backticks = part.backticks;
              cp.comment = part.comment;
              cp.heredoc_end = part.heredoc_end;
              cp.heredoc_strip_tabs = part.heredoc_strip_tabs;
              cp.loc = loc(part.span);
            } else {
              cp.text = part.text;
            }
            out.command.push_back(std::move(cp));
          }
        }
      } else if (name == "image" || name == "executor") {
        auto* s = value.as<ast::StringLit>();
        std::string text = s ? s->plain_text() : std::string();
        (name == "image" ? out.image : out.executor) = text;
      } else if (name == "streams") {
        auto* s = value.as<ast::StringLit>();
        out.native_streams = s && s->plain_text() == "native";
      } else if (name == "shell") {
        auto* s = value.as<ast::StringLit>();
        std::string text = s ? s->plain_text() : std::string();
        out.shell = text == "bash" ? ir::Shell::Bash : text == "sh" ? ir::Shell::Sh : ir::Shell::Default;
      } else if (name == "cache" || name == "network") {
        auto* b = value.as<ast::BoolLit>();
        (name == "cache" ? out.cache : out.network) = b ? b->value : name == "cache";
      } else if (name == "timeout") {
        out.timeout = expr(value);
      } else if (name == "resources" || name == "mpi" || name == "env") {
        if (auto* r = value.as<ast::RecordExpr>()) {
          for (const ast::FieldInit& f : r->fields) {
            const std::string& k = f.name.text;
            if (name == "env") out.env.emplace_back(k, expr(*f.value));
            else if (k == "cpus") out.cpus = expr(*f.value);
            else if (k == "mem") out.mem = expr(*f.value);
            else if (k == "gpus") out.gpus = expr(*f.value);
            else if (k == "time") out.time = expr(*f.value);
            else if (k == "ranks") out.mpi_ranks = expr(*f.value);
          }
        }
      } else if (name == "retry") {
        // `retry N`: N retries after the first try; `attempts`: every try.
        if (auto* i = value.as<ast::IntLit>()) {
          out.retry.attempts = i->value + 1;
        } else if (auto* r = value.as<ast::RecordExpr>()) {
          for (const ast::FieldInit& f : r->fields) {
            if (auto* n = f.value->as<ast::IntLit>(); n && f.name.text == "attempts") out.retry.attempts = n->value;
            if (auto* b = f.value->as<ast::BoolLit>(); b && f.name.text == "on_timeout")
              out.retry.on_timeout = b->value;
            if (auto* l = f.value->as<ast::ListExpr>(); l && f.name.text == "exit_codes") {
              for (const ast::ExprPtr& c : l->items) {
                if (auto* n = c->as<ast::IntLit>()) out.retry.exit_codes.push_back(n->value);
              }
            }
          }
        }
      }
    }
    return out;
  }

  // ---- workflows ----

  static void free_vars(const ir::Expr& e, std::set<std::string>& out) {
    if (e.kind == ir::Expr::Kind::Var) out.insert(e.name);
    for (const ir::Expr& a : e.args) free_vars(a, out);
    for (const auto& [n, f] : e.fields) free_vars(f, out);
  }

  // The outer names a list of nodes reads: everything read, minus what the
  // nodes themselves bind.
  static std::set<std::string> reads_of(const std::vector<ir::Node>& nodes, const std::set<std::string>& bound_inside) {
    std::set<std::string> out;
    for (const ir::Node& n : nodes) {
      for (const std::string& d : n.deps) {
        if (!bound_inside.count(d)) out.insert(d);
      }
    }
    return out;
  }

  static std::set<std::string> bound_by(const std::vector<ir::Node>& nodes) {
    std::set<std::string> out;
    for (const ir::Node& n : nodes) {
      if (n.as<ir::CallNode>() || n.as<ir::ValueNode>()) out.insert(n.name);
      for (const ir::Export& e : n.exports) out.insert(e.name);
    }
    return out;
  }

  std::string block_name(const char* kind, Span span) {
    LineCol lc = ctx_.sources.file(span.file).line_col(span.begin);
    return fmt::format("{}@{}:{}", kind, lc.line, lc.column);
  }

  std::vector<ir::Node> nodes(const ast::Block& b) {
    std::vector<ir::Node> out;
    for (const ast::Stmt& s : b.stmts) {
      if (s.as<ast::ReturnStmt>()) continue;
      out.push_back(node(s));
    }
    return out;
  }

  ir::Node node(const ast::Stmt& s) {
    ir::Node n;
    n.loc = loc(s.span);
    std::set<std::string> deps;
    const check::StmtInfo* info = nullptr;
    if (auto it = ctx_.stmts.find(&s); it != ctx_.stmts.end()) info = &it->second;

    if (auto* bind = s.as<ast::BindStmt>()) {
      n.name = bind->name.text;
      n.type = info && info->type ? info->type : ctx_.types.error();
      auto* call = bind->value->as<ast::CallExpr>();
      if (call && (call->target.kind == ast::CallTarget::Op || call->target.kind == ast::CallTarget::Workflow)) {
        ir::CallNode c;
        c.callee_is_workflow = call->target.kind == ast::CallTarget::Workflow;
        c.callee = c.callee_is_workflow ? ids_[call->target.workflow] : ids_[call->target.op];
        for (const ast::Arg& a : call->args) {
          if (!a.name) continue;
          c.args.emplace_back(a.name->text, expr(*a.value));
          free_vars(c.args.back().second, deps);
        }
        if (bind->options) {
          if (auto* r = bind->options->as<ast::RecordExpr>()) {
            for (const ast::FieldInit& f : r->fields) {
              if (f.name.text == "optional") {
                if (auto* b = f.value->as<ast::BoolLit>()) c.optional = b->value;
              } else if (f.name.text == "replicas") {
                c.replicas = expr(*f.value);
                free_vars(*c.replicas, deps);
              } else if (f.name.text == "group") {
                c.group = expr(*f.value);
                free_vars(*c.group, deps);
              }
            }
          }
          // The call waits for these as for anything it reads: they are deps.
          c.after = check::after_names(*bind);
          deps.insert(c.after.begin(), c.after.end());
        }
        n.body = std::move(c);
      } else {
        ir::ValueNode v{expr(*bind->value)};
        free_vars(v.value, deps);
        n.body = std::move(v);
      }
    } else if (auto* loop = s.as<ast::ForStmt>()) {
      n.name = block_name("for", s.span);
      ir::ScatterNode scatter;
      scatter.var = loop->var.text;
      scatter.collection = expr(*loop->collection);
      free_vars(scatter.collection, deps);
      if (loop->options) {
        if (auto* r = loop->options->as<ast::RecordExpr>()) {
          for (const ast::FieldInit& f : r->fields) {
            if (f.name.text == "min_success") scatter.min_success = expr(*f.value);
            if (f.name.text == "min_success_ratio") scatter.min_success_ratio = expr(*f.value);
          }
        }
        if (scatter.min_success) free_vars(*scatter.min_success, deps);
        if (scatter.min_success_ratio) free_vars(*scatter.min_success_ratio, deps);
      }
      scatter.body = nodes(loop->body);
      std::set<std::string> inside = bound_by(scatter.body);
      inside.insert(scatter.var);
      for (const std::string& d : reads_of(scatter.body, inside)) deps.insert(d);
      n.body = std::move(scatter);
    } else if (auto* branch = s.as<ast::IfStmt>()) {
      n.name = block_name("if", s.span);
      ir::BranchNode b;
      for (const ast::IfArm& arm : branch->arms) {
        ir::BranchArm a;
        a.condition = expr(*arm.condition);
        free_vars(*a.condition, deps);
        a.body = nodes(arm.body);
        for (const std::string& d : reads_of(a.body, bound_by(a.body))) deps.insert(d);
        b.arms.push_back(std::move(a));
      }
      if (branch->else_block) {
        ir::BranchArm a;
        a.body = nodes(*branch->else_block);
        for (const std::string& d : reads_of(a.body, bound_by(a.body))) deps.insert(d);
        b.arms.push_back(std::move(a));
      }
      n.body = std::move(b);
    }
    if (info) {
      for (const auto& [name, type] : info->exports) n.exports.push_back(ir::Export{name, type});
    }
    n.deps.assign(deps.begin(), deps.end());
    return n;
  }

  ir::Workflow workflow(const ast::WorkflowDecl& wf) {
    ir::Workflow out;
    out.id = ids_[&wf];
    out.name = wf.name.text;
    out.doc = wf.doc;
    out.loc = loc(wf.name.span);
    out.inputs = input_ports(wf.inputs);
    out.body = nodes(wf.body);
    const ast::ReturnStmt* ret = nullptr;
    for (const ast::Stmt& s : wf.body.stmts) {
      if (auto* r = s.as<ast::ReturnStmt>()) ret = r;
    }
    for (const ast::Param& p : wf.outputs) {
      ir::Port o = port(p);
      if (ret) {
        for (const ast::FieldInit& v : ret->values) {
          if (v.name.text == p.name.text) o.value = expr(*v.value);
        }
      }
      out.outputs.push_back(std::move(o));
    }
    return out;
  }

  check::CheckContext& ctx_;
  std::vector<const ast::OpDecl*> ops_;
  std::vector<const ast::WorkflowDecl*> workflows_;
  std::map<const void*, std::string> ids_;
};

}  // namespace

ir::Program lower_program(check::CheckContext& ctx, std::shared_ptr<ir::TypeTable> types, const std::string& compiler) {
  return Lowerer(ctx).run(std::move(types), compiler);
}

}  // namespace flowc::lower
