// Builds the AST from ANTLR's parse tree.
//
// Each node's children are walked once, in order (the generated accessors
// rescan all children with dynamic_cast on every call, which cost more than
// parsing). Terminals are told from rules by double dispatch, not RTTI.
//
// The parse tree may be incomplete after error recovery: a missing piece is
// left out, never dereferenced (the driver does not type-check a file that
// had syntax errors).
#include "compiler/syntax/ast_builder.h"

#include <algorithm>

namespace flowc::syntax {
namespace {

using antlr4::ParserRuleContext;
using antlr4::tree::ParseTree;
using antlr4::tree::TerminalNode;

// Binding power of binary operators; higher binds tighter.
int precedence(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Or: return 1;
    case ast::BinaryOp::And: return 2;
    case ast::BinaryOp::Eq:
    case ast::BinaryOp::Ne: return 3;
    case ast::BinaryOp::Lt:
    case ast::BinaryOp::Le:
    case ast::BinaryOp::Gt:
    case ast::BinaryOp::Ge: return 4;
    case ast::BinaryOp::Coalesce: return 5;
    case ast::BinaryOp::Add:
    case ast::BinaryOp::Sub: return 6;
    case ast::BinaryOp::Mul:
    case ast::BinaryOp::Div:
    case ast::BinaryOp::Mod: return 7;
  }
  return 0;
}

bool right_associative(ast::BinaryOp op) { return op == ast::BinaryOp::Coalesce; }
bool is_comparison(ast::BinaryOp op) { return precedence(op) == 3 || precedence(op) == 4; }

std::optional<ast::BinaryOp> binary_op(TokenKind kind) {
  switch (kind) {
    case TokenKind::OROR: return ast::BinaryOp::Or;
    case TokenKind::ANDAND: return ast::BinaryOp::And;
    case TokenKind::EQ: return ast::BinaryOp::Eq;
    case TokenKind::NE: return ast::BinaryOp::Ne;
    case TokenKind::LT: return ast::BinaryOp::Lt;
    case TokenKind::LE: return ast::BinaryOp::Le;
    case TokenKind::GT: return ast::BinaryOp::Gt;
    case TokenKind::GE: return ast::BinaryOp::Ge;
    case TokenKind::COALESCE: return ast::BinaryOp::Coalesce;
    case TokenKind::PLUS: return ast::BinaryOp::Add;
    case TokenKind::MINUS: return ast::BinaryOp::Sub;
    case TokenKind::STAR: return ast::BinaryOp::Mul;
    case TokenKind::SLASH: return ast::BinaryOp::Div;
    case TokenKind::PERCENT: return ast::BinaryOp::Mod;
    default: return std::nullopt;
  }
}

// Tells a terminal from a rule context with two virtual calls.
class TerminalProbe : public antlr4::tree::ParseTreeVisitor {
 public:
  TerminalNode* terminal = nullptr;
  antlrcpp::Any visit(ParseTree* tree) override { return tree->accept(this); }
  antlrcpp::Any visitChildren(ParseTree*) override {
    terminal = nullptr;
    return {};
  }
  antlrcpp::Any visitTerminal(TerminalNode* node) override {
    terminal = node;
    return {};
  }
  antlrcpp::Any visitErrorNode(antlr4::tree::ErrorNode* node) override {
    terminal = node;
    return {};
  }
};

class Builder;

// The children of one parse tree node, read in order.
class Cursor {
 public:
  Cursor(const Builder& builder, ParserRuleContext* ctx) : builder_(builder), ctx_(ctx) { load(); }

  bool done() const { return i_ >= (ctx_ ? ctx_->children.size() : 0); }
  // The current child's token kind, or Invalid for a rule (or an inserted token).
  TokenKind kind() const { return token_ ? token_->kind : TokenKind::Invalid; }
  bool at(TokenKind k) const { return !done() && kind() == k; }
  const Token* token() const { return token_; }
  // The current child if it is a rule of type `index`, else null.
  ParserRuleContext* rule(size_t index) const {
    return rule_ && rule_->getRuleIndex() == index ? rule_ : nullptr;
  }
  ParserRuleContext* any_rule() const { return rule_; }
  void next() {
    ++i_;
    load();
  }
  // Takes the current child if it is the token `k`.
  const Token* take(TokenKind k) {
    if (!at(k)) return nullptr;
    const Token* t = token_;
    next();
    return t;
  }
  // Takes the current child if it is a rule of type `index`.
  ParserRuleContext* take_rule(size_t index) {
    ParserRuleContext* r = done() ? nullptr : rule(index);
    if (r) next();
    return r;
  }

 private:
  void load();

  const Builder& builder_;
  ParserRuleContext* ctx_;
  size_t i_ = 0;
  const Token* token_ = nullptr;
  ParserRuleContext* rule_ = nullptr;
};

class Builder {
 public:
  Builder(const LexResult& lexed, const SourceFile& file, Diagnostics& diags)
      : lexed_(lexed), file_(file), diags_(diags) {}

