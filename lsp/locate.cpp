// The walk behind hover, definition and completion.
#include "lsp/locate.h"

namespace flowc::lsp {
namespace {

bool contains(Span s, uint32_t offset) { return s.begin <= offset && offset <= s.end && s.end > s.begin; }

class Walker {
 public:
  explicit Walker(uint32_t offset) : offset_(offset) {}

  void module(const ast::Module& m) {
    for (size_t i = 0; i < m.imports.size(); ++i) {
      if (contains(m.imports[i].path_span, offset_)) {
        found_.kind = Found::Import;
        found_.span = m.imports[i].path_span;
        found_.import_index = i;
      }
    }
    for (const ast::TypeDecl& t : m.types) {
      if (!contains(t.span, offset_)) continue;
      if (contains(t.name.span, offset_)) {
        set(Found::TypeDeclName, t.name.span);
        found_.type_decl = &t;
      }
      type_expr(t.type);
    }
    for (const ast::OpDecl& op : m.ops) {
      if (!contains(op.span, offset_)) continue;
      found_.op = &op;
      if (contains(op.name.span, offset_)) set(Found::OpName, op.name.span);
      params(op.inputs, false);
      params(op.outputs, true);
      for (const ast::Clause& c : op.clauses) {
        if (c.value) expr(*c.value);
      }
    }
    for (const ast::WorkflowDecl& wf : m.workflows) {
      if (!contains(wf.span, offset_)) continue;
      found_.workflow = &wf;
      if (contains(wf.name.span, offset_)) set(Found::WorkflowName, wf.name.span);
      params(wf.inputs, false);
      params(wf.outputs, true);
      block(wf.body);
    }
  }

  Found result() const { return found_; }

 private:
  void set(Found::Kind kind, Span span) {
    found_.kind = kind;
    found_.span = span;
  }

  void params(const std::vector<ast::Param>& list, bool outputs) {
    for (const ast::Param& p : list) {
      if (!contains(p.span, offset_)) continue;
      if (contains(p.name.span, offset_)) {
        set(Found::ParamName, p.name.span);
        found_.param = &p;
        found_.param_is_output = outputs;
      }
      type_expr(p.type);
      if (p.default_value) expr(*p.default_value);
    }
  }

  void type_expr(const ast::TypeExpr& t) {
    if (!contains(t.span, offset_)) return;
    if (!t.is_record && contains(t.name.span, offset_)) {
      set(Found::TypeName, t.name.span);
      found_.ident = &t.name;
    }
    for (const ast::TypeExpr& a : t.args) type_expr(a);
    for (const ast::FieldType& f : t.fields) type_expr(f.type);
  }

  void block(const ast::Block& b) {
    for (const ast::Stmt& s : b.stmts) {
      if (contains(s.span, offset_)) stmt(s);
    }
  }

  void stmt(const ast::Stmt& s) {
    if (const auto* bind = s.as<ast::BindStmt>()) {
      if (contains(bind->name.span, offset_)) {
        set(Found::BindingName, bind->name.span);
        found_.stmt = &s;
      }
      if (bind->value) expr(*bind->value);
      if (bind->options) expr(*bind->options);
    } else if (const auto* f = s.as<ast::ForStmt>()) {
      if (contains(f->var.span, offset_)) {
        set(Found::LoopVar, f->var.span);
        found_.stmt = &s;
      }
      if (f->collection) expr(*f->collection);
      if (f->options) expr(*f->options);
      block(f->body);
    } else if (const auto* i = s.as<ast::IfStmt>()) {
      for (const ast::IfArm& arm : i->arms) {
        if (arm.condition) expr(*arm.condition);
        block(arm.body);
      }
      if (i->else_block) block(*i->else_block);
    } else if (const auto* r = s.as<ast::ReturnStmt>()) {
      for (const ast::FieldInit& v : r->values) {
        if (v.value) expr(*v.value);
      }
    }
  }

