// Parsing one file: lex, parse with ANTLR (SLL first, LL on error), build the
// AST. The only header of the syntax phase that later phases include.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace flowc::syntax {

struct ParseStats {
  bool used_ll_fallback = false;
};

// Reports every lexical and syntax error it finds (at most one syntax error
// per top-level declaration, so recovery does not produce a cascade) and
// returns the module, which may be incomplete when there were errors.
std::unique_ptr<ast::Module> parse_file(const SourceFile& file, Diagnostics& diags, ParseStats* stats = nullptr);

}  // namespace flowc::syntax
