// Checking workflows: bindings and their scopes, calls, for/if lifting,
// return, and recursion that could never end.
#pragma once

#include "compiler/check/context.h"
#include "compiler/check/type_resolver.h"

namespace flowc::check {

class WorkflowScope;

class WorkflowChecker {
 public:
  WorkflowChecker(CheckContext& ctx, TypeResolver& types);
  ~WorkflowChecker();

  void check_signature(int module, ast::WorkflowDecl& wf);
  void check_body(int module, ast::WorkflowDecl& wf);
  // After every body: a cycle of calls not guarded by an `if` never ends.
  void check_recursion();

 private:
  void block(ast::Block& b, bool top_level);
  void statement(ast::Stmt& s, bool top_level, bool last);
  void bind(ast::Stmt& s, ast::BindStmt& b);
  void for_stmt(ast::Stmt& s, ast::ForStmt& f);
  void if_stmt(ast::Stmt& s, ast::IfStmt& i);
  void return_stmt(ast::Stmt& s, ast::ReturnStmt& r);
  const ir::Type* task_call(ast::BindStmt& b, ast::Expr& e, ast::CallExpr& call, const struct Symbol& callee);
  void call_options(ast::Expr& options, bool* optional);
  void for_options(ast::Expr& options);

  struct CallSite {
    const ast::WorkflowDecl* from;
    const ast::WorkflowDecl* to;
    Span span;
  };

  CheckContext& ctx_;
  TypeResolver& types_;
  int module_ = 0;
  ast::WorkflowDecl* current_ = nullptr;
  std::unique_ptr<WorkflowScope> scope_;
  int guarded_depth_ = 0;  // inside an if or a for
  bool returned_ = false;
  std::vector<CallSite> unguarded_calls_;
};

}  // namespace flowc::check