  // Adds the declarations of `ctx`, a file parsed whole or one piece of it
  // whose token indexes start at `token_offset` of the lexer's tokens.
  void add(ParserRuleContext* ctx, size_t token_offset, ast::Module* m) {
    token_offset_ = token_offset;
    for (Cursor c(*this, ctx); !c.done(); c.next()) {
      ParserRuleContext* decl = c.any_rule();
      if (!decl) continue;
      switch (decl->getRuleIndex()) {
        case Flow::RuleImportDecl:
          if (auto imp = import_decl(decl)) m->imports.push_back(std::move(*imp));
          break;
        case Flow::RuleTypeDecl:
          if (auto t = type_decl(decl)) m->types.push_back(std::move(*t));
          break;
        case Flow::RuleOpDecl:
          if (auto op = op_decl(decl)) m->ops.push_back(std::move(*op));
          break;
        case Flow::RuleWorkflowDecl:
          if (auto wf = workflow_decl(decl)) m->workflows.push_back(std::move(*wf));
          break;
        default:
          break;
      }
    }
  }

  void finish(ast::Module* m) const { m->doc = module_doc(*m); }

  const Token* token_of(TerminalNode* node) const {
    size_t index = node->getSymbol()->getTokenIndex() + token_offset_;
    if (index >= lexed_.tokens.size()) return nullptr;  // inserted by error recovery
    return &lexed_.tokens[index];
  }

 private:
  // ---- positions and tokens ----

  Span span(const Token& t) const { return Span{file_.id(), t.begin, t.end}; }
  Span span(ParserRuleContext* ctx) const {
    if (!ctx || !ctx->getStart()) return Span{file_.id(), 0, 0};
    size_t b = ctx->getStart()->getTokenIndex() + token_offset_;
    size_t e = ctx->getStop() ? ctx->getStop()->getTokenIndex() + token_offset_ : b;
    if (b >= lexed_.tokens.size()) b = lexed_.tokens.size() - 1;
    if (e >= lexed_.tokens.size() || e < b) e = b;
    return Span{file_.id(), lexed_.tokens[b].begin, lexed_.tokens[e].end};
  }
  std::string_view text(const Token& t) const { return file_.text().substr(t.begin, t.end - t.begin); }
  std::string_view text_of(Span s) const { return file_.slice(s); }
  ast::Ident ident(const Token& t) const { return ast::Ident{std::string(text(t)), span(t)}; }

  void syntax_error(Span where, const std::string& message, const std::string& help = {}) {
    Diagnostic& d = diags_.report(DiagId::SyntaxError, where, message);
    if (!help.empty()) d.with_help(help);
  }

  // Reads `item (',' item?)*` up to the closer, calling `item` on each
  // element and reporting two commas in a row.
  template <typename F>
  void comma_list(Cursor& c, TokenKind closer, F&& item) {
    bool after_comma = false;
    while (!c.done() && !c.at(closer)) {
      if (const Token* comma = c.take(TokenKind::COMMA)) {
        if (after_comma) syntax_error(span(*comma), "two commas in a row", "remove one of them");
        after_comma = true;
        continue;
      }
      after_comma = false;
      item(c);
    }
  }

  // The `///` block that ends right before a declaration (only whitespace between).
  std::string doc_for(ParserRuleContext* decl) {
    uint32_t start = span(decl).begin;
    while (doc_cursor_ < lexed_.docs.size() && lexed_.docs[doc_cursor_].end <= start) {
      const DocComment& doc = lexed_.docs[doc_cursor_];
      std::string_view gap = file_.text().substr(doc.end, start - doc.end);
      ++doc_cursor_;
      bool only_space = std::all_of(gap.begin(), gap.end(), [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; });
      size_t newlines = std::count(gap.begin(), gap.end(), '\n');
      if (only_space && newlines <= 1 && (doc_cursor_ == lexed_.docs.size() || lexed_.docs[doc_cursor_].end > start)) {
        return doc.text;
      }
    }
    return {};
  }

  // The first `///` block, if it comes before every declaration and a blank
  // line sets it apart from the first (doc_for gave it to no declaration).
  std::string module_doc(const ast::Module& m) const {
    if (lexed_.docs.empty()) return {};
    const DocComment& first = lexed_.docs.front();
    uint32_t first_decl = static_cast<uint32_t>(file_.text().size());
    for (const auto& d : m.imports) first_decl = std::min(first_decl, d.span.begin);
    for (const auto& d : m.types) first_decl = std::min(first_decl, d.span.begin);
    for (const auto& d : m.ops) first_decl = std::min(first_decl, d.span.begin);
    for (const auto& d : m.workflows) first_decl = std::min(first_decl, d.span.begin);
    if (first.end > first_decl) return {};
    std::string_view gap = file_.text().substr(first.end, first_decl - first.end);
    bool only_space = std::all_of(gap.begin(), gap.end(), [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; });
    if (only_space && std::count(gap.begin(), gap.end(), '\n') <= 1 && first_decl < file_.text().size()) return {};
    return first.text;
  }

