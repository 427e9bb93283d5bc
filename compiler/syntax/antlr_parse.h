// ANTLR's parser for grammar/Flow.g4, over the hand-written lexer's tokens,
// its tree copied into a ParseTree. It parses the files the LL(1) parser
// gives up on, to report their syntax errors with ANTLR's recovery.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"
#include "compiler/syntax/lexer.h"
#include "compiler/syntax/parse_tree.h"

namespace flowc::syntax {

enum class AntlrMode {
  // SLL prediction that stops at the first error (returns false), reporting
  // nothing: what the LL(1) parser is tested against.
  StopAtError,
  // Full LL with error recovery: reports each syntax error (at most one per
  // top-level declaration) and returns the recovered tree.
  Recover,
};

// Fills `tree`; false only in StopAtError mode, at a syntax error.
bool parse_with_antlr(const LexResult& lexed, const SourceFile& file, Diagnostics& diags, AntlrMode mode,
                      ParseTree& tree);

}  // namespace flowc::syntax
