// Syntax errors in words a person reads: the facts of a parse failure (what
// was found, what could have come, in which rule) become a diagnostic.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/lexer.h"

namespace flowc::syntax {

struct SyntaxErrorFacts {
  size_t offending = 0;                 // index into LexResult::tokens
  std::vector<TokenKind> expected;      // what the parser could have accepted
  std::vector<std::string> rule_stack;  // innermost rule first
  bool unwanted = false;                // an extra token (rather than a wrong one)
};

// Whether a diagnostic is one of the parser's (E0200 and its kinds): those
// that follow a lexical error in the same file are dropped as its echoes.
bool is_syntax_error(DiagId id);

void report_syntax_error(const SyntaxErrorFacts& facts, const LexResult& lexed, const SourceFile& file,
                         Diagnostics& diags);

}  // namespace flowc::syntax