  // ---- declarations ----

  std::optional<ast::ImportDecl> import_decl(ParserRuleContext* ctx) {
    Cursor c(*this, ctx);
    c.take(TokenKind::KW_IMPORT);
    ParserRuleContext* path_ctx = c.take_rule(Flow::RuleString);
    if (!path_ctx) return std::nullopt;
    ast::ExprPtr path = string(path_ctx);
    ast::ImportDecl decl{span(ctx), {}, path->span};
    if (auto* s = path->as<ast::StringLit>(); s && s->is_plain()) {
      decl.path = s->plain_text();
    } else {
      syntax_error(path->span, "an import path must be a plain string", "write the path literally, without `${...}`");
    }
    return decl;
  }

  std::optional<ast::TypeDecl> type_decl(ParserRuleContext* ctx) {
    Cursor c(*this, ctx);
    c.take(TokenKind::KW_TYPE);
    const Token* name = c.take(TokenKind::IDENT);
    c.take(TokenKind::ASSIGN);
    ParserRuleContext* type = c.take_rule(Flow::RuleTypeExpr);
    if (!name || !type) return std::nullopt;
    return ast::TypeDecl{span(ctx), ident(*name), type_expr(type), doc_for(ctx)};
  }

  std::vector<ast::Param> params(ParserRuleContext* ctx) {
    std::vector<ast::Param> out;
    Cursor c(*this, ctx);
    c.take(TokenKind::LPAREN);
    comma_list(c, TokenKind::RPAREN, [&](Cursor& item) {
      if (ParserRuleContext* p = item.take_rule(Flow::RuleParam)) {
        if (auto param = this->param(p)) out.push_back(std::move(*param));
      } else {
        item.next();
      }
    });
    return out;
  }

  std::optional<ast::Param> param(ParserRuleContext* ctx) {
    Cursor c(*this, ctx);
    const Token* name = c.take(TokenKind::IDENT);
    c.take(TokenKind::COLON);
    ParserRuleContext* type = c.take_rule(Flow::RuleTypeExpr);
    if (!name || !type) return std::nullopt;
    ast::Param p;
    p.span = span(ctx);
    p.name = ident(*name);
    p.type = type_expr(type);
    if (c.take(TokenKind::ASSIGN)) {
      if (ParserRuleContext* value = c.take_rule(Flow::RuleExpr)) p.default_value = expr(value);
    }
    return p;
  }

  // op NAME(inputs) -> (outputs) { clauses }, and workflows alike.
  template <typename Decl>
  bool signature(Cursor& c, ParserRuleContext* ctx, TokenKind keyword, Decl& decl) {
    c.take(keyword);
    const Token* name = c.take(TokenKind::IDENT);
    if (!name) return false;
    decl.span = span(ctx);
    decl.doc = doc_for(ctx);
    decl.name = ident(*name);
    if (ParserRuleContext* inputs = c.take_rule(Flow::RuleParamList)) decl.inputs = params(inputs);
    if (c.take(TokenKind::ARROW)) {
      if (ParserRuleContext* outputs = c.take_rule(Flow::RuleParamList)) decl.outputs = params(outputs);
    }
    return true;
  }

  std::optional<ast::OpDecl> op_decl(ParserRuleContext* ctx) {
    Cursor c(*this, ctx);
    ast::OpDecl op;
    if (!signature(c, ctx, TokenKind::KW_OP, op)) return std::nullopt;
    c.take(TokenKind::LBRACE);
    for (; !c.done(); c.next()) {
      ParserRuleContext* clause = c.rule(Flow::RuleClause);
      if (!clause) continue;
      Cursor cc(*this, clause);
      const Token* name = cc.take(TokenKind::IDENT);
      ParserRuleContext* value = cc.take_rule(Flow::RuleExpr);
      if (name && value) op.clauses.push_back(ast::Clause{span(clause), ident(*name), expr(value)});
    }
    return op;
  }

  std::optional<ast::WorkflowDecl> workflow_decl(ParserRuleContext* ctx) {
    Cursor c(*this, ctx);
    ast::WorkflowDecl wf;
    if (!signature(c, ctx, TokenKind::KW_WORKFLOW, wf)) return std::nullopt;
    if (ParserRuleContext* body = c.take_rule(Flow::RuleBlock)) wf.body = block(body);
    return wf;
  }

  // ---- types ----

