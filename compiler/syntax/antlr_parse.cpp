// ANTLR's parse, for files the LL(1) parser gives up on (see antlr_parse.h).
#include "compiler/syntax/antlr_parse.h"

#include <antlr4-runtime.h>

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
class LexedTokenSource : public antlr4::TokenSource {
 public:
  LexedTokenSource(const LexResult& lexed, std::string name) : lexed_(lexed), name_(std::move(name)) {}

  std::unique_ptr<antlr4::Token> nextToken() override {
    const Token& t = lexed_.tokens[std::min(next_, lexed_.tokens.size() - 1)];
    if (next_ < lexed_.tokens.size()) ++next_;
    auto token = std::make_unique<antlr4::CommonToken>(std::make_pair(this, nullptr), antlr_type(t.kind),
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
  size_t next_ = 0;
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
        if (t == static_cast<ssize_t>(antlr4::Token::EOF) ||
            (t > 0 && t < static_cast<ssize_t>(TokenKind::EndOfFile))) {
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

// The rule numbers of parse_tree.h are ANTLR's.
static_assert(static_cast<size_t>(Rule::File) == Flow::RuleFile &&
              static_cast<size_t>(Rule::Param) == Flow::RuleParam &&
              static_cast<size_t>(Rule::Companions) == Flow::RuleCompanions &&
              static_cast<size_t>(Rule::FieldType) == Flow::RuleFieldType &&
              static_cast<size_t>(Rule::Expr) == Flow::RuleExpr &&
              static_cast<size_t>(Rule::String) == Flow::RuleString);

uint32_t token_index(const antlr4::Token* t, size_t count) {
  if (!t) return ParseTree::kNoToken;
  size_t i = t->getTokenIndex();
  return i < count ? static_cast<uint32_t>(i) : ParseTree::kNoToken;
}

// Copies ANTLR's tree, whatever recovery left in it: a token it made up
// becomes kNoToken (the builder sees no token there).
void copy_tree(antlr4::ParserRuleContext* ctx, size_t token_count, ParseTree& out) {
  // A rule's start is the token it began at (clamped to the last, EOF), as the builder's spans expect.
  uint32_t start = ctx->getStart() ? static_cast<uint32_t>(std::min(ctx->getStart()->getTokenIndex(), token_count - 1))
                                   : ParseTree::kNoToken;
  out.open(static_cast<Rule>(ctx->getRuleIndex()), start);
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
      out.token(token_index(terminal->getSymbol(), token_count));
    } else {
      copy_tree(static_cast<antlr4::ParserRuleContext*>(child), token_count, out);
    }
  }
  out.close(token_index(ctx->getStop(), token_count));
}

}  // namespace

bool parse_with_antlr(const LexResult& lexed, const SourceFile& file, Diagnostics& diags, AntlrMode mode,
                      ParseTree& tree) {
  tree.clear();
  LexedTokenSource source(lexed, file.path());
  antlr4::CommonTokenStream tokens(&source);
  Flow parser(&tokens);
  parser.removeErrorListeners();
  Flow::FileContext* root = nullptr;
  if (mode == AntlrMode::StopAtError) {
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      root = parser.file();
    } catch (const antlr4::ParseCancellationException&) {
      return false;
    }
  } else {
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<ReportingErrorStrategy>(lexed, file, diags));
    root = parser.file();
  }
  if (root) copy_tree(root, lexed.tokens.size(), tree);
  return true;
}

}  // namespace flowc::syntax
