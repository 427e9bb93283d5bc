// State shared by the checker's parts: what each module can see, the types,
// the builtins, and what has been resolved so far.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/check/module_loader.h"
#include "compiler/diag/diagnostic.h"
#include "ir/builtins.h"
#include "ir/types.h"

namespace flowc::check {

// A top-level name a module can see: its own declarations and those of the
// files it imports directly.
struct Symbol {
  enum Kind { Type, Op, Workflow } kind;
  const ast::TypeDecl* type_decl = nullptr;
  const ast::OpDecl* op = nullptr;
  const ast::WorkflowDecl* workflow = nullptr;
  int module = 0;       // where it is defined
  Span span;            // its name, where defined
  int via_import = -1;  // index of the import that brought it in, or -1 if own
};

struct ModuleScope {
  std::map<std::string, Symbol> symbols;
  std::vector<bool> import_used;
};

// An op's or workflow's checked signature.
struct Signature {
  int module = 0;
  std::vector<std::pair<std::string, const ir::Type*>> inputs;
  std::vector<bool> input_required;  // no default and not optional
  std::vector<std::pair<std::string, const ir::Type*>> outputs;
  const ir::Type* outputs_record = nullptr;  // the type of a call's result
};

// Kinds of things a name in an expression can be.
struct NameInfo {
  ast::NameTarget::Kind kind = ast::NameTarget::Unresolved;
  const ir::Type* type = nullptr;  // as seen where it is used
  Span defined_at;
  // The `for` (true) and `if` (false) blocks between the definition and the
  // use, which turned its type into a list or an optional; for hints.
  std::vector<std::pair<Span, bool>> lifted_through;
};

// The names an expression can refer to; differs between op commands,
// clauses, defaults and workflow bodies.
class NameEnv {
 public:
  virtual ~NameEnv() = default;
  virtual const NameInfo* lookup(const std::string& name) = 0;
  virtual std::vector<std::string> names() const = 0;
  // A name bound later in the same workflow (for "used before it is bound").
  virtual std::optional<Span> bound_later(const std::string&) const { return std::nullopt; }
  // A hint for a name that is not found here (e.g. a shell variable).
  virtual std::string unknown_hint(const std::string&) const { return {}; }
};

// What lowering needs to know about a workflow statement.
struct StmtInfo {
  const ir::Type* type = nullptr;  // a binding's type where it is bound (a call: its outputs record)
  bool is_call = false;
  // for/if: the names bound inside, with their types after the block.
  std::vector<std::pair<std::string, const ir::Type*>> exports;
};

struct CheckContext {
  SourceManager& sources;
  Diagnostics& diags;
  ir::TypeTable& types;
  const ir::Builtins& builtins;
  std::vector<LoadedModule>& modules;
  std::vector<ModuleScope> scopes;
  std::unordered_map<const ast::OpDecl*, Signature> op_signatures;
  std::unordered_map<const ast::WorkflowDecl*, Signature> workflow_signatures;
  std::unordered_map<const ast::TypeDecl*, const ir::Type*> type_decls;
  std::unordered_map<const ast::Stmt*, StmtInfo> stmts;

  std::string_view text(Span span) const { return sources.file(span.file).slice(span); }
  std::string display(const ir::Type* t) const { return types.display(t); }
  // Finds a top-level name as seen from `module`, marking its import used.
  const Symbol* find_symbol(int module, const std::string& name);
  std::vector<std::string> symbol_names(int module, Symbol::Kind kind) const;
};

}  // namespace flowc::check
