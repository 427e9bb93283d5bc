// Parsing to the AST: precedence, the shapes the builder sorts out (calls,
// records vs maps, else-if chains), """ dedent, doc comments, syntax errors.
#include <catch2/catch.hpp>

#include "compiler/diag/render.h"
#include "compiler/syntax/parser.h"
#include "compiler/syntax/syntax_errors.h"

using namespace flowc;

namespace {

struct Parsed {
  SourceManager sources;
  Diagnostics diags;
  std::unique_ptr<ast::Module> module;
  syntax::ParseStats stats;
  std::string errors() const { return render_text(diags, sources, TextStyle{false}); }
};

std::unique_ptr<Parsed> parse(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  const SourceFile& f = p->sources.add("t.flow", text);
  p->module = syntax::parse_file(f, p->diags, &p->stats);
  return p;
}

// The workflow body's first binding's value.
const ast::Expr& first_value(const Parsed& p) {
  return *p.module->workflows.at(0).body.stmts.at(0).as<ast::BindStmt>()->value;
}

// A fully parenthesised rendering of an expression, to check its shape.
std::string shape(const ast::Expr& e) {
  if (auto* b = e.as<ast::BinaryExpr>())
    return "(" + shape(*b->lhs) + " " + ast::spelling(b->op) + " " + shape(*b->rhs) + ")";
  if (auto* u = e.as<ast::UnaryExpr>()) return std::string("(") + ast::spelling(u->op) + shape(*u->operand) + ")";
  if (auto* n = e.as<ast::NameRef>()) return n->name;
  if (auto* i = e.as<ast::IntLit>()) return std::to_string(i->value);
  if (auto* m = e.as<ast::MemberExpr>()) return shape(*m->object) + "." + m->field.text;
  if (auto* x = e.as<ast::IndexExpr>()) return shape(*x->object) + "[" + shape(*x->index) + "]";
  if (auto* c = e.as<ast::CallExpr>()) {
    std::string out = c->callee.text + "(";
    for (size_t i = 0; i < c->args.size(); ++i) {
      out += (i ? ", " : "") + (c->args[i].name ? c->args[i].name->text + "=" : "") + shape(*c->args[i].value);
    }
    return out + ")";
  }
  return "?";
}

std::string expr_shape(const std::string& expression) {
  auto p = parse("workflow w() { x = " + expression + " }");
  INFO(p->errors());
  REQUIRE(p->diags.all().empty());
  return shape(first_value(*p));
}

}  // namespace

TEST_CASE("operator precedence and associativity", "[parser]") {
  CHECK(expr_shape("1 + 2 * 3") == "(1 + (2 * 3))");
  CHECK(expr_shape("1 - 2 - 3") == "((1 - 2) - 3)");
  CHECK(expr_shape("a || b && c") == "(a || (b && c))");
  CHECK(expr_shape("a == b && c != d") == "((a == b) && (c != d))");
  CHECK(expr_shape("a < b + 1") == "(a < (b + 1))");
  CHECK(expr_shape("a ?? b ?? c") == "(a ?? (b ?? c))");
  CHECK(expr_shape("a ?? b + 1") == "(a ?? (b + 1))");
  CHECK(expr_shape("a + b ?? c") == "((a + b) ?? c)");
  CHECK(expr_shape("x > 0 && y ?? 1 < 2") == "((x > 0) && ((y ?? 1) < 2))");
  CHECK(expr_shape("-a.b[0] * !c") == "((-a.b[0]) * (!c))");
  CHECK(expr_shape("- - 3") == "3");  // folded into the literal twice
  CHECK(expr_shape("(1 + 2) * 3") == "((1 + 2) * 3)");
  CHECK(expr_shape("f(a, b = 2).out") == "f(a, b=2).out");
  CHECK(expr_shape("a % 2 == 0") == "((a % 2) == 0)");
}

TEST_CASE("comparisons do not chain", "[parser]") {
  auto p = parse("workflow w() { x = a < b < c }");
  REQUIRE(p->diags.all().size() == 1);
  CHECK(diag_info(p->diags.all()[0].id).code == "E0201");
}

