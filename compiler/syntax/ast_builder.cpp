// Builds the AST from the parse tree (parse_tree.h).
//
// Each node's children are walked once, in order, by a cursor.
//
// The parse tree may be incomplete after error recovery: a missing piece is
// left out, never dereferenced (the driver does not type-check a file that
// had syntax errors).
#include "compiler/syntax/ast_builder.h"

#include <algorithm>

namespace flowc::syntax {
namespace {

using Node = const ParseTree::Node*;  // null: absent

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

class Builder;

// The children of one parse tree node, read in order.
class Cursor {
 public:
  Cursor(const Builder& builder, Node ctx) : builder_(builder), ctx_(ctx) { load(); }

  bool done() const { return i_ >= (ctx_ ? ctx_->count : 0); }
  // The current child's token kind, or Invalid for a rule (or an inserted token).
  TokenKind kind() const { return token_ ? token_->kind : TokenKind::Invalid; }
  bool at(TokenKind k) const { return !done() && kind() == k; }
  const Token* token() const { return token_; }
  // The current child if it is a rule of type `r`, else null.
  Node rule(Rule r) const { return rule_ && rule_->rule == r ? rule_ : nullptr; }
  Node any_rule() const { return rule_; }
  Node node() const { return ctx_; }
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
  // Takes the current child if it is a rule of type `r`.
  Node take_rule(Rule r) {
    Node n = done() ? nullptr : rule(r);
    if (n) next();
    return n;
  }

 private:
  void load();

  const Builder& builder_;
  Node ctx_;
  uint32_t i_ = 0;
  const Token* token_ = nullptr;
  Node rule_ = nullptr;
};

class Builder {
 public:
  Builder(const ParseTree& tree, LexResult& lexed, const SourceFile& file, Diagnostics& diags)
      : tree_(tree), lexed_(lexed), file_(file), diags_(diags) {}

  std::unique_ptr<ast::Module> module(Node ctx) {
    auto m = std::make_unique<ast::Module>();
    m->file = file_.id();
    m->imports.reserve(count(ctx, Rule::ImportDecl));
    m->types.reserve(count(ctx, Rule::TypeDecl));
    m->ops.reserve(count(ctx, Rule::OpDecl));
    m->workflows.reserve(count(ctx, Rule::WorkflowDecl));
    for (Cursor c(*this, ctx); !c.done(); c.next()) {
      if (Node decl = c.any_rule()) declaration(decl, *m);
    }
    finish(*m);
    return m;
  }

  // A top-level declaration, added to `m`.
  void declaration(Node decl, ast::Module& m) {
    switch (decl->rule) {
      case Rule::ImportDecl:
        if (auto imp = import_decl(decl)) m.imports.push_back(std::move(*imp));
        break;
      case Rule::TypeDecl:
        if (auto t = type_decl(decl)) m.types.push_back(std::move(*t));
        break;
      case Rule::OpDecl:
        if (auto op = op_decl(decl)) m.ops.push_back(std::move(*op));
        break;
      case Rule::WorkflowDecl:
        if (auto wf = workflow_decl(decl)) m.workflows.push_back(std::move(*wf));
        break;
      default: break;
    }
  }

  void finish(ast::Module& m) { m.doc = module_doc(m); }

  const ParseTree& tree() const { return tree_; }

  // How many children of `n` are rules `r`, or tokens `k`: lists are
  // reserved at their size (a 10 MB file's AST is kept by the LSP).
  uint32_t count(Node n, Rule r) const {
    uint32_t found = 0;
    for (uint32_t i = 0; n && i < n->count; ++i) {
      ParseTree::Child c = tree_.child(*n, i);
      found += c.is_node() && tree_.node(c.index()).rule == r;
    }
    return found;
  }
  uint32_t count(Node n, TokenKind k) const {
    uint32_t found = 0;
    for (uint32_t i = 0; n && i < n->count; ++i) {
      ParseTree::Child c = tree_.child(*n, i);
      const Token* t = c.is_node() ? nullptr : token_at(c.index());
      found += t && t->kind == k;
    }
    return found;
  }
  const Token* token_at(uint32_t index) const {
    if (index >= lexed_.tokens.size()) return nullptr;  // inserted by error recovery
    return &lexed_.tokens[index];
  }

