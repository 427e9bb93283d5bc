// Parse tree → AST: the one place source spans are created.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/lexer.h"
#include "compiler/syntax/parse_tree.h"

namespace flowc::syntax {

// The deepest expression tree the builder creates (a chain like 1+1+...+1
// is as deep as it is long). Deeper ones are an error, so no later phase
// can run out of stack on them.
inline constexpr int kMaxExpressionDepth = 256;

// An empty tree gives an empty module. The texts of `lexed` are moved into the AST.
std::unique_ptr<ast::Module> build_ast(const ParseTree& tree, LexResult& lexed, const SourceFile& file,
                                       Diagnostics& diags);

// The same, one top-level declaration at a time: `tree` is filled with each
// in turn (its root the declaration) and add() called, so that only one
// declaration's parse tree exists at once.
class DeclarationBuilder {
 public:
  DeclarationBuilder(const ParseTree& tree, LexResult& lexed, const SourceFile& file, Diagnostics& diags);
  ~DeclarationBuilder();
  void add();
  std::unique_ptr<ast::Module> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowc::syntax