TEST_CASE("a valid program needs no LL fallback", "[parser]") {
  auto p = parse(R"(
    import "lib.flow"
    type S = { id: str, n: int? }
    op f(a: int, b: list[str] = ["x", "y",], ) -> (o: file = "o.txt", c: int) {
        resources { cpus = a, mem = 2GiB }
        retry { attempts = 2, exit_codes = [75] }
        run "echo ${a} > ${o}"
    }
    workflow w(xs: list[int], m: map[str, int] = {"a": 1}) -> (r: file) {
        for x in xs with { min_success = 1 } {
            g = f(a = x) with { optional = true }
        }
        if len(xs) > 2 { y = 1 } else if len(xs) > 1 { y = 2 } else { y = 3 }
        return (r = f(a = 1).o,)
    })");
  INFO(p->errors());
  CHECK(p->diags.all().empty());
  CHECK_FALSE(p->stats.used_ll_fallback);
  REQUIRE(p->module->ops.size() == 1);
  const ast::OpDecl& op = p->module->ops[0];
  CHECK(op.inputs.size() == 2);
  CHECK(op.outputs.size() == 2);
  CHECK(op.clauses.size() == 3);
  REQUIRE(p->module->workflows.size() == 1);
  const ast::Block& body = p->module->workflows[0].body;
  REQUIRE(body.stmts.size() == 3);
  const auto* branch = body.stmts[1].as<ast::IfStmt>();
  REQUIRE(branch);
  CHECK(branch->arms.size() == 2);
  CHECK(branch->else_block.has_value());
  const auto* loop = body.stmts[0].as<ast::ForStmt>();
  REQUIRE(loop);
  CHECK(loop->options);
  CHECK(loop->body.stmts[0].as<ast::BindStmt>()->options);
}

TEST_CASE("braces make a record, a map, or an empty map", "[parser]") {
  auto p = parse(R"(workflow w() { a = { x = 1, y = 2 }  b = { "k": 1 }  c = {} })");
  REQUIRE(p->diags.all().empty());
  const auto& stmts = p->module->workflows[0].body.stmts;
  CHECK(stmts[0].as<ast::BindStmt>()->value->as<ast::RecordExpr>()->fields.size() == 2);
  CHECK(stmts[1].as<ast::BindStmt>()->value->as<ast::MapExpr>()->entries.size() == 1);
  CHECK(stmts[2].as<ast::BindStmt>()->value->as<ast::MapExpr>()->entries.empty());
}

TEST_CASE("what the LL(1) grammar accepts, the builder refuses", "[parser]") {
  struct Case {
    const char* text;
    const char* code;
    const char* message;
  };
  Case cases[] = {
      {"workflow w() { x = [1,,2] }", "E0207", "two commas in a row"},
      {"workflow w() { x = f(1 + 2 = 3) }", "E0211", "expected an input name before `=`"},
      {"workflow w() { x = { a = 1, \"b\": 2 } }", "E0212", "this mixes both"},
      {"workflow w() { x = { f(1) = 2 } }", "E0211", "expected a plain field name before `=`"},
      {"workflow w() { if a { } else { } else { } }", "E0209", "`else` after the final `else`"},
      {"workflow w() -> (o: int) { return (o: 1) }", "E0210", "expected `=` after the name"},
      {"workflow w() -> (o: int) { return (1 = 1) }", "E0211", "expected a name before `=`"},
      {"import \"${x}.flow\"", "E0208", "an import path must be a plain string"},
  };
  for (const Case& c : cases) {
    auto p = parse(c.text);
    INFO(c.text << "\n" << p->errors());
    REQUIRE(p->diags.all().size() == 1);
    CHECK(diag_info(p->diags.all()[0].id).code == c.code);
    CHECK(p->diags.all()[0].message.find(c.message) != std::string::npos);
    CHECK_FALSE(p->diags.all()[0].help.empty());
  }
}

TEST_CASE("syntax errors are reworded for people", "[parser]") {
  struct Case {
    const char* text;
    const char* code;
    const char* message;
    const char* help;
  };
  Case cases[] = {
      {"workflow w() { greet(name = 1) }", "E0200", "expected `=`, found `(`", "a call is a step with a name"},
      {"workflow w() { if x = 1 { } }", "E0200", "found `=`", "use `==`"},
      {"op f(x) -> () { run \"\" }", "E0200", "expected `:`", "every input and output has a type"},
      {"workflow w() -> (o: int) { return o }", "E0200", "expected `(`", "`return` names the outputs"},
      {"workflow w() { x = f(a = 1 b = 2) }", "E0200", "found `b`", "separate the items with `,`"},
      {"def f() { }", "E0206", "`def` is not a keyword", "a task is declared with `op`"},
      {"x = 1", "E0200", "expected a declaration", "statements belong inside a `workflow"},
      {"workflow w(type: int) { }", "E0205", "`type` is a keyword", "choose another name"},
      {"op f() -> () { image = \"x\" }", "E0204", "`=`", "an op clause has no `=`"},
      {"workflow w() { x = 1 } elif", "E0206", "`elif` is not a keyword", "write `else if`"},
      {"workflow w() { x = [1, 2 }", "E0203", "`[` is not closed", "close it with `]`"},
      {"workflow w() { x = 1 } }", "E0204", "unexpected `}`", "expected"},
  };
  for (const Case& c : cases) {
    auto p = parse(c.text);
    INFO(c.text << "\n" << p->errors());
    REQUIRE(!p->diags.all().empty());
    const Diagnostic& d = p->diags.all()[0];
    CHECK(diag_info(d.id).code == c.code);
    CHECK(d.message.find(c.message) != std::string::npos);
    CHECK(d.help.find(c.help) != std::string::npos);
  }
}