 private:
  // ---- positions and tokens ----

  Span span(const Token& t) const { return Span{file_.id(), t.begin, t.end}; }
  Span span(Node ctx) const {
    if (!ctx || ctx->start >= lexed_.tokens.size()) return Span{file_.id(), 0, 0};
    uint32_t b = ctx->start;
    uint32_t e = ctx->stop;
    if (e >= lexed_.tokens.size() || e < b) e = b;
    return Span{file_.id(), lexed_.tokens[b].begin, lexed_.tokens[e].end};
  }
  std::string_view text(const Token& t) const { return file_.text().substr(t.begin, t.end - t.begin); }
  std::string_view text_of(Span s) const { return file_.slice(s); }
  ast::Ident ident(const Token& t) const { return ast::Ident{std::string(text(t)), span(t)}; }

  // A mistake the grammar lets through, reported with what to write instead.
  template <typename... Args>
  void syntax_error(DiagId id, Span where, const std::string& help, const Args&... args) {
    diags_.report(id, where, args...).with_help(help);
  }

  // Reads `item (',' item?)*` up to the closer, calling `item` on each
  // element and reporting two commas in a row.
  template <typename F>
  void comma_list(Cursor& c, TokenKind closer, F&& item) {
    bool after_comma = false;
    while (!c.done() && !c.at(closer)) {
      if (const Token* comma = c.take(TokenKind::COMMA)) {
        if (after_comma) syntax_error(DiagId::TwoCommas, span(*comma), "remove one of them");
        after_comma = true;
        continue;
      }
      after_comma = false;
      item(c);
    }
  }

