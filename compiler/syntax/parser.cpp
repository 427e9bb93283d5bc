// Runs the ANTLR parser over the hand-written lexer's tokens.
//
// SLL prediction with a bail-out strategy first: it is the fast path and
// decides every valid program (the grammar is LL(2)). Only when it fails is the
// input parsed again with full LL and error recovery, to report errors.
// A large valid file is parsed in pieces of whole declarations (see
// parse_in_pieces), so ANTLR's memory is bounded by a piece, not the file.
#include "compiler/syntax/parser.h"

#include <optional>
#include <vector>

#include <antlr4-runtime.h>

#include "compiler/syntax/ast_builder.h"
#include "compiler/syntax/lexer.h"
#include "compiler/syntax/syntax_errors.h"
#include "Flow.h"

namespace flowc::syntax {
namespace {

size_t antlr_type(TokenKind kind) {
  return kind == TokenKind::EndOfFile ? antlr4::Token::EOF : static_cast<size_t>(kind);
}

TokenKind our_kind(size_t antlr) {
  return antlr == antlr4::Token::EOF ? TokenKind::EndOfFile : static_cast<TokenKind>(antlr);
}

// Hands the lexer's tokens to ANTLR. Token start/stop indexes are byte offsets;
// the token index ANTLR assigns equals the index in LexResult::tokens.
// A piece [begin, end) of the tokens is handed over as if it were a whole
// file: its tokens, then an end of file (at the offset of token `end`).
class LexedTokenSource : public antlr4::TokenSource {
 public:
  LexedTokenSource(const LexResult& lexed, std::string name)
      : LexedTokenSource(lexed, std::move(name), 0, lexed.tokens.size() - 1) {}
  LexedTokenSource(const LexResult& lexed, std::string name, size_t begin, size_t end)
      : lexed_(lexed), name_(std::move(name)), next_(begin), end_(end) {}

  std::unique_ptr<antlr4::Token> nextToken() override {
    const Token& t = lexed_.tokens[std::min(next_, end_)];
    if (next_ < end_) ++next_;
    TokenKind kind = &t == &lexed_.tokens[end_] ? TokenKind::EndOfFile : t.kind;
    auto token = std::make_unique<antlr4::CommonToken>(std::make_pair(this, nullptr), antlr_type(kind),
                                                       antlr4::Token::DEFAULT_CHANNEL, t.begin,
                                                       t.end > t.begin ? t.end - 1 : t.begin);
    token->setLine(1);
    token->setCharPositionInLine(0);
    return token;
  }
  size_t getLine() const override { return 1; }
  size_t getCharPositionInLine() override { return 0; }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return name_; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return antlr4::CommonTokenFactory::DEFAULT.get();
  }

 private:
  const LexResult& lexed_;
  std::string name_;
  size_t next_;
  size_t end_;  // the token that stands for the end of file
};

// ANTLR's recovery, with reporting replaced: the facts of each failure go to
// report_syntax_error, at most one per top-level declaration.
class ReportingErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  ReportingErrorStrategy(const LexResult& lexed, const SourceFile& file, Diagnostics& diags)
      : lexed_(lexed), file_(file), diags_(diags) {}

 protected:
  void reportNoViableAlternative(antlr4::Parser* parser, const antlr4::NoViableAltException& e) override {
    report(parser, e.getOffendingToken(), e.getExpectedTokens(), false);
  }
  void reportInputMismatch(antlr4::Parser* parser, const antlr4::InputMismatchException& e) override {
    report(parser, e.getOffendingToken(), e.getExpectedTokens(), false);
  }
  void reportFailedPredicate(antlr4::Parser* parser, const antlr4::FailedPredicateException& e) override {
    report(parser, e.getOffendingToken(), e.getExpectedTokens(), false);
  }
  void reportUnwantedToken(antlr4::Parser* parser) override {
    if (inErrorRecoveryMode(parser)) return;
    beginErrorCondition(parser);
    report(parser, parser->getCurrentToken(), getExpectedTokens(parser), true);
  }
  void reportMissingToken(antlr4::Parser* parser) override {
    if (inErrorRecoveryMode(parser)) return;
    beginErrorCondition(parser);
    report(parser, parser->getCurrentToken(), getExpectedTokens(parser), false);
  }

