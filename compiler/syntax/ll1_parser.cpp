// Recursive descent over grammar/Flow.g4, one function per rule, in the
// grammar's order. Each loop and option tests the same one-token sets as
// ANTLR's generated code (build/generated/Flow.cpp), so both accept the
// same token sequences. Recursion is bounded: every nested rule is entered
// through a bracket, brace or `${`, which the lexer caps at kMaxNesting.
#include "compiler/syntax/ll1_parser.h"

namespace flowc::syntax {
namespace {

using K = TokenKind;

constexpr uint64_t bit(K k) { return uint64_t{1} << static_cast<unsigned>(k); }
static_assert(static_cast<unsigned>(K::EndOfFile) < 64, "token kinds fit a 64-bit set");

constexpr uint64_t kDeclStart = bit(K::KW_IMPORT) | bit(K::KW_TYPE) | bit(K::KW_OP) | bit(K::KW_WORKFLOW);
constexpr uint64_t kStmtStart = bit(K::IDENT) | bit(K::KW_FOR) | bit(K::KW_IF) | bit(K::KW_RETURN);
constexpr uint64_t kPrefix = bit(K::MINUS) | bit(K::BANG);
constexpr uint64_t kPostfix = bit(K::DOT) | bit(K::LBRACK);
constexpr uint64_t kBinary = bit(K::COALESCE) | bit(K::OROR) | bit(K::ANDAND) | bit(K::EQ) | bit(K::NE) | bit(K::LT) |
                             bit(K::LE) | bit(K::GT) | bit(K::GE) | bit(K::PLUS) | bit(K::MINUS) | bit(K::STAR) |
                             bit(K::SLASH) | bit(K::PERCENT);
constexpr uint64_t kExprStart = bit(K::IDENT) | bit(K::INT) | bit(K::FLOAT) | bit(K::SIZE) | bit(K::DURATION) |
                                bit(K::STR_OPEN) | bit(K::KW_TRUE) | bit(K::KW_FALSE) | bit(K::KW_NONE) |
                                bit(K::LPAREN) | bit(K::LBRACE) | bit(K::LBRACK) | kPrefix;
constexpr uint64_t kTypeStart = bit(K::IDENT) | bit(K::LBRACE);

struct Unexpected {};  // thrown once, at the first token the grammar does not allow

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, ParseTree& tree, size_t pos = 0) : tokens_(tokens), tree_(tree), pos_(pos) {}

  void file() {
    open(Rule::File);
    while (at_declaration()) declaration();
    match(K::EndOfFile);
    close();
  }

  bool at_declaration() const { return in(kDeclStart); }
  void declaration() {
    switch (la()) {
      case K::KW_IMPORT: import_decl(); break;
      case K::KW_TYPE: type_decl(); break;
      case K::KW_OP: op_decl(); break;
      default: workflow_decl(); break;
    }
  }
  void end_of_file() { match(K::EndOfFile); }
  size_t position() const { return pos_; }

 private:
  K la() const { return pos_ < tokens_.size() ? tokens_[pos_].kind : K::EndOfFile; }
  bool in(uint64_t set) const { return (bit(la()) & set) != 0; }
  void take() { tree_.token(static_cast<uint32_t>(pos_++)); }
  void match(K kind) {
    if (la() != kind) throw Unexpected{};
    take();
  }
  void match_any(uint64_t set) {
    if (!in(set)) throw Unexpected{};
    take();
  }
  // A rule starts at the next token and stops at the last one it took.
  void open(Rule rule) { tree_.open(rule, static_cast<uint32_t>(pos_)); }
  void close() { tree_.close(pos_ > 0 ? static_cast<uint32_t>(pos_ - 1) : ParseTree::kNoToken); }

  // `item (',' item?)*`, entered when the next token starts an item.
  template <typename F>
  void comma_list(uint64_t first, F item) {
    if (!in(first)) return;
    item();
    while (la() == K::COMMA) {
      take();
      if (in(first)) item();
    }
  }

  void import_decl() {
    open(Rule::ImportDecl);
    match(K::KW_IMPORT);
    string();
    close();
  }

  void type_decl() {
    open(Rule::TypeDecl);
    match(K::KW_TYPE);
    match(K::IDENT);
    match(K::ASSIGN);
    type_expr();
    close();
  }

  // 'op' or 'workflow', IDENT paramList ('->' paramList)?
  void signature(K keyword) {
    match(keyword);
    match(K::IDENT);
    param_list();
    if (la() == K::ARROW) {
      take();
      param_list();
    }
  }

  // ('with' expr)?
  void options() {
    if (la() == K::KW_WITH) {
      take();
      expr();
    }
  }

  void op_decl() {
    open(Rule::OpDecl);
    signature(K::KW_OP);
    match(K::LBRACE);
    while (la() == K::IDENT) {
      open(Rule::Clause);
      take();
      expr();
      close();
    }
    match(K::RBRACE);
    close();
  }

  void workflow_decl() {
    open(Rule::WorkflowDecl);
    signature(K::KW_WORKFLOW);
    block();
    close();
  }

  void param_list() {
    open(Rule::ParamList);
    match(K::LPAREN);
    comma_list(bit(K::IDENT), [this] { param(); });
    match(K::RPAREN);
    close();
  }

  void param() {
    open(Rule::Param);
    match(K::IDENT);
    match(K::COLON);
    type_expr();
    if (la() == K::ASSIGN) {
      take();
      expr();
    }
    close();
  }