  // The `///` block that ends right before a declaration (only whitespace between).
  std::string doc_for(Node decl) {
    uint32_t start = span(decl).begin;
    while (doc_cursor_ < lexed_.docs.size() && lexed_.docs[doc_cursor_].end <= start) {
      const DocComment& doc = lexed_.docs[doc_cursor_];
      std::string_view gap = file_.text().substr(doc.end, start - doc.end);
      ++doc_cursor_;
      bool only_space = std::all_of(gap.begin(), gap.end(),
                                    [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; });
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
    bool only_space = std::all_of(gap.begin(), gap.end(),
                                  [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; });
    if (only_space && std::count(gap.begin(), gap.end(), '\n') <= 1 && first_decl < file_.text().size()) return {};
    return first.text;
  }

  // ---- declarations ----

  std::optional<ast::ImportDecl> import_decl(Node ctx) {
    Cursor c(*this, ctx);
    c.take(TokenKind::KW_IMPORT);
    Node path_ctx = c.take_rule(Rule::String);
    if (!path_ctx) return std::nullopt;
    ast::ExprPtr path = string(path_ctx);
    ast::ImportDecl decl{span(ctx), {}, path->span};
    if (auto* s = path->as<ast::StringLit>(); s && s->is_plain()) {
      decl.path = s->plain_text();
    } else {
      syntax_error(DiagId::ImportPathNotPlain, path->span, "write the path literally, without `${...}`");
    }
    return decl;
  }

  std::optional<ast::TypeDecl> type_decl(Node ctx) {
    Cursor c(*this, ctx);
    c.take(TokenKind::KW_TYPE);
    const Token* name = c.take(TokenKind::IDENT);
    c.take(TokenKind::ASSIGN);
    Node type = c.take_rule(Rule::TypeExpr);
    if (!name || !type) return std::nullopt;
    return ast::TypeDecl{span(ctx), ident(*name), type_expr(type), doc_for(ctx)};
  }

  std::vector<ast::Param> params(Node ctx) {
    std::vector<ast::Param> out;
    out.reserve(count(ctx, Rule::Param));
    Cursor c(*this, ctx);
    c.take(TokenKind::LPAREN);
    comma_list(c, TokenKind::RPAREN, [&](Cursor& item) {
      if (Node p = item.take_rule(Rule::Param)) {
        if (auto param = this->param(p)) out.push_back(std::move(*param));
      } else {
        item.next();
      }
    });
    return out;
  }

  std::optional<ast::Param> param(Node ctx) {
    Cursor c(*this, ctx);
    const Token* name = c.take(TokenKind::IDENT);
    c.take(TokenKind::COLON);
    Node type = c.take_rule(Rule::TypeExpr);
    if (!name || !type) return std::nullopt;
    ast::Param p;
    p.span = span(ctx);
    p.name = ident(*name);
    p.type = type_expr(type);
    if (c.take(TokenKind::ASSIGN)) {
      if (Node value = c.take_rule(Rule::Expr)) p.default_value = expr(value);
    }
    return p;
  }

  // op NAME(inputs) -> (outputs) { clauses }, and workflows alike.
  template <typename Decl>
  bool signature(Cursor& c, Node ctx, TokenKind keyword, Decl& decl) {
    c.take(keyword);
    const Token* name = c.take(TokenKind::IDENT);
    if (!name) return false;
    decl.span = span(ctx);
    decl.doc = doc_for(ctx);
    decl.name = ident(*name);
    if (Node inputs = c.take_rule(Rule::ParamList)) decl.inputs = params(inputs);
    if (c.take(TokenKind::ARROW)) {
      if (Node outputs = c.take_rule(Rule::ParamList)) decl.outputs = params(outputs);
    }
    return true;
  }

  std::optional<ast::OpDecl> op_decl(Node ctx) {
    Cursor c(*this, ctx);
    ast::OpDecl op;
    if (!signature(c, ctx, TokenKind::KW_OP, op)) return std::nullopt;
    op.clauses.reserve(count(ctx, Rule::Clause));
    c.take(TokenKind::LBRACE);
    for (; !c.done(); c.next()) {
      Node clause = c.rule(Rule::Clause);
      if (!clause) continue;
      Cursor cc(*this, clause);
      const Token* name = cc.take(TokenKind::IDENT);
      Node value = cc.take_rule(Rule::Expr);
      if (name && value) op.clauses.push_back(ast::Clause{span(clause), ident(*name), expr(value)});
    }
    return op;
  }

  std::optional<ast::WorkflowDecl> workflow_decl(Node ctx) {
    Cursor c(*this, ctx);
    ast::WorkflowDecl wf;
    if (!signature(c, ctx, TokenKind::KW_WORKFLOW, wf)) return std::nullopt;
    if (Node body = c.take_rule(Rule::Block)) wf.body = block(body);
    return wf;
  }

  // ---- types ----

  ast::TypeExpr type_expr(Node ctx) {
    ast::TypeExpr t;
    t.span = span(ctx);
    Cursor c(*this, ctx);
    if (const Token* name = c.take(TokenKind::IDENT)) {
      t.name = ident(*name);
      t.args.reserve(count(ctx, Rule::TypeExpr));
      if (c.take(TokenKind::LBRACK)) {
        comma_list(c, TokenKind::RBRACK, [&](Cursor& item) {
          if (Node arg = item.take_rule(Rule::TypeExpr)) t.args.push_back(type_expr(arg));
          else item.next();
        });
        c.take(TokenKind::RBRACK);
      }
      if (Node with = c.take_rule(Rule::Companions)) companions(with, t);
    } else if (c.take(TokenKind::LBRACE)) {
      t.is_record = true;
      t.fields.reserve(count(ctx, Rule::FieldType));
      comma_list(c, TokenKind::RBRACE, [&](Cursor& item) {
        Node field = item.take_rule(Rule::FieldType);
        if (!field) {
          item.next();
          return;
        }
        Cursor fc(*this, field);
        const Token* field_name = fc.take(TokenKind::IDENT);
        fc.take(TokenKind::COLON);
        Node type = fc.take_rule(Rule::TypeExpr);
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

  // `with [".fai", ".csi"?]` after a type name.
  void companions(Node ctx, ast::TypeExpr& t) {
    t.has_companions = true;
    t.companions_span = span(ctx);
    Cursor c(*this, ctx);
    c.take(TokenKind::KW_WITH);
    if (!c.take(TokenKind::LBRACK)) return;
    comma_list(c, TokenKind::RBRACK, [&](Cursor& item) {
      Node one = item.take_rule(Rule::Companion);
      if (!one) {
        item.next();
        return;
      }
      Cursor oc(*this, one);
      Node text = oc.take_rule(Rule::String);
      if (!text) return;
      ast::ExprPtr lit = string(text);
      ast::CompanionPattern p;
      p.span = lit->span;
      if (auto* s = lit->as<ast::StringLit>(); s && s->is_plain()) {
        p.pattern = s->plain_text();
      } else {
        p.plain = false;
      }
      p.required = !oc.take(TokenKind::QUESTION);
      t.companions.push_back(std::move(p));
    });
  }

  // ---- statements ----

  ast::Block block(Node ctx) {
    ast::Block b;
    b.span = span(ctx);
    b.stmts.reserve(count(ctx, Rule::BindStmt) + count(ctx, Rule::ForStmt) + count(ctx, Rule::IfStmt) +
                    count(ctx, Rule::ReturnStmt));
    for (Cursor c(*this, ctx); !c.done(); c.next()) {
      Node s = c.any_rule();
      if (!s) continue;
      if (auto stmt = statement(s)) b.stmts.push_back(std::move(*stmt));
    }
    return b;
  }

  std::optional<ast::Stmt> statement(Node ctx) {
    ast::Stmt stmt;
    stmt.span = span(ctx);
    Cursor c(*this, ctx);
    switch (ctx->rule) {
      case Rule::BindStmt: {
        const Token* name = c.take(TokenKind::IDENT);
        c.take(TokenKind::ASSIGN);
        Node value = c.take_rule(Rule::Expr);
        if (!name || !value) return std::nullopt;
        ast::BindStmt bind{ident(*name), expr(value), nullptr};
        if (c.take(TokenKind::KW_WITH)) {
          if (Node options = c.take_rule(Rule::Expr)) bind.options = expr(options);
        }
        stmt.node = std::move(bind);
        return stmt;
      }
      case Rule::ForStmt: {
        c.take(TokenKind::KW_FOR);
        const Token* var = c.take(TokenKind::IDENT);
        c.take(TokenKind::KW_IN);
        Node collection = c.take_rule(Rule::Expr);
        if (!var || !collection) return std::nullopt;
        ast::ForStmt loop{ident(*var), expr(collection), nullptr, {}};
        if (c.take(TokenKind::KW_WITH)) {
          if (Node options = c.take_rule(Rule::Expr)) loop.options = expr(options);
        }
        if (Node body = c.take_rule(Rule::Block)) loop.body = block(body);
        stmt.node = std::move(loop);
        return stmt;
      }
      case Rule::IfStmt: return if_stmt(c, std::move(stmt));
      case Rule::ReturnStmt: {
        ast::ReturnStmt ret;
        ret.values.reserve(count(ctx, Rule::Entry));
        c.take(TokenKind::KW_RETURN);
        c.take(TokenKind::LPAREN);
        comma_list(c, TokenKind::RPAREN, [&](Cursor& item) {
          Node e = item.take_rule(Rule::Entry);
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
      default: return std::nullopt;
    }
  }

  std::optional<ast::Stmt> if_stmt(Cursor& c, ast::Stmt stmt) {
    ast::IfStmt branch;
    branch.arms.reserve(count(c.node(), Rule::Expr));
    c.take(TokenKind::KW_IF);
    Node condition = c.take_rule(Rule::Expr);
    Node body = c.take_rule(Rule::Block);
    if (!condition || !body) return std::nullopt;
    branch.arms.push_back(ast::IfArm{expr(condition), block(body)});
    while (const Token* else_token = c.take(TokenKind::KW_ELSE)) {
      if (branch.else_block) {
        syntax_error(DiagId::ElseAfterElse, span(*else_token),
                     "a plain `else` comes last; use `else if` for the branches before it");
      }
      if (c.take(TokenKind::KW_IF)) {
        Node cond = c.take_rule(Rule::Expr);
        Node arm = c.take_rule(Rule::Block);
        if (cond && arm && !branch.else_block) branch.arms.push_back(ast::IfArm{expr(cond), block(arm)});
      } else if (Node arm = c.take_rule(Rule::Block)) {
        if (!branch.else_block) branch.else_block = block(arm);
      }
    }
    stmt.node = std::move(branch);
    return stmt;
  }

  // `name = value` from an entry rule; reports `:` or a non-name before `=`.
  std::optional<ast::FieldInit> named_entry(Node ctx, const char* help) {
    Cursor c(*this, ctx);
    Node lhs = c.take_rule(Rule::Expr);
    const Token* sep = c.token();
    c.next();
    Node rhs = c.take_rule(Rule::Expr);
    if (!lhs || !sep || !rhs) return std::nullopt;
    ast::ExprPtr name = expr(lhs);
    auto* ref = name->as<ast::NameRef>();
    if (sep->kind != TokenKind::ASSIGN) {
      syntax_error(DiagId::ExpectedAssign, span(*sep), help);
      return std::nullopt;
    }
    if (!ref) {
      syntax_error(DiagId::MissingName, name->span, help, "a name");
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

  ast::ExprPtr expr(Node ctx) {
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
    Node p = c.take_rule(Rule::Primary);
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
        Node index = c.take_rule(Rule::Expr);
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
  ast::ExprPtr binary_chain(Node ctx) {
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

  ast::ExprPtr primary(Node ctx) {
    Span where = span(ctx);
    Cursor c(*this, ctx);
    if (Node s = c.rule(Rule::String)) return string(s);
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
        if (c.at(TokenKind::LPAREN)) return call(*t, c, where, count(ctx, Rule::Arg));
        return make(where, ast::NameRef{std::string(text(*t)), {}});
      }
      case TokenKind::LPAREN: {
        c.next();
        Node inner_ctx = c.take_rule(Rule::Expr);
        if (!inner_ctx) return placeholder(where);
        ast::ExprPtr inner = expr(inner_ctx);
        inner->span = where;  // the parentheses belong to the expression's extent
        return inner;
      }
      case TokenKind::LBRACK: {
        c.next();
        ast::ListExpr list;
        list.items.reserve(count(ctx, Rule::Expr));
        uint32_t h = 0;
        comma_list(c, TokenKind::RBRACK, [&](Cursor& item) {
          Node e = item.take_rule(Rule::Expr);
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
      case TokenKind::LBRACE: c.next(); return braces(c, where, count(ctx, Rule::Entry));
      default: return placeholder(where);
    }
  }

  // `{ a = 1 }` is a record, `{ "k": 1 }` a map, `{}` an empty map.
  ast::ExprPtr braces(Cursor& c, Span where, uint32_t entries) {
    ast::RecordExpr record;
    ast::MapExpr map;
    bool has_record = false, has_map = false, mixed_reported = false;
    uint32_t h = 0;
    comma_list(c, TokenKind::RBRACE, [&](Cursor& item) {
      Node e = item.take_rule(Rule::Entry);
      if (!e) {
        item.next();
        return;
      }
      Cursor ec(*this, e);
      Node lhs = ec.take_rule(Rule::Expr);
      const Token* sep = ec.token();
      ec.next();
      Node rhs = ec.take_rule(Rule::Expr);
      if (!lhs || !sep || !rhs) return;
      bool is_field = sep->kind == TokenKind::ASSIGN;
      if ((is_field && has_map) || (!is_field && has_record)) {
        if (!mixed_reported) {
          syntax_error(DiagId::MixedRecordMap, span(*sep),
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
        record.fields.reserve(entries);
        auto* ref = key->as<ast::NameRef>();
        if (!ref) {
          bool literal = key->as<ast::StringLit>() != nullptr;
          syntax_error(DiagId::MissingName, key->span,
                       literal ? fmt::format("a map entry is written with `:`: {{ {}: ... }}", text_of(key->span))
                               : "for a map with computed keys, write { key: value }",
                       "a plain field name");
          return;
        }
        record.fields.push_back(ast::FieldInit{ast::Ident{ref->name, key->span}, std::move(value)});
      } else {
        has_map = true;
        map.entries.reserve(entries);
        map.entries.push_back(ast::MapEntry{std::move(key), std::move(value)});
      }
    });
    ast::ExprPtr e = has_record ? make(where, std::move(record)) : make(where, std::move(map));
    e->height = h + 1;
    return cap(std::move(e));
  }

  ast::ExprPtr call(const Token& callee, Cursor& c, Span where, uint32_t args) {
    ast::CallExpr call;
    call.args.reserve(args);
    call.callee = ident(callee);
    const Token* open = c.take(TokenKind::LPAREN);
    uint32_t h = 0;
    comma_list(c, TokenKind::RPAREN, [&](Cursor& item) {
      Node a = item.take_rule(Rule::Arg);
      if (!a) {
        item.next();
        return;
      }
      Cursor ac(*this, a);
      Node first = ac.take_rule(Rule::Expr);
      if (!first) return;
      ast::Arg arg;
      ast::ExprPtr value = expr(first);
      if (ac.take(TokenKind::ASSIGN)) {
        Node second = ac.take_rule(Rule::Expr);
        auto* ref = value->as<ast::NameRef>();
        if (!ref) {
          syntax_error(DiagId::MissingName, value->span, "write `name = value`", "an input name");
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

  ast::ExprPtr string(Node ctx) {
    ast::StringLit lit;
    lit.parts.reserve(count(ctx, TokenKind::STR_TEXT) + count(ctx, TokenKind::INTERP_OPEN));
    Cursor c(*this, ctx);
    const Token* open = c.take(TokenKind::STR_OPEN);
    lit.triple = open && open->triple;
    uint32_t h = 0;
    while (!c.done()) {
      if (const Token* text_token = c.take(TokenKind::STR_TEXT)) {
        ast::StringPart text_part;
        text_part.text = std::move(lexed_.texts[text_token->payload]);
        text_part.span = span(*text_token);
        lit.parts.push_back(std::move(text_part));
      } else if (const Token* interp = c.take(TokenKind::INTERP_OPEN)) {
        Node e = c.take_rule(Rule::Expr);
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

  const ParseTree& tree_;
  LexResult& lexed_;  // its string texts are moved into the AST
  const SourceFile& file_;
  Diagnostics& diags_;
  size_t doc_cursor_ = 0;
  int expr_depth_ = 0;
  bool reported_depth_ = false;
};

void Cursor::load() {
  token_ = nullptr;
  rule_ = nullptr;
  if (done()) return;
  ParseTree::Child child = builder_.tree().child(*ctx_, i_);
  if (child.is_node()) {
    rule_ = &builder_.tree().node(child.index());
  } else {
    token_ = builder_.token_at(child.index());
  }
}

}  // namespace

struct DeclarationBuilder::Impl {
  Impl(const ParseTree& tree, LexResult& lexed, const SourceFile& file, Diagnostics& diags)
      : tree(tree), builder(tree, lexed, file, diags), module(std::make_unique<ast::Module>()) {
    module->file = file.id();
  }
  const ParseTree& tree;
  Builder builder;
  std::unique_ptr<ast::Module> module;
};

DeclarationBuilder::DeclarationBuilder(const ParseTree& tree, LexResult& lexed, const SourceFile& file,
                                       Diagnostics& diags)
    : impl_(std::make_unique<Impl>(tree, lexed, file, diags)) {}

DeclarationBuilder::~DeclarationBuilder() = default;

void DeclarationBuilder::add() { impl_->builder.declaration(&impl_->tree.node(impl_->tree.root()), *impl_->module); }

std::unique_ptr<ast::Module> DeclarationBuilder::finish() {
  impl_->builder.finish(*impl_->module);
  return std::move(impl_->module);
}

std::unique_ptr<ast::Module> build_ast(const ParseTree& tree, LexResult& lexed, const SourceFile& file,
                                       Diagnostics& diags) {
  if (tree.empty()) {
    auto m = std::make_unique<ast::Module>();
    m->file = file.id();
    return m;
  }
  return Builder(tree, lexed, file, diags).module(&tree.node(tree.root()));
}

}  // namespace flowc::syntax
