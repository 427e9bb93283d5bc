// Parse tree → AST: the one place source spans are created.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/lexer.h"
#include "Flow.h"  // generated; only the syntax phase includes it

namespace flowc::syntax {

// The deepest expression tree the builder creates (a chain like 1+1+...+1
// is as deep as it is long). Deeper ones are an error, so no later phase
// can run out of stack on them.
inline constexpr int kMaxExpressionDepth = 256;


// Builds one module from a file parsed in pieces (parser.cpp parses a valid
// file a few declarations at a time, so that ANTLR's tokens and parse tree
// never exist for the whole file at once): each piece is a `file` parse of
// consecutive tokens, the first of them at `token_offset` in `lexed`.
class ModuleBuilder {
 public:
  ModuleBuilder(const LexResult& lexed, const SourceFile& file, Diagnostics& diags);
  ~ModuleBuilder();
  void add(Flow::FileContext* piece, size_t token_offset);
  std::unique_ptr<ast::Module> finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::unique_ptr<ast::Module> build_ast(Flow::FileContext* tree, const LexResult& lexed, const SourceFile& file,
                                       Diagnostics& diags);

}  // namespace flowc::syntax
