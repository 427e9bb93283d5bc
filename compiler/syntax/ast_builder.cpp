// Builds the AST from ANTLR's parse tree.
//
// The parse tree may be incomplete after error recovery: every accessor here
// can return null, and a missing piece is simply left out (the driver does not
// type-check a file that had syntax errors).
#include "compiler/syntax/ast_builder.h"

#include <algorithm>

namespace flowc::syntax {
namespace {

using antlr4::ParserRuleContext;
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

ast::BinaryOp binary_op(TokenKind kind) {
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
    default: return ast::BinaryOp::Mod;
  }
}

class Builder {
 public:
  Builder(const LexResult& lexed, const SourceFile& file, Diagnostics& diags)
      : lexed_(lexed), file_(file), diags_(diags) {}

  std::unique_ptr<ast::Module> module(Flow::FileContext* ctx) {
    auto m = std::make_unique<ast::Module>();
    m->file = file_.id();
    if (!ctx) return m;
    for (Flow::DeclContext* decl : ctx->decl()) {
      if (!decl) continue;
      if (auto* d = decl->importDecl()) {
        if (auto imp = import_decl(d)) m->imports.push_back(std::move(*imp));
      } else if (auto* t = decl->typeDecl()) {
        if (t->IDENT() && t->typeExpr()) {
          m->types.push_back(ast::TypeDecl{span(t), ident(t->IDENT()), type_expr(t->typeExpr()), doc_for(t)});
        }
      } else if (auto* o = decl->opDecl()) {
        if (o->IDENT()) m->ops.push_back(op_decl(o));
      } else if (auto* w = decl->workflowDecl()) {
        if (w->IDENT()) m->workflows.push_back(workflow_decl(w));
      }
    }
    return m;
  }

 private:
  // ---- positions and tokens ----

  const Token* token(TerminalNode* node) const {
    if (!node) return nullptr;
    size_t index = node->getSymbol()->getTokenIndex();
    if (index >= lexed_.tokens.size()) return nullptr;  // inserted by error recovery
    return &lexed_.tokens[index];
  }

  Span span(const Token& t) const { return Span{file_.id(), t.begin, t.end}; }
  Span span(TerminalNode* node) const {
    const Token* t = token(node);
    return t ? span(*t) : Span{file_.id(), 0, 0};
  }
  Span span(ParserRuleContext* ctx) const {
    if (!ctx || !ctx->getStart()) return Span{file_.id(), 0, 0};
    size_t b = ctx->getStart()->getTokenIndex();
    size_t e = ctx->getStop() ? ctx->getStop()->getTokenIndex() : b;
    if (b >= lexed_.tokens.size()) b = lexed_.tokens.size() - 1;
    if (e >= lexed_.tokens.size() || e < b) e = b;
    return Span{file_.id(), lexed_.tokens[b].begin, lexed_.tokens[e].end};
  }

  std::string_view text(TerminalNode* node) const {
    const Token* t = token(node);
    return t ? file_.text().substr(t->begin, t->end - t->begin) : std::string_view();
  }

  ast::Ident ident(TerminalNode* node) const { return ast::Ident{std::string(text(node)), span(node)}; }

