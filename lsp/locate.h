// What is at a byte offset of a parsed module: the innermost name, call,
// expression or declaration there. Hover, definition and completion all
// start from this one walk over the AST.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "compiler/ast/ast.h"

namespace flowc::lsp {

struct Found {
  enum Kind {
    Nothing,
    OpName,        // the name in `op NAME(`
    WorkflowName,  // the name in `workflow NAME(`
    TypeDeclName,  // the name in `type NAME =`
    ParamName,     // an input or output where it is declared
    TypeName,      // a type name where it is used: `s: Sample`
    Callee,        // the NAME of `NAME(...)`
    ArgName,       // the keyword of `f(NAME = ...)`
    Field,         // the field of `x.FIELD`
    Name,          // a name used in an expression
    BindingName,   // the name in `NAME = ...`
    LoopVar,       // the variable in `for NAME in`
    Import,        // the path of an import
    Expression,    // any other expression
  } kind = Nothing;
  Span span;  // of the thing found

  const ast::OpDecl* op = nullptr;              // the enclosing op, if any
  const ast::WorkflowDecl* workflow = nullptr;  // the enclosing workflow, if any
  const ast::TypeDecl* type_decl = nullptr;
  const ast::Param* param = nullptr;
  bool param_is_output = false;
  const ast::Ident* ident = nullptr;  // TypeName, ArgName, Field
  const ast::Expr* expr = nullptr;    // Callee, ArgName, Field, Name, Expression: the expression
  const ast::Stmt* stmt = nullptr;    // BindingName, LoopVar
  size_t import_index = 0;
};

Found locate(const ast::Module& module, uint32_t offset);

// A local name's declaration as seen from `offset` inside `op` or `workflow`:
// an input, an output, a binding or a loop variable; nullopt if none.
struct LocalDef {
  Span span;
  const ast::Param* param = nullptr;  // an input or output
  bool is_output = false;
  const ast::Stmt* stmt = nullptr;  // a binding or a for
};
std::optional<LocalDef> find_local(const ast::OpDecl* op, const ast::WorkflowDecl* workflow, const std::string& name,
                                   uint32_t offset);

}  // namespace flowc::lsp