  void expr(const ast::Expr& e) {
    if (!contains(e.span, offset_)) return;
    set(Found::Expression, e.span);
    found_.expr = &e;
    if (const auto* s = e.as<ast::StringLit>()) {
      for (const ast::StringPart& part : s->parts) {
        if (part.expr) expr(*part.expr);
      }
    } else if (e.as<ast::NameRef>()) {
      set(Found::Name, e.span);
    } else if (const auto* call = e.as<ast::CallExpr>()) {
      if (contains(call->callee.span, offset_)) set(Found::Callee, call->callee.span);
      for (const ast::Arg& a : call->args) {
        if (a.name && contains(a.name->span, offset_)) {
          set(Found::ArgName, a.name->span);
          found_.ident = &*a.name;
          found_.expr = &e;
        }
        if (a.value) expr(*a.value);
      }
    } else if (const auto* m = e.as<ast::MemberExpr>()) {
      if (contains(m->field.span, offset_)) {
        set(Found::Field, m->field.span);
        found_.ident = &m->field;
      }
      if (m->object) expr(*m->object);
    } else if (const auto* ix = e.as<ast::IndexExpr>()) {
      if (ix->object) expr(*ix->object);
      if (ix->index) expr(*ix->index);
    } else if (const auto* u = e.as<ast::UnaryExpr>()) {
      if (u->operand) expr(*u->operand);
    } else if (const auto* b = e.as<ast::BinaryExpr>()) {
      if (b->lhs) expr(*b->lhs);
      if (b->rhs) expr(*b->rhs);
    } else if (const auto* l = e.as<ast::ListExpr>()) {
      for (const auto& item : l->items) {
        if (item) expr(*item);
      }
    } else if (const auto* r = e.as<ast::RecordExpr>()) {
      for (const ast::FieldInit& f : r->fields) {
        if (f.value) expr(*f.value);
      }
    } else if (const auto* mp = e.as<ast::MapExpr>()) {
      for (const ast::MapEntry& entry : mp->entries) {
        if (entry.key) expr(*entry.key);
        if (entry.value) expr(*entry.value);
      }
    }
  }

  uint32_t offset_;
  Found found_;
};

// Bindings and loop variables of a block, in source order; a loop variable is
// only visible inside its loop, a binding everywhere after it (lifted).
void collect(const ast::Block& b, const std::string& name, uint32_t offset, std::vector<LocalDef>* out) {
  for (const ast::Stmt& s : b.stmts) {
    if (const auto* bind = s.as<ast::BindStmt>()) {
      if (bind->name.text == name) out->push_back({bind->name.span, nullptr, false, &s});
    } else if (const auto* f = s.as<ast::ForStmt>()) {
      if (f->var.text == name && contains(f->body.span, offset)) out->push_back({f->var.span, nullptr, false, &s});
      collect(f->body, name, offset, out);
    } else if (const auto* i = s.as<ast::IfStmt>()) {
      for (const ast::IfArm& arm : i->arms) collect(arm.body, name, offset, out);
      if (i->else_block) collect(*i->else_block, name, offset, out);
    }
  }
}

}  // namespace

Found locate(const ast::Module& module, uint32_t offset) {
  Walker w(offset);
  w.module(module);
  return w.result();
}

std::optional<LocalDef> find_local(const ast::OpDecl* op, const ast::WorkflowDecl* workflow, const std::string& name,
                                   uint32_t offset) {
  const std::vector<ast::Param>* inputs = op ? &op->inputs : workflow ? &workflow->inputs : nullptr;
  const std::vector<ast::Param>* outputs = op ? &op->outputs : workflow ? &workflow->outputs : nullptr;
  if (!inputs) return std::nullopt;
  for (const ast::Param& p : *inputs) {
    if (p.name.text == name) return LocalDef{p.name.span, &p, false, nullptr};
  }
  if (workflow) {
    std::vector<LocalDef> defs;
    collect(workflow->body, name, offset, &defs);
    // The innermost loop variable wins over a binding; otherwise the first binding.
    for (auto it = defs.rbegin(); it != defs.rend(); ++it) {
      if (it->stmt->as<ast::ForStmt>()) return *it;
    }
    if (!defs.empty()) return defs.front();
  }
  for (const ast::Param& p : *outputs) {
    if (p.name.text == name) return LocalDef{p.name.span, &p, true, nullptr};
  }
  return std::nullopt;
}

}  // namespace flowc::lsp