  ast::TypeExpr type_expr(ParserRuleContext* ctx) {
    ast::TypeExpr t;
    t.span = span(ctx);
    Cursor c(*this, ctx);
    if (const Token* name = c.take(TokenKind::IDENT)) {
      t.name = ident(*name);
      if (c.take(TokenKind::LBRACK)) {
        comma_list(c, TokenKind::RBRACK, [&](Cursor& item) {
          if (ParserRuleContext* arg = item.take_rule(Flow::RuleTypeExpr)) t.args.push_back(type_expr(arg));
          else item.next();
        });
        c.take(TokenKind::RBRACK);
      }
    } else if (c.take(TokenKind::LBRACE)) {
      t.is_record = true;
      comma_list(c, TokenKind::RBRACE, [&](Cursor& item) {
        ParserRuleContext* field = item.take_rule(Flow::RuleFieldType);
        if (!field) {
          item.next();
          return;
        }
        Cursor fc(*this, field);
        const Token* field_name = fc.take(TokenKind::IDENT);
        fc.take(TokenKind::COLON);
        ParserRuleContext* type = fc.take_rule(Flow::RuleTypeExpr);
        if (field_name && type) t.fields.push_back(ast::FieldType{ident(*field_name), type_expr(type)});
      });
      c.take(TokenKind::RBRACE);
    }
    if (const Token* q = c.take(TokenKind::QUESTION)) {
      t.optional = true;
      t.optional_span = span(*q);
    }
    return t;
  }

  // ---- statements ----

  ast::Block block(ParserRuleContext* ctx) {
    ast::Block b;
    b.span = span(ctx);
    for (Cursor c(*this, ctx); !c.done(); c.next()) {
      ParserRuleContext* s = c.any_rule();
      if (!s) continue;
      if (auto stmt = statement(s)) b.stmts.push_back(std::move(*stmt));
    }
    return b;
  }

  std::optional<ast::Stmt> statement(ParserRuleContext* ctx) {
    ast::Stmt stmt;
    stmt.span = span(ctx);
    Cursor c(*this, ctx);
    switch (ctx->getRuleIndex()) {
      case Flow::RuleBindStmt: {
        const Token* name = c.take(TokenKind::IDENT);
        c.take(TokenKind::ASSIGN);
        ParserRuleContext* value = c.take_rule(Flow::RuleExpr);
        if (!name || !value) return std::nullopt;
        ast::BindStmt bind{ident(*name), expr(value), nullptr};
        if (c.take(TokenKind::KW_WITH)) {
          if (ParserRuleContext* options = c.take_rule(Flow::RuleExpr)) bind.options = expr(options);
        }
        stmt.node = std::move(bind);
        return stmt;
      }
      case Flow::RuleForStmt: {
        c.take(TokenKind::KW_FOR);
        const Token* var = c.take(TokenKind::IDENT);
        c.take(TokenKind::KW_IN);
        ParserRuleContext* collection = c.take_rule(Flow::RuleExpr);
        if (!var || !collection) return std::nullopt;
        ast::ForStmt loop{ident(*var), expr(collection), nullptr, {}};
        if (c.take(TokenKind::KW_WITH)) {
          if (ParserRuleContext* options = c.take_rule(Flow::RuleExpr)) loop.options = expr(options);
        }
        if (ParserRuleContext* body = c.take_rule(Flow::RuleBlock)) loop.body = block(body);
        stmt.node = std::move(loop);
        return stmt;
      }
      case Flow::RuleIfStmt:
        return if_stmt(c, std::move(stmt));
      case Flow::RuleReturnStmt: {
        ast::ReturnStmt ret;
        c.take(TokenKind::KW_RETURN);
        c.take(TokenKind::LPAREN);
        comma_list(c, TokenKind::RPAREN, [&](Cursor& item) {
          ParserRuleContext* e = item.take_rule(Flow::RuleEntry);
          if (!e) {
            item.next();
            return;
          }
          if (auto field = named_entry(e, "`return` names each output: `return (name = value)`")) {
            ret.values.push_back(std::move(*field));
          }
        });
        stmt.node = std::move(ret);
        return stmt;
      }
      default:
        return std::nullopt;
    }
  }

  std::optional<ast::Stmt> if_stmt(Cursor& c, ast::Stmt stmt) {
    ast::IfStmt branch;
    c.take(TokenKind::KW_IF);
    ParserRuleContext* condition = c.take_rule(Flow::RuleExpr);
    ParserRuleContext* body = c.take_rule(Flow::RuleBlock);
    if (!condition || !body) return std::nullopt;
    branch.arms.push_back(ast::IfArm{expr(condition), block(body)});
    while (const Token* else_token = c.take(TokenKind::KW_ELSE)) {
      if (branch.else_block) {
        syntax_error(span(*else_token), "`else` after the final `else`",
                     "a plain `else` comes last; use `else if` for the branches before it");
      }
      if (c.take(TokenKind::KW_IF)) {
        ParserRuleContext* cond = c.take_rule(Flow::RuleExpr);
        ParserRuleContext* arm = c.take_rule(Flow::RuleBlock);
        if (cond && arm && !branch.else_block) branch.arms.push_back(ast::IfArm{expr(cond), block(arm)});
      } else if (ParserRuleContext* arm = c.take_rule(Flow::RuleBlock)) {
        if (!branch.else_block) branch.else_block = block(arm);
      }
    }
    stmt.node = std::move(branch);
    return stmt;
  }