// The parser's kinds are the E02 codes but for the two the checker reports;
// is_syntax_error() must know them all, or the echoes of a lexical error
// (syntax errors after an unterminated string) would be reported again.
TEST_CASE("every parser kind of E02 is known as a syntax error", "[parser]") {
  for (const DiagInfo& info : all_diag_infos()) {
    bool parser_kind =
        info.code.substr(0, 3) == "E02" && info.id != DiagId::ChainedComparison && info.id != DiagId::ExpressionTooLong;
    INFO(info.code << " " << info.name);
    CHECK(syntax::is_syntax_error(info.id) == parser_kind);
  }
}

TEST_CASE("a syntax error after an unterminated string is not reported", "[parser]") {
  auto p = parse("workflow w() {\n  x = \"open\n  y = [1,,2] }\nop o() -> () { run \"x\" } }\n");
  INFO(p->errors());
  REQUIRE(!p->diags.all().empty());
  CHECK(diag_info(p->diags.all()[0].id).code == "E0101");
  for (const Diagnostic& d : p->diags.all()) CHECK_FALSE(syntax::is_syntax_error(d.id));
}

TEST_CASE("an unclosed bracket is named in a note", "[parser]") {
  auto p = parse("workflow w() {\n  x = f(a = 1\n  y = 2\n}");
  REQUIRE(!p->diags.all().empty());
  const Diagnostic& d = p->diags.all()[0];
  CHECK(d.id == DiagId::UnclosedBracket);
  CHECK(d.message == "`(` is not closed: expected `)` or `,`, found `y`");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].message == "opened here");
  CHECK(p->sources.file(0).line_col(d.notes[0].span.begin).line == 2);
  // The error points right after `1`, where the `)` belongs, not at `y`.
  CHECK(p->sources.file(0).line_col(d.span.begin).line == 2);
}

TEST_CASE("one syntax error per declaration, and the next declaration still parses", "[parser]") {
  auto p = parse("workflow a() { x = ( }\nworkflow b() { y = ] }\nop c() -> () { run \"ok\" }");
  CHECK(p->diags.all().size() == 2);
  REQUIRE(p->module->ops.size() == 1);
  CHECK(p->module->ops[0].name.text == "c");
}

TEST_CASE("triple-quoted text loses its indentation, not its meaning", "[parser]") {
  auto p = parse(
      "op f(x: str) -> () {\n    run \"\"\"\n        echo ${x}   \n          indented\n\n        last\n    \"\"\"\n}");
  REQUIRE(p->diags.all().empty());
  const auto* s = p->module->ops[0].clauses[0].value->as<ast::StringLit>();
  REQUIRE(s);
  REQUIRE(s->parts.size() == 3);
  CHECK(s->parts[0].text == "echo ");
  CHECK(s->parts[1].expr);
  CHECK(s->parts[2].text == "\n  indented\n\nlast");
}

TEST_CASE("re-indenting a run block gives the same command", "[parser]") {
  auto text_of = [](const std::string& source) {
    auto p = parse(source);
    REQUIRE(p->diags.all().empty());
    std::string out;
    for (const ast::StringPart& part : p->module->ops[0].clauses[0].value->as<ast::StringLit>()->parts) {
      out += part.expr ? "<x>" : part.text;
    }
    return out;
  };
  std::string a = text_of("op f(x: str) -> () {\n  run \"\"\"\n    a ${x}\n      b\n  \"\"\"\n}");
  std::string b =
      text_of("op f(x: str) -> () {\n        run \"\"\"\n            a ${x}   \n              b\n        \"\"\"\n}");
  CHECK(a == b);
  CHECK(a == "a <x>\n  b");
}

TEST_CASE("doc comments attach to the declaration right below", "[parser]") {
  auto p = parse("/// Says hello.\n/// Twice.\nop f() -> () { run \"\" }\n\n/// Orphan.\n\nop g() -> () { run \"\" }");
  REQUIRE(p->module->ops.size() == 2);
  CHECK(p->module->ops[0].doc == "Says hello.\nTwice.");
  CHECK(p->module->ops[1].doc.empty());
}

