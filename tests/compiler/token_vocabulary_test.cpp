// The lexer's token kinds and the generated parser's vocabulary come from
// one list (token_kinds.def); this checks the build kept them in step.
#include <antlr4-runtime.h>

#include <catch2/catch.hpp>

#include "Flow.h"
#include "compiler/syntax/token.h"

using flowc::syntax::TokenKind;

namespace {

// The generated parser's vocabulary (it is only reachable through a parser).
const antlr4::dfa::Vocabulary& parser_vocabulary() {
  static std::vector<std::unique_ptr<antlr4::Token>> eof = [] {
    std::vector<std::unique_ptr<antlr4::Token>> v;
    v.push_back(std::make_unique<antlr4::CommonToken>(antlr4::Token::EOF));
    return v;
  }();
  static antlr4::ListTokenSource source(std::move(eof));
  static antlr4::CommonTokenStream tokens(&source);
  static Flow parser(&tokens);
  return parser.getVocabulary();
}

}  // namespace

TEST_CASE("every token kind has the parser's number and name", "[grammar]") {
  const antlr4::dfa::Vocabulary& vocabulary = parser_vocabulary();
  size_t last = static_cast<size_t>(TokenKind::EndOfFile);
  for (size_t kind = 1; kind < last; ++kind) {
    INFO("token kind " << kind);
    CHECK(vocabulary.getSymbolicName(kind) == std::string(flowc::syntax::token_name(static_cast<TokenKind>(kind))));
  }
  CHECK(vocabulary.getMaxTokenType() == last - 1);
}

TEST_CASE("keyword tokens carry their literal", "[grammar]") {
  CHECK(parser_vocabulary().getLiteralName(static_cast<size_t>(TokenKind::KW_WORKFLOW)) == "'workflow'");
  CHECK(parser_vocabulary().getLiteralName(static_cast<size_t>(TokenKind::COALESCE)) ==
        "'?"
        "?'");
}
