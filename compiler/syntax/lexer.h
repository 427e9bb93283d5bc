// The hand-written lexer: .flow text → tokens for the ANTLR parser.
//
// Hand-written rather than generated because interpolated strings nest
// ("a ${f("b ${c}")} d"), because it is several times faster than an ANTLR
// lexer (see bench/compile), and because it can say exactly where a string
// or comment that never ends began.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"
#include "compiler/syntax/token.h"

namespace flowc::syntax {

// The deepest nesting of (), [], {} and ${} the lexer accepts; deeper input
// is an error rather than a risk to the parser's stack.
inline constexpr int kMaxNesting = 200;

struct DocComment {
  uint32_t begin = 0;  // first `///`
  uint32_t end = 0;    // end of the last line of the block
  std::string text;    // the lines without `///` and one following space
};

struct NumberValue {
  int64_t integer = 0;  // INT, and SIZE in bytes
  double real = 0;      // FLOAT, and DURATION in seconds
};

struct LexResult {
  std::vector<Token> tokens;          // always ends with one EndOfFile token
  std::vector<std::string> texts;     // decoded text of STR_TEXT tokens
  std::vector<NumberValue> numbers;   // values of INT/FLOAT/SIZE/DURATION (payload)
  std::vector<DocComment> docs;       // in source order
  bool fatal = false;                 // input unfit to parse (binary, too deep, ...)
  uint32_t first_error = UINT32_MAX;  // offset of the first lexical error, if any
};

LexResult lex(const SourceFile& file, Diagnostics& diags);

}  // namespace flowc::syntax
