// Parsing one file: the hand-written lexer, the LL(1) parser for a valid
// file, ANTLR with error recovery for one with syntax errors, then the AST.
#include "compiler/syntax/parser.h"

#include "compiler/syntax/antlr_parse.h"
#include "compiler/syntax/ast_builder.h"
#include "compiler/syntax/lexer.h"
#include "compiler/syntax/ll1_parser.h"
#include "compiler/syntax/syntax_errors.h"

namespace flowc::syntax {

std::unique_ptr<ast::Module> parse_file(const SourceFile& file, Diagnostics& diags, ParseStats* stats) {
  size_t reported = diags.all().size();
  LexResult lexed = lex(file, diags);
  if (lexed.fatal) {
    auto empty = std::make_unique<ast::Module>();
    empty->file = file.id();
    return empty;
  }

  // A valid file is parsed and built declaration by declaration, so that
  // only one declaration's parse tree exists at once (an editor's 10 MB
  // document would otherwise hold a tree of ~50 MB beside its AST).
  std::unique_ptr<ast::Module> module;
  {
    ParseTree tree;
    DeclarationBuilder builder(tree, lexed, file, diags);
    Ll1Declarations parser(lexed);
    for (;;) {
      Ll1Declarations::Step step = parser.next(tree);
      if (step == Ll1Declarations::Declaration) {
        builder.add();
      } else {
        if (step == Ll1Declarations::End) module = builder.finish();
        break;
      }
    }
  }
  if (!module) {
    // A syntax error: start over. What was said about the declarations
    // before it is taken back, the file lexed again (the builder moved the
    // string texts of those declarations out), and ANTLR parses it all with
    // its recovery.
    diags.truncate(reported);
    lexed = lex(file, diags);
    if (stats) stats->used_ll_fallback = true;
    ParseTree tree;
    parse_with_antlr(lexed, file, diags, AntlrMode::Recover, tree);
    module = build_ast(tree, lexed, file, diags);
  }

  // Errors that follow a lexical error in the same file are usually its echo
  // (a string that never closed swallows what came after).
  if (lexed.first_error != UINT32_MAX) {
    diags.drop_if([&](const Diagnostic& d) {
      return is_syntax_error(d.id) && d.span.file == file.id() && d.span.begin >= lexed.first_error;
    });
  }
  return module;
}

}  // namespace flowc::syntax