  void type_expr() {
    open(Rule::TypeExpr);
    if (la() == K::IDENT) {
      take();
      if (la() == K::LBRACK) {
        take();
        type_expr();
        while (la() == K::COMMA) {
          take();
          if (in(kTypeStart)) type_expr();
        }
        match(K::RBRACK);
      }
      if (la() == K::KW_WITH) companions();
    } else if (la() == K::LBRACE) {
      take();
      comma_list(bit(K::IDENT), [this] { field_type(); });
      match(K::RBRACE);
    } else {
      throw Unexpected{};
    }
    if (la() == K::QUESTION) take();
    close();
  }

  void companions() {
    open(Rule::Companions);
    match(K::KW_WITH);
    match(K::LBRACK);
    comma_list(bit(K::STR_OPEN), [this] { companion(); });
    match(K::RBRACK);
    close();
  }

  void companion() {
    open(Rule::Companion);
    string();
    if (la() == K::QUESTION) take();
    close();
  }

  void field_type() {
    open(Rule::FieldType);
    match(K::IDENT);
    match(K::COLON);
    type_expr();
    close();
  }

  void block() {
    open(Rule::Block);
    match(K::LBRACE);
    while (in(kStmtStart)) {
      switch (la()) {
        case K::IDENT: bind_stmt(); break;
        case K::KW_FOR: for_stmt(); break;
        case K::KW_IF: if_stmt(); break;
        default: return_stmt(); break;
      }
    }
    match(K::RBRACE);
    close();
  }

  void bind_stmt() {
    open(Rule::BindStmt);
    match(K::IDENT);
    match(K::ASSIGN);
    expr();
    options();
    close();
  }

  void for_stmt() {
    open(Rule::ForStmt);
    match(K::KW_FOR);
    match(K::IDENT);
    match(K::KW_IN);
    expr();
    options();
    block();
    close();
  }

  void if_stmt() {
    open(Rule::IfStmt);
    match(K::KW_IF);
    expr();
    block();
    while (la() == K::KW_ELSE) {
      take();
      if (la() == K::KW_IF) {
        take();
        expr();
        block();
      } else if (la() == K::LBRACE) {
        block();
      } else {
        throw Unexpected{};
      }
    }
    close();
  }

  void return_stmt() {
    open(Rule::ReturnStmt);
    match(K::KW_RETURN);
    match(K::LPAREN);
    comma_list(kExprStart, [this] { entry(); });
    match(K::RPAREN);
    close();
  }

  // Prefix operators, a primary, postfix `.name` and `[index]`.
  void operand() {
    while (in(kPrefix)) take();
    primary();
    while (in(kPostfix)) {
      if (la() == K::DOT) {
        take();
        match(K::IDENT);
      } else {
        take();
        expr();
        match(K::RBRACK);
      }
    }
  }

  void expr() {
    open(Rule::Expr);
    operand();
    while (in(kBinary)) {
      take();
      operand();
    }
    close();
  }

  void primary() {
    open(Rule::Primary);
    switch (la()) {
      case K::INT:
      case K::FLOAT:
      case K::SIZE:
      case K::DURATION:
      case K::KW_TRUE:
      case K::KW_FALSE:
      case K::KW_NONE: take(); break;
      case K::STR_OPEN: string(); break;
      case K::IDENT:
        take();
        if (la() == K::LPAREN) {
          take();
          comma_list(kExprStart, [this] { arg(); });
          match(K::RPAREN);
        }
        break;
      case K::LPAREN:
        take();
        expr();
        match(K::RPAREN);
        break;
      case K::LBRACK:
        take();
        comma_list(kExprStart, [this] { expr(); });
        match(K::RBRACK);
        break;
      case K::LBRACE:
        take();
        comma_list(kExprStart, [this] { entry(); });
        match(K::RBRACE);
        break;
      default: throw Unexpected{};
    }
    close();
  }

  void arg() {
    open(Rule::Arg);
    expr();
    if (la() == K::ASSIGN) {
      take();
      expr();
    }
    close();
  }

  void entry() {
    open(Rule::Entry);
    expr();
    match_any(bit(K::COLON) | bit(K::ASSIGN));
    expr();
    close();
  }

  void string() {
    open(Rule::String);
    match(K::STR_OPEN);
    for (;;) {
      if (la() == K::STR_TEXT) {
        take();
      } else if (la() == K::INTERP_OPEN) {
        take();
        expr();
        match(K::INTERP_CLOSE);
      } else {
        break;
      }
    }
    match(K::STR_CLOSE);
    close();
  }

  const std::vector<Token>& tokens_;
  ParseTree& tree_;
  size_t pos_;
};

}  // namespace

Ll1Declarations::Step Ll1Declarations::next(ParseTree& tree) {
  tree.clear();
  Parser parser(lexed_.tokens, tree, pos_);
  try {
    if (!parser.at_declaration()) {
      parser.end_of_file();
      return End;
    }
    parser.declaration();
  } catch (const Unexpected&) {
    return Mismatch;
  }
  pos_ = parser.position();
  return Declaration;
}

bool parse_ll1(const LexResult& lexed, ParseTree& tree) {
  tree.clear();
  tree.reserve(lexed.tokens.size());
  try {
    Parser(lexed.tokens, tree).file();
    return true;
  } catch (const Unexpected&) {
    return false;
  }
}

}  // namespace flowc::syntax