  // `name = value` from an entry rule; reports `:` or a non-name before `=`.
  std::optional<ast::FieldInit> named_entry(ParserRuleContext* ctx, const char* help) {
    Cursor c(*this, ctx);
    ParserRuleContext* lhs = c.take_rule(Flow::RuleExpr);
    const Token* sep = c.token();
    c.next();
    ParserRuleContext* rhs = c.take_rule(Flow::RuleExpr);
    if (!lhs || !sep || !rhs) return std::nullopt;
    ast::ExprPtr name = expr(lhs);
    auto* ref = name->as<ast::NameRef>();
    if (sep->kind != TokenKind::ASSIGN || !ref) {
      syntax_error(sep->kind != TokenKind::ASSIGN ? span(*sep) : name->span,
                   sep->kind != TokenKind::ASSIGN ? "expected `=` after the name" : "expected a name before `=`", help);
      return std::nullopt;
    }
    return ast::FieldInit{ast::Ident{ref->name, name->span}, expr(rhs)};
  }

  // ---- expressions ----

  ast::ExprPtr make(Span where, auto node, std::initializer_list<const ast::Expr*> children = {}) {
    auto e = std::make_unique<ast::Expr>();
    e->span = where;
    e->node = std::move(node);
    uint32_t h = 0;
    for (const ast::Expr* child : children) {
      if (child) h = std::max(h, child->height);
    }
    e->height = h + 1;
    return cap(std::move(e));
  }

  // Replaces a tree that grew too deep with a leaf, after one error per
  // outermost expression: nothing deeper than the cap ever exists.
  ast::ExprPtr cap(ast::ExprPtr e) {
    if (e->height <= static_cast<uint32_t>(kMaxExpressionDepth)) return e;
    if (!reported_depth_) {
      diags_.report(DiagId::ExpressionTooLong, e->span, kMaxExpressionDepth)
          .with_help("split it into several named steps");
      reported_depth_ = true;
    }
    auto leaf = std::make_unique<ast::Expr>();
    leaf->span = e->span;
    leaf->node = ast::IntLit{0};
    return leaf;
  }

  ast::ExprPtr placeholder(Span where) { return make(where, ast::IntLit{0}); }

  ast::ExprPtr expr(ParserRuleContext* ctx) {
    bool outermost = expr_depth_++ == 0;
    if (outermost) reported_depth_ = false;
    ast::ExprPtr result = binary_chain(ctx);
    --expr_depth_;
    return result;
  }

  // One operand: prefix operators, a primary, postfix .field and [index].
  ast::ExprPtr operand(Cursor& c) {
    std::vector<const Token*> prefix;
    while (c.at(TokenKind::MINUS) || c.at(TokenKind::BANG)) {
      prefix.push_back(c.token());
      c.next();
    }
    ParserRuleContext* p = c.take_rule(Flow::RulePrimary);
    if (!p) return nullptr;
    ast::ExprPtr value = primary(p);
    while (!c.done()) {
      if (c.take(TokenKind::DOT)) {
        const Token* field = c.take(TokenKind::IDENT);
        if (!field) break;
        Span whole = Span::join(value->span, span(*field));
        const ast::Expr* inner = value.get();
        value = make(whole, ast::MemberExpr{std::move(value), ident(*field)}, {inner});
      } else if (c.take(TokenKind::LBRACK)) {
        ParserRuleContext* index = c.take_rule(Flow::RuleExpr);
        const Token* close = c.take(TokenKind::RBRACK);
        if (!index) break;
        ast::ExprPtr at = expr(index);
        Span whole = Span::join(value->span, close ? span(*close) : at->span);
        const ast::Expr* inner = value.get();
        const ast::Expr* at_ptr = at.get();
        value = make(whole, ast::IndexExpr{std::move(value), std::move(at)}, {inner, at_ptr});
      } else {
        break;
      }
    }
    // Prefix operators apply innermost-last: `- ! x` is `-(!x)`.
    for (auto it = prefix.rbegin(); it != prefix.rend(); ++it) {
      const Token* t = *it;
      ast::UnaryOp op = t->kind == TokenKind::MINUS ? ast::UnaryOp::Negate : ast::UnaryOp::Not;
      if (op == ast::UnaryOp::Negate) {
        // -5 is a literal, so constant clauses read naturally (retry -1 is reported as negative).
        if (auto* i = value->as<ast::IntLit>()) {
          i->value = -i->value;
          value->span = Span::join(span(*t), value->span);
          continue;
        }
        if (auto* f = value->as<ast::FloatLit>()) {
          f->value = -f->value;
          value->span = Span::join(span(*t), value->span);
          continue;
        }
      }
      Span whole = Span::join(span(*t), value->span);
      const ast::Expr* inner = value.get();
      value = make(whole, ast::UnaryExpr{op, span(*t), std::move(value)}, {inner});
    }
    return value;
  }