TEST_CASE("spans cover what they name", "[parser]") {
  auto p = parse("workflow w() { total = count + 1 }");
  const ast::Expr& e = first_value(*p);
  CHECK(p->sources.file(0).slice(e.span) == "count + 1");
  CHECK(p->sources.file(0).slice(e.as<ast::BinaryExpr>()->op_span) == "+");
}

namespace {

// A file of `n` documented ops and workflows, about 60 tokens each: the
// parser takes a valid file one declaration at a time (parser.cpp), and
// starts over with ANTLR at the first syntax error. `broken` replaces the
// workflow body of step `at`.
std::string many_steps(int n, int at = -1, const std::string& broken = "") {
  std::string text;
  for (int i = 0; i < n; ++i) {
    std::string s = std::to_string(i);
    text += "/// Step " + s + ".\nop step" + s + "(x: int, name: str = \"s" + s + "\") -> (out: file) {\n" +
            "  resources { cpus = 1, mem = 1GiB }\n  run \"echo ${name} ${x + " + s + "} > ${out}\"\n}\n" +
            "workflow flow" + s + "(x: int) -> (out: file) {\n" +
            (i == at ? broken : "  a = step" + s + "(x = [x * 2, 1][0])\n  return (out = a.out)\n") + "}\n";
  }
  return text;
}

}  // namespace

TEST_CASE("a large file is parsed declaration by declaration with the same result as whole", "[parser]") {
  auto p = parse(many_steps(2000));
  INFO(p->errors());
  CHECK(p->diags.all().empty());
  CHECK_FALSE(p->stats.used_ll_fallback);
  REQUIRE(p->module->ops.size() == 2000);
  REQUIRE(p->module->workflows.size() == 2000);
  for (int i : {0, 1, 777, 1999}) {
    const ast::OpDecl& op = p->module->ops[i];
    const ast::WorkflowDecl& wf = p->module->workflows[i];
    std::string s = std::to_string(i);
    CHECK(op.name.text == "step" + s);
    CHECK(op.doc == "Step " + s + ".");
    CHECK(p->sources.file(op.span.file).slice(op.span).substr(0, 10 + s.size()) == "op step" + s + "(x:");
    CHECK(p->sources.file(wf.span.file).slice(wf.span).substr(0, 16 + s.size()) == "workflow flow" + s + "(x:");
  }
  CHECK(shape(first_value(*p)) == "step0(x=?[0])");
  CHECK(shape(*p->module->workflows[1999].body.stmts.at(0).as<ast::BindStmt>()->value) == "step1999(x=?[0])");
}

TEST_CASE("a mistake late in a large file is reported once and where it is", "[parser]") {
  SECTION("a syntax error: the file is parsed whole again, with recovery") {
    auto p = parse(many_steps(2000, 1500, "  a = step1500(x = x *)\n  return (out = a.out)\n"));
    CHECK(p->stats.used_ll_fallback);
    REQUIRE(p->diags.all().size() == 1);
    CHECK(p->sources.file(p->diags.all()[0].span.file).line_col(p->diags.all()[0].span.begin).line == 1500 * 9 + 7);
    CHECK(p->module->ops.size() == 2000);
  }
  SECTION("a mistake the AST builder finds: reported once, not once per attempt") {
    auto p = parse(many_steps(2000, 1500, "  a = step1500(x = [1,,2][0])\n  return (out = a.out)\n"));
    CHECK_FALSE(p->stats.used_ll_fallback);
    REQUIRE(p->diags.all().size() == 1);
    CHECK(p->diags.all()[0].message == "two commas in a row");
    CHECK(p->sources.file(p->diags.all()[0].span.file).line_col(p->diags.all()[0].span.begin).line == 1500 * 9 + 7);
  }
  SECTION("both: each once, though the first declarations were built before the second mistake was found") {
    std::string text = many_steps(2000, 100, "  a = step100(x = [1,,2][0])\n  return (out = a.out)\n");
    std::string good = "  a = step1500(x = [x * 2, 1][0])";
    text.replace(text.find(good), good.size(), "  a = step1500(x = x *)");
    auto p = parse(text);
    INFO(p->errors());
    CHECK(p->stats.used_ll_fallback);
    REQUIRE(p->diags.all().size() == 2);  // not the two commas twice
    CHECK(p->errors().find("t.flow:907:22: error[E0207]: two commas in a row") != std::string::npos);
    CHECK(p->errors().find("t.flow:13507:23: error[E0200]: expected an expression") != std::string::npos);
  }
}
