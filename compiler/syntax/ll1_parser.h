// The hand-written parser for grammar/Flow.g4: every decision of the grammar
// is LL(1), so a recursive descent that looks at one token mirrors the
// switch code ANTLR generates for it, rule by rule, and builds the same
// tree (parse_tree.h) without an object per token or per rule.
//
// It only recognises: at the first token it cannot take, it gives up, and
// parser.cpp has ANTLR parse the file again to report the error with its
// recovery. So every syntax error is still reported exactly as ANTLR
// reports it; valid files (nearly all a compiler sees) pay for neither
// ANTLR's tokens nor its parse-tree contexts. tests/compiler/ll1_parser_test.cpp
// checks that both accept the same files and build the same trees.
#pragma once

#include "compiler/syntax/lexer.h"
#include "compiler/syntax/parse_tree.h"

namespace flowc::syntax {

// Parses the tokens of a whole file into `tree`. False (and `tree` in an
// unspecified state) at the first token the grammar does not allow there.
bool parse_ll1(const LexResult& lexed, ParseTree& tree);

// The same, one top-level declaration at a time, so that only one
// declaration's tree exists at once (the AST is built from each in turn).
class Ll1Declarations {
 public:
  enum Step { Declaration, End, Mismatch };
  explicit Ll1Declarations(const LexResult& lexed) : lexed_(lexed) {}
  // Fills `tree` with the next declaration (its root), or says the file
  // ended (its end-of-file token is taken) or does not follow the grammar.
  Step next(ParseTree& tree);

 private:
  const LexResult& lexed_;
  size_t pos_ = 0;
};

}  // namespace flowc::syntax