  // Precedence climbing over the flat list `operand (op operand)*`.
  ast::ExprPtr binary_chain(ParserRuleContext* ctx) {
    Cursor c(*this, ctx);
    std::vector<ast::ExprPtr> values;
    std::vector<std::pair<ast::BinaryOp, Span>> stack;
    auto reduce = [&] {
      auto [op, op_span] = stack.back();
      stack.pop_back();
      ast::ExprPtr rhs = std::move(values.back());
      values.pop_back();
      ast::ExprPtr lhs = std::move(values.back());
      values.pop_back();
      if (is_comparison(op)) {
        if (auto* inner = lhs->as<ast::BinaryExpr>();
            inner && is_comparison(inner->op) && precedence(inner->op) == precedence(op)) {
          std::string middle(text_of(inner->rhs->span));
          diags_.report(DiagId::ChainedComparison, op_span)
              .with_help(fmt::format("compare twice and combine with `&&`: `{} {} {} && {} {} {}`",
                                     text_of(inner->lhs->span), ast::spelling(inner->op), middle, middle,
                                     ast::spelling(op), text_of(rhs->span)));
        }
      }
      Span whole = Span::join(lhs->span, rhs->span);
      const ast::Expr* l = lhs.get();
      const ast::Expr* r = rhs.get();
      values.push_back(make(whole, ast::BinaryExpr{op, op_span, std::move(lhs), std::move(rhs)}, {l, r}));
    };

    ast::ExprPtr first = operand(c);
    if (!first) return placeholder(span(ctx));
    values.push_back(std::move(first));
    while (!c.done()) {
      const Token* op_token = c.token();
      std::optional<ast::BinaryOp> op = op_token ? binary_op(op_token->kind) : std::nullopt;
      if (!op) break;
      c.next();
      ast::ExprPtr rhs = operand(c);
      if (!rhs) break;
      while (!stack.empty() && (precedence(stack.back().first) > precedence(*op) ||
                                (precedence(stack.back().first) == precedence(*op) && !right_associative(*op)))) {
        reduce();
      }
      stack.emplace_back(*op, span(*op_token));
      values.push_back(std::move(rhs));
    }
    while (!stack.empty()) reduce();
    return std::move(values.back());
  }

  const NumberValue& number(const Token& t) {
    static const NumberValue zero;
    return t.payload < lexed_.numbers.size() ? lexed_.numbers[t.payload] : zero;
  }

  ast::ExprPtr primary(ParserRuleContext* ctx) {
    Span where = span(ctx);
    Cursor c(*this, ctx);
    if (ParserRuleContext* s = c.rule(Flow::RuleString)) return string(s);
    const Token* t = c.token();
    if (!t) return placeholder(where);
    switch (t->kind) {
      case TokenKind::INT: return make(where, ast::IntLit{number(*t).integer});
      case TokenKind::FLOAT: return make(where, ast::FloatLit{number(*t).real});
      case TokenKind::SIZE: return make(where, ast::SizeLit{number(*t).integer});
      case TokenKind::DURATION: return make(where, ast::DurationLit{number(*t).real});
      case TokenKind::KW_TRUE: return make(where, ast::BoolLit{true});
      case TokenKind::KW_FALSE: return make(where, ast::BoolLit{false});
      case TokenKind::KW_NONE: return make(where, ast::NoneLit{});
      case TokenKind::IDENT: {
        c.next();
        if (c.at(TokenKind::LPAREN)) return call(*t, c, where);
        return make(where, ast::NameRef{std::string(text(*t)), {}});
      }
      case TokenKind::LPAREN: {
        c.next();
        ParserRuleContext* inner_ctx = c.take_rule(Flow::RuleExpr);
        if (!inner_ctx) return placeholder(where);
        ast::ExprPtr inner = expr(inner_ctx);
        inner->span = where;  // the parentheses belong to the expression's extent
        return inner;
      }
      case TokenKind::LBRACK: {
        c.next();
        ast::ListExpr list;
        uint32_t h = 0;
        comma_list(c, TokenKind::RBRACK, [&](Cursor& item) {
          ParserRuleContext* e = item.take_rule(Flow::RuleExpr);
          if (!e) {
            item.next();
            return;
          }
          list.items.push_back(expr(e));
          h = std::max(h, list.items.back()->height);
        });
        auto e = make(where, std::move(list));
        e->height = h + 1;
        return cap(std::move(e));
      }
      case TokenKind::LBRACE:
        c.next();
        return braces(c, where);
      default:
        return placeholder(where);
    }
  }

