// The lexer: token kinds, numbers with units, strings and interpolation
// modes, doc comments, and its errors.
#include <catch2/catch.hpp>

#include "compiler/syntax/lexer.h"

using namespace flowc;
using namespace flowc::syntax;
using K = TokenKind;

namespace {

struct Lexed {
  SourceManager sources;
  Diagnostics diags;
  LexResult result;
  std::vector<K> kinds() const {
    std::vector<K> out;
    for (const Token& t : result.tokens) out.push_back(t.kind);
    return out;
  }
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags.all()) out.emplace_back(diag_info(d.id).code);
    return out;
  }
};

std::unique_ptr<Lexed> lex_text(const std::string& text) {
  auto l = std::make_unique<Lexed>();
  const SourceFile& f = l->sources.add("t.flow", text);
  l->result = lex(f, l->diags);
  return l;
}

}  // namespace

TEST_CASE("keywords, names and punctuation", "[lexer]") {
  auto l = lex_text(
      "op workflow for in if else return with true false none import type x_1 -> ?? || && == != <= >= < > = ? . , :");
  CHECK(l->kinds() == std::vector<K>{K::KW_OP,     K::KW_WORKFLOW, K::KW_FOR,  K::KW_IN,    K::KW_IF,   K::KW_ELSE,
                                     K::KW_RETURN, K::KW_WITH,     K::KW_TRUE, K::KW_FALSE, K::KW_NONE, K::KW_IMPORT,
                                     K::KW_TYPE,   K::IDENT,       K::ARROW,   K::COALESCE, K::OROR,    K::ANDAND,
                                     K::EQ,        K::NE,          K::LE,      K::GE,       K::LT,      K::GT,
                                     K::ASSIGN,    K::QUESTION,    K::DOT,     K::COMMA,    K::COLON,   K::EndOfFile});
  CHECK(l->diags.all().empty());
}

TEST_CASE("type names are plain identifiers, not keywords", "[lexer]") {
  auto l = lex_text("int str file list stream");
  for (size_t i = 0; i < 5; ++i) CHECK(l->result.tokens[i].kind == K::IDENT);
}

TEST_CASE("numbers and units", "[lexer]") {
  auto l = lex_text("42 1_000 2.5 1e3 8GiB 512MB 1.5KiB 30s 10m 2h 1d 250ms");
  const auto& t = l->result.tokens;
  const auto& n = l->result.numbers;
  REQUIRE(l->diags.all().empty());
  CHECK(t[0].kind == K::INT);
  CHECK(n[t[0].payload].integer == 42);
  CHECK(n[t[1].payload].integer == 1000);
  CHECK(t[2].kind == K::FLOAT);
  CHECK(n[t[2].payload].real == Approx(2.5));
  CHECK(t[3].kind == K::FLOAT);
  CHECK(n[t[3].payload].real == Approx(1000));
  CHECK(t[4].kind == K::SIZE);
  CHECK(n[t[4].payload].integer == 8LL * 1024 * 1024 * 1024);
  CHECK(n[t[5].payload].integer == 512000000);
  CHECK(n[t[6].payload].integer == 1536);
  CHECK(t[7].kind == K::DURATION);
  CHECK(n[t[7].payload].real == Approx(30));
  CHECK(n[t[8].payload].real == Approx(600));
  CHECK(n[t[9].payload].real == Approx(7200));
  CHECK(n[t[10].payload].real == Approx(86400));
  CHECK(n[t[11].payload].real == Approx(0.25));
}

TEST_CASE("unknown units and huge numbers are errors with hints", "[lexer]") {
  auto l = lex_text("8gb 8G 99999999999999999999 3xyz");
  CHECK(l->codes() == std::vector<std::string>{"E0109", "E0109", "E0110", "E0109"});
  CHECK(l->diags.all()[0].help == "did you mean `GB`?");
  CHECK(l->diags.all()[1].help.find("8GiB") == std::string::npos);  // the hint names the unit, not the value
  CHECK(l->diags.all()[1].help.find("GiB") != std::string::npos);
}

TEST_CASE("strings: text, escapes and interpolation", "[lexer]") {
  auto l = lex_text(R"("a\tb ${x + f("in ${y}")} c$${HOME}")");
  CHECK(l->kinds() == std::vector<K>{K::STR_OPEN, K::STR_TEXT, K::INTERP_OPEN, K::IDENT, K::PLUS, K::IDENT, K::LPAREN,
                                     K::STR_OPEN, K::STR_TEXT, K::INTERP_OPEN, K::IDENT, K::INTERP_CLOSE, K::STR_CLOSE,
                                     K::RPAREN, K::INTERP_CLOSE, K::STR_TEXT, K::STR_CLOSE, K::EndOfFile});
  const auto& t = l->result.tokens;
  CHECK(l->result.texts[t[1].payload] == "a\tb ");
  CHECK(l->result.texts[t[15].payload] == " c${HOME}");
  CHECK(l->diags.all().empty());
}

TEST_CASE("braces inside an interpolation do not end it", "[lexer]") {
  auto l = lex_text(R"("${ {a = 1}.a }")");
  CHECK(l->kinds() == std::vector<K>{K::STR_OPEN, K::INTERP_OPEN, K::LBRACE, K::IDENT, K::ASSIGN, K::INT, K::RBRACE,
                                     K::DOT, K::IDENT, K::INTERP_CLOSE, K::STR_CLOSE, K::EndOfFile});
}

