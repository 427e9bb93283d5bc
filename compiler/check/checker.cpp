// Runs the checker's parts in order: module scopes, type declarations, all
// signatures, then all bodies (so declaration order never matters), then
// whole-program rules (recursion, unused imports).
#include "compiler/check/checker.h"

#include "compiler/check/op_checker.h"
#include "compiler/check/type_resolver.h"
#include "compiler/check/workflow_checker.h"

namespace flowc::check {
namespace {

const std::set<std::string> kBuiltinTypes = {"int",      "float", "bool", "str", "file",   "dir", "size",
                                             "duration", "bytes", "list", "map", "stream", "none"};

void add_own_symbols(CheckContext& ctx, int m) {
  ast::Module& mod = *ctx.modules[m].ast;
  ModuleScope& scope = ctx.scopes[m];
  auto add = [&](const ast::Ident& name, Symbol sym) {
    if (kBuiltinTypes.count(name.text)) {
      ctx.diags.report(DiagId::ReservedName, name.span, name.text, "type");
      return;
    }
    if (ctx.builtins.find(name.text)) {
      ctx.diags.report(DiagId::ReservedName, name.span, name.text, "function")
          .with_help(fmt::format("choose another name, like `{}_{}`", name.text,
                                 sym.kind == Symbol::Op         ? "op"
                                 : sym.kind == Symbol::Workflow ? "wf"
                                                                : "t"));
      return;
    }
    auto [it, fresh] = scope.symbols.emplace(name.text, sym);
    if (!fresh) {
      ctx.diags.report(DiagId::DuplicateDefinition, name.span, name.text)
          .with_note(it->second.span, "first defined here");
    }
  };
  for (ast::TypeDecl& t : mod.types) add(t.name, Symbol{Symbol::Type, &t, nullptr, nullptr, m, t.name.span, -1});
  for (ast::OpDecl& o : mod.ops) add(o.name, Symbol{Symbol::Op, nullptr, &o, nullptr, m, o.name.span, -1});
  for (ast::WorkflowDecl& w : mod.workflows) {
    add(w.name, Symbol{Symbol::Workflow, nullptr, nullptr, &w, m, w.name.span, -1});
  }
}

void add_imported_symbols(CheckContext& ctx, int m) {
  const LoadedModule& loaded = ctx.modules[m];
  ModuleScope& scope = ctx.scopes[m];
  scope.import_used.assign(loaded.imports.size(), false);
  for (size_t i = 0; i < loaded.imports.size(); ++i) {
    int target = loaded.imports[i];
    if (target < 0) {
      scope.import_used[i] = true;  // already reported; do not also call it unused
      continue;
    }
    const ast::ImportDecl& imp = loaded.ast->imports[i];
    for (const auto& [name, sym] : ctx.scopes[target].symbols) {
      if (sym.via_import >= 0) continue;  // imports are not re-exported
      Symbol imported = sym;
      imported.via_import = static_cast<int>(i);
      auto [it, fresh] = scope.symbols.emplace(name, imported);
      if (fresh || it->second.span.file == sym.span.file) continue;  // the same definition twice is fine
      Diagnostic& d = ctx.diags.report(DiagId::DuplicateDefinition, imp.path_span, name);
      d.with_note(it->second.span, it->second.via_import < 0 ? "defined in this file" : "first imported from here");
      d.with_note(sym.span, "and imported again from here");
      d.with_help("rename one of them, or import only one of the two files");
    }
  }
}

}  // namespace

const Symbol* CheckContext::find_symbol(int module, const std::string& name) {
  ModuleScope& scope = scopes[module];
  auto it = scope.symbols.find(name);
  if (it == scope.symbols.end()) return nullptr;
  if (it->second.via_import >= 0) scope.import_used[it->second.via_import] = true;
  return &it->second;
}

std::vector<std::string> CheckContext::symbol_names(int module, Symbol::Kind kind) const {
  std::vector<std::string> out;
  for (const auto& [name, sym] : scopes[module].symbols) {
    if (sym.kind == kind) out.push_back(name);
  }
  return out;
}

void check_program(CheckContext& ctx) {
  const int count = static_cast<int>(ctx.modules.size());
  ctx.scopes.assign(count, ModuleScope{});
  // Own symbols first for every module: imports copy them.
  for (int m = 0; m < count; ++m) add_own_symbols(ctx, m);
  for (int m = 0; m < count; ++m) add_imported_symbols(ctx, m);

  TypeResolver types(ctx);
  OpChecker ops(ctx, types);
  WorkflowChecker workflows(ctx, types);

  for (int m = 0; m < count; ++m) {
    for (ast::TypeDecl& t : ctx.modules[m].ast->types) types.resolve_decl(m, t);
  }
  for (int m = 0; m < count; ++m) {
    for (ast::OpDecl& o : ctx.modules[m].ast->ops) ops.check_signature(m, o);
    for (ast::WorkflowDecl& w : ctx.modules[m].ast->workflows) workflows.check_signature(m, w);
  }
  for (int m = 0; m < count; ++m) {
    for (ast::OpDecl& o : ctx.modules[m].ast->ops) ops.check_body(m, o);
    for (ast::WorkflowDecl& w : ctx.modules[m].ast->workflows) workflows.check_body(m, w);
  }
  workflows.check_recursion();

  // Unused imports, in the main file only (a library's own imports are its
  // author's business), and only in a program without errors.
  if (count > 0 && !ctx.diags.has_errors()) {
    const ModuleScope& main = ctx.scopes[0];
    for (size_t i = 0; i < main.import_used.size(); ++i) {
      if (main.import_used[i]) continue;
      const ast::ImportDecl& imp = ctx.modules[0].ast->imports[i];
      ctx.diags.report(DiagId::UnusedImport, imp.path_span, imp.path).with_help("remove the import");
    }
  }
}

}  // namespace flowc::check