  // `{ a = 1 }` is a record, `{ "k": 1 }` a map, `{}` an empty map.
  ast::ExprPtr braces(Cursor& c, Span where) {
    ast::RecordExpr record;
    ast::MapExpr map;
    bool has_record = false, has_map = false, mixed_reported = false;
    uint32_t h = 0;
    comma_list(c, TokenKind::RBRACE, [&](Cursor& item) {
      ParserRuleContext* e = item.take_rule(Flow::RuleEntry);
      if (!e) {
        item.next();
        return;
      }
      Cursor ec(*this, e);
      ParserRuleContext* lhs = ec.take_rule(Flow::RuleExpr);
      const Token* sep = ec.token();
      ec.next();
      ParserRuleContext* rhs = ec.take_rule(Flow::RuleExpr);
      if (!lhs || !sep || !rhs) return;
      bool is_field = sep->kind == TokenKind::ASSIGN;
      if ((is_field && has_map) || (!is_field && has_record)) {
        if (!mixed_reported) {
          syntax_error(span(*sep), "a record's fields use `=` and a map's entries use `:`; this mixes both",
                       "write a record as { name = value } or a map as { \"key\": value }");
        }
        mixed_reported = true;
        return;
      }
      ast::ExprPtr key = expr(lhs);
      ast::ExprPtr value = expr(rhs);
      h = std::max({h, key->height, value->height});
      if (is_field) {
        has_record = true;
        auto* ref = key->as<ast::NameRef>();
        if (!ref) {
          bool literal = key->as<ast::StringLit>() != nullptr;
          syntax_error(key->span, "a record field needs a plain name before `=`",
                       literal ? fmt::format("a map entry is written with `:`: {{ {}: ... }}", text_of(key->span))
                               : "for a map with computed keys, write { key: value }");
          return;
        }
        record.fields.push_back(ast::FieldInit{ast::Ident{ref->name, key->span}, std::move(value)});
      } else {
        has_map = true;
        map.entries.push_back(ast::MapEntry{std::move(key), std::move(value)});
      }
    });
    ast::ExprPtr e = has_record ? make(where, std::move(record)) : make(where, std::move(map));
    e->height = h + 1;
    return cap(std::move(e));
  }

  ast::ExprPtr call(const Token& callee, Cursor& c, Span where) {
    ast::CallExpr call;
    call.callee = ident(callee);
    const Token* open = c.take(TokenKind::LPAREN);
    uint32_t h = 0;
    comma_list(c, TokenKind::RPAREN, [&](Cursor& item) {
      ParserRuleContext* a = item.take_rule(Flow::RuleArg);
      if (!a) {
        item.next();
        return;
      }
      Cursor ac(*this, a);
      ParserRuleContext* first = ac.take_rule(Flow::RuleExpr);
      if (!first) return;
      ast::Arg arg;
      ast::ExprPtr value = expr(first);
      if (ac.take(TokenKind::ASSIGN)) {
        ParserRuleContext* second = ac.take_rule(Flow::RuleExpr);
        auto* ref = value->as<ast::NameRef>();
        if (!ref) {
          syntax_error(value->span, "expected an input name before `=`", "write `name = value`");
          return;
        }
        arg.name = ast::Ident{ref->name, value->span};
        if (!second) return;
        value = expr(second);
      }
      h = std::max(h, value->height);
      arg.value = std::move(value);
      call.args.push_back(std::move(arg));
    });
    const Token* close = c.take(TokenKind::RPAREN);
    if (open) call.args_span = Span{file_.id(), open->begin, close ? close->end : open->end};
    auto e = make(where, std::move(call));
    e->height = h + 1;
    return cap(std::move(e));
  }

  ast::ExprPtr string(ParserRuleContext* ctx) {
    ast::StringLit lit;
    Cursor c(*this, ctx);
    const Token* open = c.take(TokenKind::STR_OPEN);
    lit.triple = open && open->triple;
    uint32_t h = 0;
    while (!c.done()) {
      if (const Token* text_token = c.take(TokenKind::STR_TEXT)) {
        ast::StringPart text_part;
        text_part.text = lexed_.texts[text_token->payload];
        text_part.span = span(*text_token);
        lit.parts.push_back(std::move(text_part));
      } else if (const Token* interp = c.take(TokenKind::INTERP_OPEN)) {
        ParserRuleContext* e = c.take_rule(Flow::RuleExpr);
        const Token* close = c.take(TokenKind::INTERP_CLOSE);
        if (!e) continue;
        ast::ExprPtr value = expr(e);
        h = std::max(h, value->height);
        Span whole{file_.id(), interp->begin, close ? close->end : value->span.end};
        ast::StringPart interpolation;
        interpolation.expr = std::move(value);
        interpolation.span = whole;
        lit.parts.push_back(std::move(interpolation));
      } else {
        c.next();
      }
    }
    if (lit.triple) dedent(lit.parts);
    auto e = make(span(ctx), std::move(lit));
    e->height = h + 1;
    return cap(std::move(e));
  }

