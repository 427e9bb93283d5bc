// Hover, definition and document symbols over the AST the checker annotated.
#include "lsp/features.h"

#include "compiler/doc/documentation.h"
#include "lsp/locate.h"
#include "lsp/uri.h"

namespace flowc::lsp {
namespace {

std::string_view text_of(const Compilation& c, Span s) { return c.sources.file(s.file).slice(s); }

std::string code(const std::string& text) { return "```flow\n" + text + "\n```"; }

std::string with_doc(const std::string& text, const std::string& doc) {
  return doc.empty() ? text : text + "\n\n" + doc;
}

std::string type_text(const Compilation& c, const ir::Type* t) {
  return t && c.types ? c.types->display(t) : std::string("?");
}

// A declaration visible by name: the checker's view when there is one, else
// any loaded module's (after a syntax error there is no checked scope).
struct Decl {
  const ast::OpDecl* op = nullptr;
  const ast::WorkflowDecl* workflow = nullptr;
  const ast::TypeDecl* type = nullptr;
};

Decl find_decl(const Compilation& c, const std::string& name) {
  if (c.checked) {
    if (const check::Symbol* s = c.checked->find_symbol(0, name)) return {s->op, s->workflow, s->type_decl};
    return {};
  }
  for (const check::LoadedModule& m : c.loaded.modules) {
    if (!m.ast) continue;
    for (const auto& op : m.ast->ops)
      if (op.name.text == name) return {&op, nullptr, nullptr};
    for (const auto& wf : m.ast->workflows)
      if (wf.name.text == name) return {nullptr, &wf, nullptr};
    for (const auto& t : m.ast->types)
      if (t.name.text == name) return {nullptr, nullptr, &t};
  }
  return {};
}

const std::vector<ast::Param>* callee_inputs(const ast::CallExpr& call) {
  if (call.target.op) return &call.target.op->inputs;
  if (call.target.workflow) return &call.target.workflow->inputs;
  return nullptr;
}

const ast::Param* find_param(const std::vector<ast::Param>* params, const std::string& name) {
  if (!params) return nullptr;
  for (const ast::Param& p : *params) {
    if (p.name.text == name) return &p;
  }
  return nullptr;
}

std::string decl_hover(const Compilation& c, const Decl& d) {
  if (d.op) return with_doc(code(doc::op_signature(c, *d.op)), d.op->doc);
  if (d.workflow) return with_doc(code(doc::workflow_signature(c, *d.workflow)), d.workflow->doc);
  if (d.type) return with_doc(code(std::string(text_of(c, d.type->span))), d.type->doc);
  return {};
}

std::string builtin_hover(const Compilation& c, const std::string& name) {
  if (!c.builtins) return {};
  const ir::Builtin* b = c.builtins->find(name);
  if (!b) return {};
  std::string text;
  for (const ir::Signature& s : b->overloads) text += (text.empty() ? "" : "\n") + name + s.text;
  return with_doc(code(text), b->description + " (builtin)");
}

std::string param_hover(const Compilation& c, const ast::Param& p, bool output) {
  std::string text =
      std::string(output ? "output " : "input ") + p.name.text + ": " + std::string(text_of(c, p.type.span));
  if (p.resolved && type_text(c, p.resolved) != text_of(c, p.type.span)) text += "  // " + type_text(c, p.resolved);
  return code(text);
}

// The call a binding's value is, if it is one.
const ast::CallExpr* bound_call(const ast::Stmt* stmt) {
  if (!stmt) return nullptr;
  const auto* bind = stmt->as<ast::BindStmt>();
  if (!bind || !bind->value) return nullptr;
  return bind->value->as<ast::CallExpr>();
}

const ir::Type* binding_type(const Compilation& c, const ast::Stmt* stmt) {
  if (!c.checked || !stmt) return nullptr;
  auto it = c.checked->stmts.find(stmt);
  return it == c.checked->stmts.end() ? nullptr : it->second.type;
}

nlohmann::json location(const DocView& doc, Span span) {
  const SourceFile& file = doc.c.sources.file(span.file);
  const ast::Module* main = main_module(doc.c);
  if (main && span.file == main->file) return {{"uri", doc.uri}, {"range", doc.lines.range(span.begin, span.end)}};
  LineIndex lines(file.text(), doc.encoding);
  return {{"uri", path_to_uri(file.path())}, {"range", lines.range(span.begin, span.end)}};
}

}  // namespace

const ast::Module* main_module(const Compilation& c) {
  if (c.loaded.modules.empty()) return nullptr;
  return c.loaded.modules[0].ast.get();
}

nlohmann::json hover(const DocView& doc, uint32_t offset) {
  const ast::Module* module = main_module(doc.c);
  if (!module) return nullptr;
  const Compilation& c = doc.c;
  Found f = locate(*module, offset);
  std::string text;
  switch (f.kind) {
    case Found::Nothing: return nullptr;
    case Found::OpName: text = decl_hover(c, {f.op, nullptr, nullptr}); break;
    case Found::WorkflowName: text = decl_hover(c, {nullptr, f.workflow, nullptr}); break;
    case Found::TypeDeclName: text = decl_hover(c, {nullptr, nullptr, f.type_decl}); break;
    case Found::ParamName: text = param_hover(c, *f.param, f.param_is_output); break;
    case Found::TypeName: {
      Decl d = find_decl(c, f.ident->text);
      text = d.type ? decl_hover(c, d) : code(f.ident->text) + "\n\nbuiltin type";
      break;
    }
    case Found::Callee: {
      const auto* call = f.expr->as<ast::CallExpr>();
      if (call->target.op || call->target.workflow) {
        text = decl_hover(c, {call->target.op, call->target.workflow, nullptr});
      } else {
        text = builtin_hover(c, call->callee.text);
        if (text.empty()) text = decl_hover(c, find_decl(c, call->callee.text));
      }
      break;
    }
    case Found::ArgName: {
      const auto* call = f.expr->as<ast::CallExpr>();
      if (const ast::Param* p = find_param(callee_inputs(*call), f.ident->text)) text = param_hover(c, *p, false);
      break;
    }
    case Found::BindingName: {
      const ir::Type* t = binding_type(c, f.stmt);
      if (!t) return nullptr;
      text = code(f.stmt->as<ast::BindStmt>()->name.text + ": " + type_text(c, t));
      if (const ast::CallExpr* call = bound_call(f.stmt)) {
        if (call->target.op) text += "\n\n" + code(doc::op_signature(c, *call->target.op));
        if (call->target.workflow) text += "\n\n" + code(doc::workflow_signature(c, *call->target.workflow));
      }
      break;
    }
    case Found::LoopVar: {
      const auto* loop = f.stmt->as<ast::ForStmt>();
      const ir::Type* list = loop->collection ? loop->collection->type : nullptr;
      if (!list) return nullptr;
      const ir::Type* item = list->is(ir::TypeKind::List) ? list->elem() : list;
      text = code(loop->var.text + ": " + type_text(c, item));
      break;
    }
    case Found::Import: {
      const auto& imports = c.loaded.modules[0].imports;
      if (f.import_index < imports.size() && imports[f.import_index] >= 0) {
        const check::LoadedModule& imported = c.loaded.modules[imports[f.import_index]];
        text = with_doc(code(imported.canonical_path), imported.ast ? imported.ast->doc : std::string());
      }
      break;
    }
    case Found::Name:
    case Found::Field:
    case Found::Expression: {
      // Not the text of a string (a whole run command would say `str`).
      if (!f.expr->type || (f.kind == Found::Expression && f.expr->as<ast::StringLit>())) return nullptr;
      std::string what(text_of(c, f.kind == Found::Field ? f.expr->span : f.span));
      if (what.size() > 60 || what.find('\n') != std::string::npos) what = "";
      text = code((what.empty() ? "" : what + ": ") + type_text(c, f.expr->type));
      break;
    }
  }
  if (text.empty()) return nullptr;
  return {{"contents", {{"kind", "markdown"}, {"value", text}}}, {"range", doc.lines.range(f.span.begin, f.span.end)}};
}

nlohmann::json definition(const DocView& doc, uint32_t offset) {
  const ast::Module* module = main_module(doc.c);
  if (!module) return nullptr;
  const Compilation& c = doc.c;
  Found f = locate(*module, offset);
  auto decl_location = [&](const Decl& d) -> nlohmann::json {
    if (d.op) return location(doc, d.op->name.span);
    if (d.workflow) return location(doc, d.workflow->name.span);
    if (d.type) return location(doc, d.type->name.span);
    return nullptr;
  };
  switch (f.kind) {
    case Found::Callee: {
      const auto* call = f.expr->as<ast::CallExpr>();
      if (call->target.op || call->target.workflow)
        return decl_location({call->target.op, call->target.workflow, nullptr});
      return decl_location(find_decl(c, call->callee.text));
    }
    case Found::TypeName: return decl_location(find_decl(c, f.ident->text));
    case Found::ArgName: {
      const ast::Param* p = find_param(callee_inputs(*f.expr->as<ast::CallExpr>()), f.ident->text);
      return p ? location(doc, p->name.span) : nlohmann::json(nullptr);
    }
    case Found::Name: {
      auto def = find_local(f.op, f.workflow, f.expr->as<ast::NameRef>()->name, offset);
      return def ? location(doc, def->span) : nlohmann::json(nullptr);
    }
    case Found::Field: {
      // `g.out` where g is a call: the op's output.
      const auto* member = f.expr->as<ast::MemberExpr>();
      const ast::NameRef* object = member->object ? member->object->as<ast::NameRef>() : nullptr;
      if (!object) return nullptr;
      auto def = find_local(f.op, f.workflow, object->name, offset);
      const ast::CallExpr* call = def ? bound_call(def->stmt) : nullptr;
      if (!call) return nullptr;
      const std::vector<ast::Param>* outputs = call->target.op         ? &call->target.op->outputs
                                               : call->target.workflow ? &call->target.workflow->outputs
                                                                       : nullptr;
      const ast::Param* p = find_param(outputs, member->field.text);
      return p ? location(doc, p->name.span) : nlohmann::json(nullptr);
    }
    case Found::Import: {
      const auto& imports = c.loaded.modules[0].imports;
      if (f.import_index >= imports.size() || imports[f.import_index] < 0) return nullptr;
      const ast::Module* target = c.loaded.modules[imports[f.import_index]].ast.get();
      return target ? location(doc, Span{target->file, 0, 0}) : nlohmann::json(nullptr);
    }
    case Found::OpName: return location(doc, f.op->name.span);
    case Found::WorkflowName: return location(doc, f.workflow->name.span);
    case Found::TypeDeclName: return location(doc, f.type_decl->name.span);
    case Found::ParamName: return location(doc, f.param->name.span);
    case Found::BindingName:
    case Found::LoopVar: return location(doc, f.span);
    case Found::Expression:
    case Found::Nothing: return nullptr;
  }
  return nullptr;
}

namespace {

// LSP SymbolKind values.
constexpr int kModule = 2, kField = 8, kFunction = 12, kVariable = 13, kStruct = 23;

nlohmann::json symbol(const DocView& doc, const std::string& name, const std::string& detail, int kind, Span whole,
                      Span selection) {
  return {{"name", name},
          {"detail", detail},
          {"kind", kind},
          {"range", doc.lines.range(whole.begin, whole.end)},
          {"selectionRange", doc.lines.range(selection.begin, selection.end)}};
}

nlohmann::json port_symbols(const DocView& doc, const std::vector<ast::Param>& inputs,
                            const std::vector<ast::Param>& outputs) {
  nlohmann::json children = nlohmann::json::array();
  for (const ast::Param& p : inputs) {
    children.push_back(
        symbol(doc, p.name.text, "in: " + std::string(text_of(doc.c, p.type.span)), kVariable, p.span, p.name.span));
  }
  for (const ast::Param& p : outputs) {
    children.push_back(
        symbol(doc, p.name.text, "out: " + std::string(text_of(doc.c, p.type.span)), kField, p.span, p.name.span));
  }
  return children;
}

}  // namespace

nlohmann::json document_symbols(const DocView& doc) {
  nlohmann::json out = nlohmann::json::array();
  const ast::Module* module = main_module(doc.c);
  if (!module) return out;
  for (const ast::TypeDecl& t : module->types) {
    out.push_back(symbol(doc, t.name.text, std::string(text_of(doc.c, t.type.span)), kStruct, t.span, t.name.span));
  }
  for (const ast::OpDecl& op : module->ops) {
    nlohmann::json s = symbol(doc, op.name.text, "op", kFunction, op.span, op.name.span);
    s["children"] = port_symbols(doc, op.inputs, op.outputs);
    out.push_back(std::move(s));
  }
  for (const ast::WorkflowDecl& wf : module->workflows) {
    nlohmann::json s = symbol(doc, wf.name.text, "workflow", kModule, wf.span, wf.name.span);
    s["children"] = port_symbols(doc, wf.inputs, wf.outputs);
    out.push_back(std::move(s));
  }
  // Clients show them in source order.
  std::sort(out.begin(), out.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    auto key = [](const nlohmann::json& s) {
      return std::pair(s["range"]["start"]["line"].get<int>(), s["range"]["start"]["character"].get<int>());
    };
    return key(a) < key(b);
  });
  return out;
}

}  // namespace flowc::lsp
