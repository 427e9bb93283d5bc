// Type-checking expressions.
#pragma once

#include "compiler/check/context.h"

namespace flowc::check {

// Where an expression stands; decides what it may use.
enum class ExprPlace {
  Workflow,    // a workflow body
  OpCommand,   // ${...} in an op's run command
  OpClause,    // resources, timeout, env: may use the op's inputs
  OutputPath,  // an op output's path: may use the inputs and glob()
  Default,     // an input's default value
  Options,     // `with { ... }` of a call or a for
};

// The names a condition proves present: `defined(x)`, alone or joined with
// `&&` to other conditions. Inside `if defined(x) { }` and right of
// `defined(x) &&`, x has its plain type.
void proven_present(const ast::Expr& condition, std::vector<std::string>& out);

class ExprChecker {
 public:
  ExprChecker(CheckContext& ctx, int module, NameEnv& names, ExprPlace place)
      : ctx_(ctx), module_(module), names_(names), place_(place) {}

  // Checks `e`, sets e.type and returns it. `expected` only guides literals
  // that need it ([] and none); use expect() to require a type.
  // Stream values are reported unless `allow_stream` (a stream input's argument).
  const ir::Type* check(ast::Expr& e, const ir::Type* expected = nullptr, bool allow_stream = false);
  // Checks `e` and requires its type to fit `expected`; false if it does not.
  bool expect(ast::Expr& e, const ir::Type* expected, bool allow_stream = false);
  // Reports that `e` (of type `found`) cannot be used where `expected` is required.
  void report_mismatch(const ast::Expr& e, const ir::Type* found, const ir::Type* expected);
  // Reports that an interpolated value cannot be put into `into` ("a string").
  bool check_interpolated(const ast::Expr& e, const ir::Type* t, std::string_view into, bool allow_lists);

 private:
  const ir::Type* visit(ast::Expr& e, const ir::Type* expected);
  const ir::Type* name(ast::Expr& e, ast::NameRef& ref);
  const ir::Type* call(ast::Expr& e, ast::CallExpr& call);
  const ir::Type* named_paths(const ast::CallExpr& c, const ir::Type* t, const ir::Type* expected);
  const ir::Type* member(ast::MemberExpr& m);
  const ir::Type* index(ast::IndexExpr& ix);
  const ir::Type* unary(ast::UnaryExpr& u);
  const ir::Type* binary(ast::BinaryExpr& b);
  const ir::Type* list(ast::ListExpr& l, const ir::Type* expected);
  const ir::Type* record(ast::RecordExpr& r, const ir::Type* expected);
  const ir::Type* map(ast::MapExpr& m, const ir::Type* expected);
  const ir::Type* string(ast::StringLit& s);
  const ir::Type* arithmetic(ast::BinaryExpr& b, const ir::Type* l, const ir::Type* r);
  // The name at the root of `a.b[0].c`, if any.
  const NameInfo* root_name(const ast::Expr& e);
  void add_lift_notes(Diagnostic& d, const ast::Expr& e);

  CheckContext& ctx_;
  int module_;
  NameEnv& names_;
  ExprPlace place_;
  std::map<std::string, NameInfo> narrowed_;  // names proven present on the left of `&&`
};

}  // namespace flowc::check
