// Rewording parse failures. ANTLR knows the set of tokens it could have
// accepted; this file turns that set into a short phrase ("an expression",
// "`)` or `,`"), names what was found, and adds a hint for mistakes people
// actually make (a call not bound to a name, `=` for `==`, a missing comma,
// an unclosed bracket).
#include "compiler/syntax/syntax_errors.h"

#include <algorithm>
#include <optional>
#include <set>

namespace flowc::syntax {
namespace {

using K = TokenKind;

bool contains(const std::vector<TokenKind>& v, TokenKind k) { return std::find(v.begin(), v.end(), k) != v.end(); }

bool is_keyword(TokenKind k) { return k >= K::KW_IMPORT && k <= K::KW_NONE; }

const std::set<TokenKind> kExpressionStarts = {K::INT,   K::FLOAT,   K::SIZE,     K::DURATION, K::STR_OPEN,
                                               K::IDENT, K::LPAREN,  K::LBRACK,   K::LBRACE,   K::MINUS,
                                               K::BANG,  K::KW_TRUE, K::KW_FALSE, K::KW_NONE};
const std::set<TokenKind> kContinuations = {K::OROR,  K::ANDAND,  K::EQ,       K::NE,     K::LT,      K::LE,
                                            K::GT,    K::GE,      K::COALESCE, K::PLUS,   K::MINUS,   K::STAR,
                                            K::SLASH, K::PERCENT, K::DOT,      K::LBRACK, K::QUESTION};
const std::set<TokenKind> kDeclStarts = {K::KW_IMPORT, K::KW_TYPE, K::KW_OP, K::KW_WORKFLOW};
const std::set<TokenKind> kStmtStarts = {K::KW_FOR, K::KW_IF, K::KW_RETURN};

std::string_view text_of(const LexResult& lexed, const SourceFile& file, size_t index) {
  const Token& t = lexed.tokens[index];
  return file.text().substr(t.begin, t.end - t.begin);
}

std::string describe_found(const LexResult& lexed, const SourceFile& file, size_t index) {
  const Token& t = lexed.tokens[index];
  switch (t.kind) {
    case K::EndOfFile: return "the end of the file";
    case K::STR_OPEN: return "a string";
    case K::STR_TEXT: return "string text";
    case K::STR_CLOSE: return "the end of a string";
    case K::INTERP_OPEN: return "`${`";
    case K::INTERP_CLOSE: return "`}`";
    case K::IDENT: return fmt::format("`{}`", text_of(lexed, file, index));
    default: break;
  }
  if (is_keyword(t.kind)) return fmt::format("the keyword `{}`", text_of(lexed, file, index));
  std::string_view text = text_of(lexed, file, index);
  if (text.size() > 40) return std::string(token_description(t.kind));
  return fmt::format("`{}`", text);
}

// The expected set as a phrase: "an expression", "`)` or `,`".
std::string describe_expected(std::vector<TokenKind> expected) {
  std::vector<std::string> phrases;
  auto remove = [&](const std::set<TokenKind>& set) {
    std::erase_if(expected, [&](TokenKind k) { return set.count(k) > 0; });
  };
  auto has_all = [&](std::initializer_list<TokenKind> ks) {
    return std::all_of(ks.begin(), ks.end(), [&](TokenKind k) { return contains(expected, k); });
  };

  bool had_continuation =
      std::any_of(expected.begin(), expected.end(), [](TokenKind k) { return kContinuations.count(k) > 0; });
  bool decls = has_all({K::KW_OP, K::KW_WORKFLOW});
  bool stmts = has_all({K::KW_FOR, K::KW_IF}) && contains(expected, K::IDENT);
  bool exprs = has_all({K::INT, K::STR_OPEN, K::LPAREN});

  if (decls) {
    phrases.push_back("a declaration (`op`, `workflow`, `type` or `import`)");
    remove(kDeclStarts);
  }
  if (stmts) {
    phrases.push_back("a statement");
    remove(kStmtStarts);
    std::erase(expected, K::IDENT);
  }
  if (exprs) {
    remove(kContinuations);
    remove(kExpressionStarts);
    phrases.insert(phrases.begin(), "an expression");
  } else {
    // Operators that could continue an expression are rarely what was meant
    // to come next; list them only when nothing else fits.
    std::vector<TokenKind> without = expected;
    std::erase_if(without, [](TokenKind k) { return kContinuations.count(k) > 0; });
    if (!without.empty() || !phrases.empty()) expected = without;
  }
  if (exprs && had_continuation && expected.empty() && phrases.size() == 1) {
    phrases.push_back("an operator");
  }

  // The rest, closers first: they are what a person most often forgot.
  auto rank = [](TokenKind k) {
    switch (k) {
      case K::RPAREN: return 0;
      case K::RBRACK: return 1;
      case K::RBRACE: return 2;
      case K::COMMA: return 3;
      case K::ASSIGN: return 4;
      case K::COLON: return 5;
      case K::ARROW: return 6;
      case K::LBRACE: return 7;
      case K::EndOfFile: return 50;
      default: return 10 + static_cast<int>(k);
    }
  };
  std::sort(expected.begin(), expected.end(), [&](TokenKind a, TokenKind b) { return rank(a) < rank(b); });
  std::set<std::string> seen;
  for (TokenKind k : expected) {
    std::string d(token_description(k));
    if (seen.insert(d).second) phrases.push_back(d);
  }
  if (phrases.empty()) return "something else";
  if (phrases.size() > 5) {
    phrases.resize(5);
    return fmt::format("one of {}, ...", fmt::join(phrases, ", "));
  }
  if (phrases.size() == 1) return phrases[0];
  std::string last = phrases.back();
  phrases.pop_back();
  return fmt::format("{} or {}", fmt::join(phrases, ", "), last);
}

bool in_rule(const std::vector<std::string>& stack, std::string_view rule) {
  return std::find(stack.begin(), stack.end(), rule) != stack.end();
}

// In the head of an if or for (its block not yet opened)?
bool in_condition(const std::vector<std::string>& rules) {
  auto head = [](const std::string& r) { return r == "ifStmt" || r == "forStmt"; };
  return (!rules.empty() && head(rules[0])) || (rules.size() > 1 && rules[0] == "block" && head(rules[1]));
}

// The innermost bracket opened before `index` and not closed by then.
std::optional<size_t> unclosed_opener(const LexResult& lexed, size_t index) {
  std::vector<size_t> open;
  for (size_t i = 0; i < index && i < lexed.tokens.size(); ++i) {
    switch (lexed.tokens[i].kind) {
      case K::LPAREN:
      case K::LBRACK:
      case K::LBRACE:
      case K::INTERP_OPEN:
      case K::STR_OPEN: open.push_back(i); break;
      case K::RPAREN:
      case K::RBRACK:
      case K::RBRACE:
      case K::INTERP_CLOSE:
      case K::STR_CLOSE:
        if (!open.empty()) open.pop_back();
        break;
      default: break;
    }
  }
  if (open.empty()) return std::nullopt;
  return open.back();
}

TokenKind closer_for(TokenKind opener) {
  switch (opener) {
    case K::LPAREN: return K::RPAREN;
    case K::LBRACK: return K::RBRACK;
    case K::LBRACE: return K::RBRACE;
    case K::INTERP_OPEN: return K::INTERP_CLOSE;
    default: return K::STR_CLOSE;
  }
}

// Words other workflow languages use where flowc has its own, with what to
// write instead (only at the top level for the declaration words).
std::optional<std::string> foreign_keyword_help(std::string_view word, bool top_level) {
  if (word == "elif") return "write `else if`";
  if (top_level &&
      (word == "def" || word == "fn" || word == "function" || word == "task" || word == "process" || word == "rule")) {
    return "a task is declared with `op`, a pipeline with `workflow`";
  }
  return std::nullopt;
}

}  // namespace

bool is_syntax_error(DiagId id) {
  switch (id) {
    case DiagId::UnexpectedToken:
    case DiagId::UnclosedBracket:
    case DiagId::ExtraToken:
    case DiagId::KeywordAsName:
    case DiagId::ForeignKeyword:
    case DiagId::TwoCommas:
    case DiagId::ImportPathNotPlain:
    case DiagId::ElseAfterElse:
    case DiagId::ExpectedAssign:
    case DiagId::MissingName:
    case DiagId::MixedRecordMap: return true;
    default: return false;
  }
}

void report_syntax_error(const SyntaxErrorFacts& facts, const LexResult& lexed, const SourceFile& file,
                         Diagnostics& diags) {
  const size_t at = std::min(facts.offending, lexed.tokens.size() - 1);
  const Token& tok = lexed.tokens[at];
  const std::vector<std::string>& rules = facts.rule_stack;
  std::string found = describe_found(lexed, file, at);
  std::string expected = describe_expected(facts.expected);

  // Where to point: at the offending token, or just after the previous token
  // when the offending one is on a later line (the usual place of a missing
  // `)` or `,`) or is the end of the file.
  Span where{file.id(), tok.begin, tok.end};
  if (at > 0) {
    const Token& prev = lexed.tokens[at - 1];
    bool later_line = file.line_col(prev.end).line < file.line_col(tok.begin).line;
    if (tok.kind == K::EndOfFile || (later_line && !facts.unwanted)) {
      where = Span{file.id(), prev.end, prev.end};
    }
  }

  std::string_view found_text = text_of(lexed, file, at);
  std::string_view prev_text = at > 0 ? text_of(lexed, file, at - 1) : std::string_view();

  if (at > 0 && prev_text == "elif" && lexed.tokens[at - 1].kind == K::IDENT) {
    // `} elif c {` parses as a binding named `elif`: say what it really is.
    const Token& elif = lexed.tokens[at - 1];
    diags.report(DiagId::ForeignKeyword, Span{file.id(), elif.begin, elif.end}, "elif").with_help("write `else if`");
    return;
  }
  if (tok.kind == K::IDENT) {
    if (auto help = foreign_keyword_help(found_text, rules.size() <= 2)) {
      diags.report(DiagId::ForeignKeyword, Span{file.id(), tok.begin, tok.end}, found_text).with_help(*help);
      return;
    }
  }
  if (is_keyword(tok.kind) && contains(facts.expected, K::IDENT) && !contains(facts.expected, tok.kind)) {
    diags.report(DiagId::KeywordAsName, Span{file.id(), tok.begin, tok.end}, found_text)
        .with_help(fmt::format("choose another name, such as `{}_`", found_text));
    return;
  }

  // Hints for the mistakes people make.
  std::string help;
  if (tok.kind == K::LPAREN && contains(facts.expected, K::ASSIGN) && in_rule(rules, "bindStmt")) {
    help = fmt::format("a call is a step with a name: `result = {}(...)`", prev_text);
  } else if (tok.kind == K::ASSIGN && contains(facts.expected, K::LBRACE) && in_condition(rules)) {
    help = "to compare two values, use `==`";
  } else if (contains(facts.expected, K::KW_OP) && tok.kind == K::IDENT && rules.size() <= 2) {
    help = "statements belong inside a `workflow { ... }`";
  } else if (contains(facts.expected, K::COLON) && in_rule(rules, "param")) {
    help = "every input and output has a type: `name: str`";
  } else if (in_rule(rules, "returnStmt") && contains(facts.expected, K::LPAREN)) {
    help = "`return` names the outputs it gives: `return (name = value)`";
  } else if (contains(facts.expected, K::COMMA) && !facts.unwanted &&
             (tok.kind == K::IDENT || tok.kind == K::STR_OPEN || tok.kind == K::INT) && at > 0 &&
             file.line_col(lexed.tokens[at - 1].end).line == file.line_col(tok.begin).line) {
    help = "separate the items with `,`";
  } else if (in_rule(rules, "clause") && at > 0 && lexed.tokens[at - 1].kind == K::IDENT && tok.kind == K::ASSIGN) {
    help = fmt::format("an op clause has no `=`: write `{} value`", prev_text);
  }

  // An unclosed bracket explains most errors at the end of a file or at a
  // closer of the wrong kind: then that is the mistake reported.
  bool wrong_closer = tok.kind == K::RPAREN || tok.kind == K::RBRACK || tok.kind == K::RBRACE;
  bool moved_to_previous_line = where.begin != tok.begin;
  if (tok.kind == K::EndOfFile || wrong_closer ||
      (moved_to_previous_line && (contains(facts.expected, K::RPAREN) || contains(facts.expected, K::RBRACK) ||
                                  contains(facts.expected, K::RBRACE)))) {
    if (auto opener = unclosed_opener(lexed, at)) {
      const Token& o = lexed.tokens[*opener];
      if (!wrong_closer || closer_for(o.kind) != tok.kind) {
        std::string what =
            o.kind == K::STR_OPEN ? std::string("a string") : fmt::format("`{}`", text_of(lexed, file, *opener));
        std::string closer(token_description(closer_for(o.kind)));
        diags.report(DiagId::UnclosedBracket, where, what, facts.expected.empty() ? closer : expected, found)
            .with_help(help.empty() ? fmt::format("close it with {}", closer) : help)
            .with_note(Span{file.id(), o.begin, o.end}, "opened here");
        return;
      }
    }
  }

  if (facts.unwanted) {
    if (help.empty()) help = facts.expected.empty() ? "remove it" : fmt::format("expected {} here", expected);
    diags.report(DiagId::ExtraToken, where, found).with_help(help);
    return;
  }
  Diagnostic& d = diags.report(DiagId::UnexpectedToken, where, expected, found);
  if (!help.empty()) d.with_help(help);
}

}  // namespace flowc::syntax