TEST_CASE("triple-quoted strings are raw and multi-line", "[lexer]") {
  auto l = lex_text("\"\"\"\n  echo \"hi\" \\n ${x}\n  \"\"\"");
  const auto& t = l->result.tokens;
  REQUIRE(t[0].kind == K::STR_OPEN);
  CHECK(t[0].triple);
  CHECK(l->result.texts[t[1].payload] == "\n  echo \"hi\" \\n ");
  CHECK(l->diags.all().empty());
}

TEST_CASE("a run of quotes ends a triple-quoted string at its last three", "[lexer]") {
  auto l = lex_text("\"\"\"say \"hi\"\"\"\"");
  const auto& t = l->result.tokens;
  CHECK(l->result.texts[t[1].payload] == "say \"hi\"");
  CHECK(t[2].kind == K::STR_CLOSE);
}

TEST_CASE("unterminated strings point at the opening quote", "[lexer]") {
  auto l = lex_text("x = \"abc\ny = 1");
  REQUIRE(l->codes() == std::vector<std::string>{"E0101"});
  CHECK(l->diags.all()[0].span.begin == 4);
  // Lexing goes on after the line: `y = 1` is still there.
  CHECK(l->kinds().size() > 6);

  auto triple = lex_text("run \"\"\"\n  never ends");
  CHECK(triple->codes() == std::vector<std::string>{"E0102"});

  auto interp = lex_text("\"${x");
  CHECK(interp->codes() == std::vector<std::string>{"E0103"});
}

TEST_CASE("an interpolation ends on its line: a forgotten } is one error", "[lexer]") {
  auto newline = lex_text("run \"echo ${name > out\nx = 1");
  REQUIRE(newline->codes() == std::vector<std::string>{"E0103"});
  CHECK(newline->diags.all()[0].span.begin == 10);  // at the `${`
  // Another `${` inside one means the first was not closed.
  auto nested = lex_text("\"echo ${name > ${msg}\"");
  REQUIRE(nested->codes() == std::vector<std::string>{"E0103"});
  CHECK(nested->diags.all()[0].span.begin == 6);
  // A string opened inside the unclosed `${` is not blamed as well.
  auto quote = lex_text("\"\"\"\necho \"Hello, ${name!\" > ${msg}\n\"\"\"");
  CHECK(quote->codes() == std::vector<std::string>{"E0103"});
}

TEST_CASE("comments and doc comments", "[lexer]") {
  auto l = lex_text("// plain\n/// first line\n///   second\nop /* block */ x\n//// not a doc\n");
  CHECK(l->kinds() == std::vector<K>{K::KW_OP, K::IDENT, K::EndOfFile});
  REQUIRE(l->result.docs.size() == 1);
  CHECK(l->result.docs[0].text == "first line\n  second");

  auto open = lex_text("/* never closed");
  CHECK(open->codes() == std::vector<std::string>{"E0104"});
}

TEST_CASE("unexpected characters get hints", "[lexer]") {
  auto l = lex_text("# comment\nx ; y");
  REQUIRE(l->codes() == std::vector<std::string>{"E0105", "E0105"});
  CHECK(l->diags.all()[0].help == "comments start with `//`");
  CHECK(l->diags.all()[1].help.find("`;`") != std::string::npos);

  auto unicode = lex_text("x = \xE2\x80\x9Chi\xE2\x80\x9D");
  REQUIRE(!unicode->diags.all().empty());
  CHECK(unicode->diags.all()[0].message.find("U+201C") != std::string::npos);
}

TEST_CASE("binary and non-UTF-8 input is refused whole", "[lexer]") {
  auto nul = lex_text(std::string("op x\0y", 6));
  CHECK(nul->codes() == std::vector<std::string>{"E0107"});
  CHECK(nul->result.fatal);

  auto bad = lex_text("op \xff\xfe x");
  CHECK(bad->codes() == std::vector<std::string>{"E0106"});
  CHECK(bad->diags.all()[0].span.begin == 3);
  CHECK(bad->result.fatal);

  auto overlong = lex_text("\xC0\xAF");  // an overlong encoding of '/'
  CHECK(overlong->codes() == std::vector<std::string>{"E0106"});
}

TEST_CASE("nesting beyond the limit stops lexing with one error", "[lexer]") {
  std::string deep = "x = " + std::string(kMaxNesting + 5, '(') + "1" + std::string(kMaxNesting + 5, ')');
  auto l = lex_text(deep);
  CHECK(l->codes() == std::vector<std::string>{"E0111"});
  CHECK(l->result.fatal);

  std::string fine = "x = " + std::string(kMaxNesting - 1, '[') + std::string(kMaxNesting - 1, ']');
  CHECK(lex_text(fine)->diags.all().empty());
}

TEST_CASE("a flood of errors stops at a cap", "[lexer]") {
  auto l = lex_text(std::string(500, '@'));
  CHECK(l->diags.all().size() <= 52);
  CHECK(l->codes().back() == "E0112");
  CHECK(l->result.fatal);
}

TEST_CASE("a byte order mark is skipped", "[lexer]") {
  auto l = lex_text("\xEF\xBB\xBFop");
  CHECK(l->kinds() == std::vector<K>{K::KW_OP, K::EndOfFile});
}
