// Checking ops: inputs, outputs, clauses and the run command.
#pragma once

#include "compiler/check/context.h"
#include "compiler/check/type_resolver.h"

namespace flowc::check {

class OpChecker {
 public:
  OpChecker(CheckContext& ctx, TypeResolver& types) : ctx_(ctx), types_(types) {}

  // Resolves the op's port types into its Signature (before any body is checked,
  // so workflows can call ops declared anywhere).
  void check_signature(int module, ast::OpDecl& op);
  // Defaults, output paths, clauses and the command.
  void check_body(int module, ast::OpDecl& op);

 private:
  void check_clause(int module, ast::OpDecl& op, ast::Clause& clause);
  void check_run(int module, ast::OpDecl& op, ast::Clause& clause);
  void check_record_clause(int module, ast::OpDecl& op, ast::Clause& clause,
                           const std::vector<std::pair<std::string, const ir::Type*>>& fields);
  void check_retry(ast::Clause& clause);
  void check_shell(ast::Clause& clause);
  void check_env(int module, ast::OpDecl& op, ast::Clause& clause);
  void check_outputs(int module, ast::OpDecl& op);

  CheckContext& ctx_;
  TypeResolver& types_;
};

}  // namespace flowc::check