 private:
  void report(antlr4::Parser* parser, antlr4::Token* offending, const antlr4::misc::IntervalSet& expected,
              bool unwanted) {
    // One error per top-level declaration: recovery inside a broken
    // declaration mostly produces echoes of the first error.
    // The declaration is the context just below the file's.
    antlr4::RuleContext* decl = nullptr;
    for (antlr4::RuleContext* c = parser->getContext(); c; c = static_cast<antlr4::RuleContext*>(c->parent)) {
      auto* parent = static_cast<antlr4::RuleContext*>(c->parent);
      if (parent && parent->getRuleIndex() == Flow::RuleFile) decl = c;
    }
    size_t decl_start = decl ? static_cast<antlr4::ParserRuleContext*>(decl)->getStart()->getTokenIndex() : SIZE_MAX;
    if (decl && decl_start == last_decl_start_) return;
    if (!decl && last_decl_start_ != SIZE_MAX && latest_decl_start(parser) == last_decl_start_) {
      return;  // recovery leaving the broken declaration, not a new mistake
    }
    last_decl_start_ = decl ? decl_start : SIZE_MAX - 1;

    SyntaxErrorFacts facts;
    size_t index = offending ? offending->getTokenIndex() : INVALID_INDEX;
    facts.offending = index == INVALID_INDEX ? lexed_.tokens.size() - 1 : index;
    for (const antlr4::misc::Interval& interval : expected.getIntervals()) {
      for (ssize_t t = interval.a; t <= interval.b; ++t) {
        if (t == static_cast<ssize_t>(antlr4::Token::EOF) || (t > 0 && t < static_cast<ssize_t>(TokenKind::EndOfFile))) {
          facts.expected.push_back(our_kind(static_cast<size_t>(t)));
        }
      }
    }
    facts.rule_stack = parser->getRuleInvocationStack();
    facts.unwanted = unwanted;
    report_syntax_error(facts, lexed_, file_, diags_);
  }

  // The first token of the last declaration the file rule has parsed so far.
  static size_t latest_decl_start(antlr4::Parser* parser) {
    auto* ctx = parser->getContext();
    if (!ctx || ctx->getRuleIndex() != Flow::RuleFile) return SIZE_MAX;
    for (auto it = ctx->children.rbegin(); it != ctx->children.rend(); ++it) {
      if (auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(*it)) return rule->getStart()->getTokenIndex();
    }
    return SIZE_MAX;
  }

  const LexResult& lexed_;
  const SourceFile& file_;
  Diagnostics& diags_;
  size_t last_decl_start_ = SIZE_MAX;
};

// Where the pieces of a file parsed one at a time begin: at a declaration's
// keyword outside any bracket or string, once a piece has at least
// kPieceTokens tokens (so a piece costs ANTLR a few MB at most, and a normal
// file is one piece). Guessing a boundary wrong costs only time: the piece
// does not parse, and the file is parsed whole.
constexpr size_t kPieceTokens = 20000;

std::vector<size_t> piece_starts(const LexResult& lexed) {
  std::vector<size_t> starts{0};
  int depth = 0;
  for (size_t i = 0; i + 1 < lexed.tokens.size(); ++i) {
    switch (lexed.tokens[i].kind) {
      case TokenKind::LPAREN: case TokenKind::LBRACE: case TokenKind::LBRACK:
      case TokenKind::STR_OPEN: case TokenKind::INTERP_OPEN:
        ++depth;
        break;
      case TokenKind::RPAREN: case TokenKind::RBRACE: case TokenKind::RBRACK:
      case TokenKind::STR_CLOSE: case TokenKind::INTERP_CLOSE:
        --depth;
        break;
      case TokenKind::KW_IMPORT: case TokenKind::KW_TYPE: case TokenKind::KW_OP: case TokenKind::KW_WORKFLOW:
        if (depth == 0 && i - starts.back() >= kPieceTokens) starts.push_back(i);
        break;
      default:
        break;
    }
  }
  return starts;
}

// A valid file, parsed piece by piece with SLL; nullopt as soon as a piece
// does not parse (then the caller parses the whole file and reports why).
// Why pieces: ANTLR's tokens and parse tree take ~60x the text, the AST a
// fraction of that; a whole 10 MB file made `flowc check` and the language
// server peak at ~900 MB, mostly tree.
std::optional<std::unique_ptr<ast::Module>> parse_in_pieces(const LexResult& lexed, const SourceFile& file,
                                                            Diagnostics& diags) {
  std::vector<size_t> starts = piece_starts(lexed);
  starts.push_back(lexed.tokens.size() - 1);
  Diagnostics built;  // the AST builder's own findings, kept only if every piece parses
  ModuleBuilder builder(lexed, file, built);
  for (size_t p = 0; p + 1 < starts.size(); ++p) {
    LexedTokenSource source(lexed, file.path(), starts[p], starts[p + 1]);
    antlr4::CommonTokenStream tokens(&source);
    Flow parser(&tokens);
    parser.removeErrorListeners();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      builder.add(parser.file(), starts[p]);
    } catch (const antlr4::ParseCancellationException&) {
      return std::nullopt;
    }
  }
  diags.append(std::move(built));
  return builder.finish();
}

}  // namespace

std::unique_ptr<ast::Module> parse_file(const SourceFile& file, Diagnostics& diags, ParseStats* stats) {
  LexResult lexed = lex(file, diags);
  if (lexed.fatal) {
    auto empty = std::make_unique<ast::Module>();
    empty->file = file.id();
    return empty;
  }

  if (auto module = parse_in_pieces(lexed, file, diags)) return std::move(*module);

  LexedTokenSource source(lexed, file.path());
  antlr4::CommonTokenStream tokens(&source);
  Flow parser(&tokens);
  parser.removeErrorListeners();
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());

  Flow::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    if (stats) stats->used_ll_fallback = true;
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<ReportingErrorStrategy>(lexed, file, diags));
    tree = parser.file();
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