  // """ text is written indented with the code around it; what it means is
  // the text without that indentation. Removes: the line break right after the
  // opening quotes, the last line if it holds only the closing quotes'
  // indentation, the indentation common to all non-blank lines, and trailing
  // spaces on each line. So re-indenting a run block never changes a command
  // (or its cache key).
  static void dedent(std::vector<ast::StringPart>& parts) {
    auto is_space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; };
    if (parts.empty()) return;
    // 1. The rest of the opening line, if blank.
    if (!parts.front().expr) {
      std::string& first = parts.front().text;
      size_t i = 0;
      while (i < first.size() && is_space(first[i])) ++i;
      if (i < first.size() && first[i] == '\n') first.erase(0, i + 1);
    }
    // 2. The closing line, if blank.
    if (!parts.back().expr) {
      std::string& last = parts.back().text;
      size_t nl = last.find_last_of('\n');
      size_t from = nl == std::string::npos ? 0 : nl + 1;
      bool blank = std::all_of(last.begin() + static_cast<long>(from), last.end(), is_space);
      if (blank && (nl != std::string::npos || parts.size() == 1)) last.erase(nl == std::string::npos ? 0 : nl);
    }
    // 3. The common indentation.
    size_t common = SIZE_MAX;
    bool at_start = true;
    size_t indent = 0;
    for (const ast::StringPart& p : parts) {
      if (p.expr) {
        if (at_start) common = std::min(common, indent);
        at_start = false;
        continue;
      }
      for (char ch : p.text) {
        if (at_start) {
          if (is_space(ch)) {
            ++indent;
            continue;
          }
          if (ch == '\n') {
            indent = 0;
            continue;
          }
          common = std::min(common, indent);
          at_start = false;
        } else if (ch == '\n') {
          at_start = true;
          indent = 0;
        }
      }
    }
    if (common == SIZE_MAX) common = 0;
    // 4. Rebuild each text part: drop up to `common` leading blanks per line
    // and the blanks before each line break.
    at_start = true;
    size_t dropped = 0;
    for (size_t k = 0; k < parts.size(); ++k) {
      ast::StringPart& p = parts[k];
      if (p.expr) {
        at_start = false;
        continue;
      }
      std::string out;
      std::string pending;  // blanks kept only if something follows on the line
      for (char ch : p.text) {
        if (at_start && is_space(ch) && dropped < common) {
          ++dropped;
          continue;
        }
        if (ch == '\n') {
          pending.clear();
          out += '\n';
          at_start = true;
          dropped = 0;
          continue;
        }
        at_start = false;
        if (is_space(ch)) {
          pending += ch;
        } else {
          out += pending;
          pending.clear();
          out += ch;
        }
      }
      bool followed_by_expr = k + 1 < parts.size() && parts[k + 1].expr;
      if (followed_by_expr) out += pending;
      p.text = std::move(out);
    }
    std::erase_if(parts, [](const ast::StringPart& p) { return !p.expr && p.text.empty(); });
  }

  const LexResult& lexed_;
  const SourceFile& file_;
  Diagnostics& diags_;
  size_t doc_cursor_ = 0;
  size_t token_offset_ = 0;  // of the piece being added (see add)
  int expr_depth_ = 0;
  bool reported_depth_ = false;
};

void Cursor::load() {
  token_ = nullptr;
  rule_ = nullptr;
  if (done()) return;
  ParseTree* child = ctx_->children[i_];
  TerminalProbe probe;
  child->accept(&probe);
  if (probe.terminal) {
    token_ = builder_.token_of(probe.terminal);
  } else {
    rule_ = static_cast<ParserRuleContext*>(child);
  }
}

}  // namespace

std::unique_ptr<ast::Module> build_ast(Flow::FileContext* tree, const LexResult& lexed, const SourceFile& file,
                                       Diagnostics& diags) {
  ModuleBuilder builder(lexed, file, diags);
  if (tree) builder.add(tree, 0);
  return builder.finish();
}

struct ModuleBuilder::State {
  Builder builder;
  std::unique_ptr<ast::Module> module = std::make_unique<ast::Module>();
};

ModuleBuilder::ModuleBuilder(const LexResult& lexed, const SourceFile& file, Diagnostics& diags)
    : state_(std::make_unique<State>(State{Builder(lexed, file, diags)})) {
  state_->module->file = file.id();
}

ModuleBuilder::~ModuleBuilder() = default;

void ModuleBuilder::add(Flow::FileContext* piece, size_t token_offset) {
  state_->builder.add(piece, token_offset, state_->module.get());
}

std::unique_ptr<ast::Module> ModuleBuilder::finish() {
  state_->builder.finish(state_->module.get());
  return std::move(state_->module);
}

}  // namespace flowc::syntax