  // The `///` block that ends right before a declaration (only whitespace between).
  std::string doc_for(ParserRuleContext* decl) {
    uint32_t start = span(decl).begin;
    while (doc_cursor_ < lexed_.docs.size() && lexed_.docs[doc_cursor_].end <= start) {
      const DocComment& doc = lexed_.docs[doc_cursor_];
      std::string_view gap = file_.text().substr(doc.end, start - doc.end);
      ++doc_cursor_;
      bool only_space = std::all_of(gap.begin(), gap.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
      size_t newlines = std::count(gap.begin(), gap.end(), '\n');
      if (only_space && newlines <= 1 && (doc_cursor_ == lexed_.docs.size() || lexed_.docs[doc_cursor_].end > start)) {
        return doc.text;
      }
    }
    return {};
  }

  // ---- declarations ----

  std::optional<ast::ImportDecl> import_decl(Flow::ImportDeclContext* ctx) {
    if (!ctx->string()) return std::nullopt;
    ast::ExprPtr path = string(ctx->string());
    ast::ImportDecl decl{span(ctx), {}, path->span};
    if (auto* s = path->as<ast::StringLit>(); s && s->is_plain()) {
      decl.path = s->plain_text();
    } else {
      diags_.report(DiagId::SyntaxError, path->span, "an import path must be a plain string")
          .with_help("write the path literally, without `${...}`");
    }
    return decl;
  }

  std::vector<ast::Param> params(Flow::ParamListContext* ctx) {
    std::vector<ast::Param> out;
    if (!ctx) return out;
    for (Flow::ParamContext* p : ctx->param()) {
      if (!p || !p->IDENT() || !p->typeExpr()) continue;
      ast::Param param;
      param.span = span(p);
      param.name = ident(p->IDENT());
      param.type = type_expr(p->typeExpr());
      if (p->expr()) param.default_value = expr(p->expr());
      out.push_back(std::move(param));
    }
    return out;
  }

  ast::OpDecl op_decl(Flow::OpDeclContext* ctx) {
    ast::OpDecl op;
    op.span = span(ctx);
    op.doc = doc_for(ctx);
    op.name = ident(ctx->IDENT());
    auto lists = ctx->paramList();
    if (!lists.empty()) op.inputs = params(lists[0]);
    if (lists.size() > 1) op.outputs = params(lists[1]);
    for (Flow::ClauseContext* c : ctx->clause()) {
      if (!c || !c->IDENT() || !c->expr()) continue;
      op.clauses.push_back(ast::Clause{span(c), ident(c->IDENT()), expr(c->expr())});
    }
    return op;
  }

  ast::WorkflowDecl workflow_decl(Flow::WorkflowDeclContext* ctx) {
    ast::WorkflowDecl wf;
    wf.span = span(ctx);
    wf.doc = doc_for(ctx);
    wf.name = ident(ctx->IDENT());
    auto lists = ctx->paramList();
    if (!lists.empty()) wf.inputs = params(lists[0]);
    if (lists.size() > 1) wf.outputs = params(lists[1]);
    wf.body = block(ctx->block());
    return wf;
  }

  // ---- types ----

  ast::TypeExpr type_expr(Flow::TypeExprContext* ctx) {
    ast::TypeExpr t;
    t.span = span(ctx);
    if (auto* named = dynamic_cast<Flow::NamedTypeContext*>(ctx)) {
      t.name = ident(named->IDENT());
      for (auto* arg : named->typeExpr()) {
        if (arg) t.args.push_back(type_expr(arg));
      }
      if (named->QUESTION()) {
        t.optional = true;
        t.optional_span = span(named->QUESTION());
      }
    } else if (auto* record = dynamic_cast<Flow::RecordTypeContext*>(ctx)) {
      t.is_record = true;
      for (auto* f : record->fieldType()) {
        if (f && f->IDENT() && f->typeExpr()) t.fields.push_back(ast::FieldType{ident(f->IDENT()), type_expr(f->typeExpr())});
      }
      if (record->QUESTION()) {
        t.optional = true;
        t.optional_span = span(record->QUESTION());
      }
    }
    return t;
  }

  // ---- statements ----

  ast::Block block(Flow::BlockContext* ctx) {
    ast::Block b;
    if (!ctx) return b;
    b.span = span(ctx);
    for (Flow::StmtContext* s : ctx->stmt()) {
      if (!s) continue;
      if (auto stmt = statement(s)) b.stmts.push_back(std::move(*stmt));
    }
    return b;
  }

  std::optional<ast::Stmt> statement(Flow::StmtContext* ctx) {
    ast::Stmt stmt;
    stmt.span = span(ctx);
    if (auto* b = ctx->bindStmt()) {
      auto exprs = b->expr();
      if (!b->IDENT() || exprs.empty() || !exprs[0]) return std::nullopt;
      ast::BindStmt bind{ident(b->IDENT()), expr(exprs[0]), nullptr};
      if (exprs.size() > 1 && exprs[1]) bind.options = expr(exprs[1]);
      stmt.node = std::move(bind);
    } else if (auto* f = ctx->forStmt()) {
      auto exprs = f->expr();
      if (!f->IDENT() || exprs.empty() || !exprs[0]) return std::nullopt;
      ast::ForStmt loop{ident(f->IDENT()), expr(exprs[0]), nullptr, block(f->block())};
      if (exprs.size() > 1 && exprs[1]) loop.options = expr(exprs[1]);
      stmt.node = std::move(loop);
    } else if (auto* i = ctx->ifStmt()) {
      ast::IfStmt branch;
      auto conditions = i->expr();
      auto blocks = i->block();
      for (size_t k = 0; k < conditions.size() && k < blocks.size(); ++k) {
        if (conditions[k]) branch.arms.push_back(ast::IfArm{expr(conditions[k]), block(blocks[k])});
      }
      if (blocks.size() > conditions.size() && blocks.back()) branch.else_block = block(blocks.back());
      stmt.node = std::move(branch);
    } else if (auto* r = ctx->returnStmt()) {
      ast::ReturnStmt ret;
      for (auto* field : r->fieldInit()) {
        if (field && field->IDENT() && field->expr()) ret.values.push_back(ast::FieldInit{ident(field->IDENT()), expr(field->expr())});
      }
      stmt.node = std::move(ret);
    } else {
      return std::nullopt;
    }
    return stmt;
  }

  // ---- expressions ----

  ast::ExprPtr make(Span where, auto node, std::initializer_list<const ast::Expr*> children = {}) {
    auto e = std::make_unique<ast::Expr>();
    e->span = where;
    e->node = std::move(node);
    uint32_t h = 0;
    for (const ast::Expr* c : children) {
      if (c) h = std::max(h, c->height);
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

  ast::ExprPtr error_expr(ParserRuleContext* ctx) { return make(span(ctx), ast::IntLit{0}); }

  ast::ExprPtr expr(Flow::ExprContext* ctx) {
    bool outermost = expr_depth_++ == 0;
    if (outermost) reported_depth_ = false;
    ast::ExprPtr result = binary_chain(ctx);
    --expr_depth_;
    return result;
  }

  // Precedence climbing over the flat list `unary (op unary)*`.
  ast::ExprPtr binary_chain(Flow::ExprContext* ctx) {
    if (!ctx) return make(Span{file_.id(), 0, 0}, ast::IntLit{0});
    auto operands = ctx->unary();
    auto ops = ctx->binaryOp();
    if (operands.empty() || !operands[0]) return error_expr(ctx);

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
        if (auto* inner = lhs->as<ast::BinaryExpr>(); inner && is_comparison(inner->op) &&
                                                      precedence(inner->op) == precedence(op)) {
          diags_.report(DiagId::ChainedComparison, op_span)
              .with_help("compare twice and combine with `&&`: `a < b && b < c`");
        }
      }
      Span whole = Span::join(lhs->span, rhs->span);
      const ast::Expr* l = lhs.get();
      const ast::Expr* r = rhs.get();
      values.push_back(make(whole, ast::BinaryExpr{op, op_span, std::move(lhs), std::move(rhs)}, {l, r}));
    };

    values.push_back(unary(operands[0]));
    for (size_t i = 0; i < ops.size() && i + 1 < operands.size(); ++i) {
      if (!ops[i] || !operands[i + 1]) break;
      auto* op_node = dynamic_cast<TerminalNode*>(ops[i]->children.empty() ? nullptr : ops[i]->children[0]);
      const Token* op_token = token(op_node);
      if (!op_token) break;
      ast::BinaryOp op = binary_op(op_token->kind);
      while (!stack.empty() && (precedence(stack.back().first) > precedence(op) ||
                                (precedence(stack.back().first) == precedence(op) && !right_associative(op)))) {
        reduce();
      }
      stack.emplace_back(op, span(*op_token));
      values.push_back(unary(operands[i + 1]));
    }
    while (!stack.empty()) reduce();
    return std::move(values.back());
  }

  ast::ExprPtr unary(Flow::UnaryContext* ctx) {
    if (!ctx->postfix()) return error_expr(ctx);
    ast::ExprPtr operand = postfix(ctx->postfix());
    // Prefix operators apply innermost-last: `- ! x` is `-(!x)`.
    for (auto it = ctx->children.rbegin(); it != ctx->children.rend(); ++it) {
      auto* node = dynamic_cast<TerminalNode*>(*it);
      const Token* t = token(node);
      if (!t) continue;
      ast::UnaryOp op = t->kind == TokenKind::MINUS ? ast::UnaryOp::Negate : ast::UnaryOp::Not;
      // Fold `-5` into a literal so that -9223372036854775808 style limits and
      // constant clauses (retry -1) read naturally.
      if (op == ast::UnaryOp::Negate) {
        if (auto* i = operand->as<ast::IntLit>()) {
          i->value = -i->value;
          operand->span = Span::join(span(*t), operand->span);
          continue;
        }
        if (auto* f = operand->as<ast::FloatLit>()) {
          f->value = -f->value;
          operand->span = Span::join(span(*t), operand->span);
          continue;
        }
      }
      Span whole = Span::join(span(*t), operand->span);
      const ast::Expr* inner = operand.get();
      operand = make(whole, ast::UnaryExpr{op, span(*t), std::move(operand)}, {inner});
    }
    return operand;
  }

  ast::ExprPtr postfix(Flow::PostfixContext* ctx) {
    if (!ctx->primary()) return error_expr(ctx);
    ast::ExprPtr value = primary(ctx->primary());
    for (Flow::PostfixOpContext* op : ctx->postfixOp()) {
      if (auto* member = dynamic_cast<Flow::MemberOpContext*>(op)) {
        if (!member->IDENT()) break;
        Span whole = Span::join(value->span, span(member->IDENT()));
        const ast::Expr* inner = value.get();
        value = make(whole, ast::MemberExpr{std::move(value), ident(member->IDENT())}, {inner});
      } else if (auto* index = dynamic_cast<Flow::IndexOpContext*>(op)) {
        if (!index->expr()) break;
        ast::ExprPtr at = expr(index->expr());
        Span whole = Span::join(value->span, span(index));
        const ast::Expr* inner = value.get();
        const ast::Expr* at_ptr = at.get();
        value = make(whole, ast::IndexExpr{std::move(value), std::move(at)}, {inner, at_ptr});
      }
    }
    return value;
  }

  const NumberValue& number(TerminalNode* node) {
    static const NumberValue zero;
    const Token* t = token(node);
    return t && t->payload < lexed_.numbers.size() ? lexed_.numbers[t->payload] : zero;
  }

  ast::ExprPtr primary(Flow::PrimaryContext* ctx) {
    Span where = span(ctx);
    if (auto* c = dynamic_cast<Flow::IntLitContext*>(ctx)) return make(where, ast::IntLit{number(c->INT()).integer});
    if (auto* c = dynamic_cast<Flow::FloatLitContext*>(ctx)) return make(where, ast::FloatLit{number(c->FLOAT()).real});
    if (auto* c = dynamic_cast<Flow::SizeLitContext*>(ctx)) return make(where, ast::SizeLit{number(c->SIZE()).integer});
    if (auto* c = dynamic_cast<Flow::DurationLitContext*>(ctx)) {
      return make(where, ast::DurationLit{number(c->DURATION()).real});
    }
    if (auto* c = dynamic_cast<Flow::BoolLitContext*>(ctx)) return make(where, ast::BoolLit{c->KW_TRUE() != nullptr});
    if (dynamic_cast<Flow::NoneLitContext*>(ctx)) return make(where, ast::NoneLit{});
    if (auto* c = dynamic_cast<Flow::StringLitContext*>(ctx)) return c->string() ? string(c->string()) : error_expr(ctx);
    if (auto* c = dynamic_cast<Flow::NameExprContext*>(ctx)) {
      return make(where, ast::NameRef{std::string(text(c->IDENT())), {}});
    }
    if (auto* c = dynamic_cast<Flow::ParenExprContext*>(ctx)) {
      if (!c->expr()) return error_expr(ctx);
      ast::ExprPtr inner = expr(c->expr());
      inner->span = where;  // the parentheses belong to the expression's extent
      return inner;
    }
    if (auto* c = dynamic_cast<Flow::CallExprContext*>(ctx)) return call(c);
    if (auto* c = dynamic_cast<Flow::ListExprContext*>(ctx)) {
      ast::ListExpr list;
      uint32_t h = 0;
      for (auto* item : c->expr()) {
        if (!item) continue;
        list.items.push_back(expr(item));
        h = std::max(h, list.items.back()->height);
      }
      auto e = make(where, std::move(list));
      e->height = h + 1;
      return cap(std::move(e));
    }
    if (auto* c = dynamic_cast<Flow::RecordExprContext*>(ctx)) {
      ast::RecordExpr record;
      uint32_t h = 0;
      for (auto* f : c->fieldInit()) {
        if (!f || !f->IDENT() || !f->expr()) continue;
        record.fields.push_back(ast::FieldInit{ident(f->IDENT()), expr(f->expr())});
        h = std::max(h, record.fields.back().value->height);
      }
      auto e = make(where, std::move(record));
      e->height = h + 1;
      return cap(std::move(e));
    }
    if (auto* c = dynamic_cast<Flow::MapExprContext*>(ctx)) {
      ast::MapExpr map;
      uint32_t h = 0;
      for (auto* entry : c->mapEntry()) {
        auto exprs = entry ? entry->expr() : std::vector<Flow::ExprContext*>{};
        if (exprs.size() != 2 || !exprs[0] || !exprs[1]) continue;
        map.entries.push_back(ast::MapEntry{expr(exprs[0]), expr(exprs[1])});
        h = std::max({h, map.entries.back().key->height, map.entries.back().value->height});
      }
      auto e = make(where, std::move(map));
      e->height = h + 1;
      return cap(std::move(e));
    }
    return error_expr(ctx);
  }

  ast::ExprPtr call(Flow::CallExprContext* ctx) {
    ast::CallExpr call;
    call.callee = ident(ctx->IDENT());
    call.args_span = Span::join(span(ctx->LPAREN()), span(ctx->RPAREN()));
    uint32_t h = 0;
    for (Flow::ArgContext* a : ctx->arg()) {
      if (!a || !a->expr()) continue;
      ast::Arg arg;
      if (a->IDENT()) arg.name = ident(a->IDENT());
      arg.value = expr(a->expr());
      h = std::max(h, arg.value->height);
      call.args.push_back(std::move(arg));
    }
    auto e = make(span(ctx), std::move(call));
    e->height = h + 1;
    return cap(std::move(e));
  }

  ast::ExprPtr string(Flow::StringContext* ctx) {
    ast::StringLit lit;
    const Token* open = token(ctx->STR_OPEN());
    lit.triple = open && open->triple;
    uint32_t h = 0;
    for (Flow::StringPartContext* part : ctx->stringPart()) {
      if (auto* t = dynamic_cast<Flow::TextPartContext*>(part)) {
        const Token* tok = token(t->STR_TEXT());
        if (!tok) continue;
        lit.parts.push_back(ast::StringPart{lexed_.texts[tok->payload], nullptr, span(*tok)});
      } else if (auto* i = dynamic_cast<Flow::InterpPartContext*>(part)) {
        if (!i->expr()) continue;
        ast::ExprPtr value = expr(i->expr());
        h = std::max(h, value->height);
        lit.parts.push_back(ast::StringPart{{}, std::move(value), span(i)});
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
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
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
      for (char c : p.text) {
        if (at_start) {
          if (is_space(c)) {
            ++indent;
            continue;
          }
          if (c == '\n') {
            indent = 0;
            continue;
          }
          common = std::min(common, indent);
          at_start = false;
        } else if (c == '\n') {
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
      std::string pending;  // blanks that are kept only if something follows on the line
      for (char c : p.text) {
        if (at_start && is_space(c) && dropped < common) {
          ++dropped;
          continue;
        }
        if (c == '\n') {
          pending.clear();
          out += '\n';
          at_start = true;
          dropped = 0;
          continue;
        }
        at_start = false;
        if (is_space(c)) {
          pending += c;
        } else {
          out += pending;
          pending.clear();
          out += c;
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
  int expr_depth_ = 0;
  bool reported_depth_ = false;
};

}  // namespace

std::unique_ptr<ast::Module> build_ast(Flow::FileContext* tree, const LexResult& lexed, const SourceFile& file,
                                       Diagnostics& diags) {
  return Builder(lexed, file, diags).module(tree);
}

}  // namespace flowc::syntax
