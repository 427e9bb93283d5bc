// Parsing one file: the hand-written lexer, the LL(1) parser for a valid
// file, ANTLR with error recovery for one with syntax errors, then the AST.
#include "compiler/syntax/parser.h"

#include "compiler/syntax/antlr_parse.h"
#include "compiler/syntax/ast_builder.h"
#include "compiler/syntax/lexer.h"
#include "compiler/syntax/ll1_parser.h"

namespace flowc::syntax {

std::unique_ptr<ast::Module> parse_file(const SourceFile& file, Diagnostics& diags, ParseStats* stats) {
  LexResult lexed = lex(file, diags);
  if (lexed.fatal) {
    auto empty = std::make_unique<ast::Module>();
    empty->file = file.id();
    return empty;
  }

  ParseTree tree;
  if (!parse_ll1(lexed, tree)) {
    if (stats) stats->used_ll_fallback = true;
    parse_with_antlr(lexed, file, diags, AntlrMode::Recover, tree);
  }

  // Errors that follow a lexical error in the same file are usually its echo
  // (a string that never closed swallows what came after).
  if (lexed.first_error != UINT32_MAX) {
    diags.drop_if([&](const Diagnostic& d) {
      return d.id == DiagId::SyntaxError && d.span.file == file.id() && d.span.begin >= lexed.first_error;
    });
  }

  return build_ast(tree, lexed, file, diags);
}

}  // namespace flowc::syntax
