// The hand-written LL(1) parser against ANTLR's parser for the same grammar:
// on every .flow file of the repository, and on many token sequences made
// by mutating them, both must accept the same inputs and build the same
// tree. A difference here is either a missed syntax error or an AST that
// changed meaning, so the test compares every node and token.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "compiler/syntax/antlr_parse.h"
#include "compiler/syntax/lexer.h"
#include "compiler/syntax/ll1_parser.h"
#include "compiler/syntax/parser.h"
#include "compiler/syntax/syntax_errors.h"

namespace fs = std::filesystem;
using namespace flowc;
using namespace flowc::syntax;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> repository_flow_files() {
  std::vector<fs::path> out;
  for (const char* dir : {"examples", "stdlib-ops", "tests", "bench"}) {
    fs::path root = fs::path(FLOWC_SOURCE_DIR) / dir;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file() && e.path().extension() == ".flow") out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "" when both trees are the same, else where they first differ.
std::string difference(const ParseTree& a, const ParseTree& b, ParseTree::NodeId x, ParseTree::NodeId y) {
  const ParseTree::Node& n = a.node(x);
  const ParseTree::Node& m = b.node(y);
  if (n.rule != m.rule || n.start != m.start || n.stop != m.stop || n.count != m.count) {
    return "rule " + std::to_string(static_cast<int>(n.rule)) + " at token " + std::to_string(n.start) + ".." +
           std::to_string(n.stop) + " (" + std::to_string(n.count) + " children) vs rule " +
           std::to_string(static_cast<int>(m.rule)) + " at " + std::to_string(m.start) + ".." + std::to_string(m.stop) +
           " (" + std::to_string(m.count) + ")";
  }
  for (uint32_t i = 0; i < n.count; ++i) {
    ParseTree::Child c = a.child(n, i), d = b.child(m, i);
    if (c.is_node() != d.is_node())
      return "child " + std::to_string(i) + " of a node at token " + std::to_string(n.start);
    if (c.is_node()) {
      if (std::string diff = difference(a, b, c.index(), d.index()); !diff.empty()) return diff;
    } else if (c.index() != d.index()) {
      return "token child " + std::to_string(i) + " of a node at token " + std::to_string(n.start);
    }
  }
  return "";
}

struct Outcome {
  bool ll1_ok, antlr_ok;
  std::string diff;
};

Outcome compare(const LexResult& lexed, const SourceFile& file) {
  Diagnostics diags;
  ParseTree fast, antlr;
  Outcome o{parse_ll1(lexed, fast), parse_with_antlr(lexed, file, diags, AntlrMode::StopAtError, antlr), ""};
  if (o.ll1_ok && o.antlr_ok) o.diff = difference(fast, antlr, fast.root(), antlr.root());
  return o;
}

}  // namespace

TEST_CASE("the LL(1) parser builds ANTLR's tree for every .flow file in the repository", "[parser][ll1]") {
  auto files = repository_flow_files();
  REQUIRE(files.size() > 50);
  size_t accepted = 0;
  for (const fs::path& p : files) {
    SourceManager sources;
    Diagnostics diags;
    const SourceFile& f = sources.add(p.string(), read(p));
    LexResult lexed = lex(f, diags);
    if (lexed.fatal) continue;
    Outcome o = compare(lexed, f);
    INFO(p.string());
    CHECK(o.ll1_ok == o.antlr_ok);
    CHECK(o.diff == "");
    accepted += o.ll1_ok;
  }
  CHECK(accepted > files.size() / 2);  // most files are valid: the comparison is of real trees
}

TEST_CASE("the LL(1) parser accepts exactly what ANTLR accepts on mutated token sequences", "[parser][ll1]") {
  // Token kinds are what both parsers read: deleting, repeating, swapping
  // and replacing tokens reaches every decision of the grammar with inputs
  // that are nearly right, where a difference would hide.
  auto files = repository_flow_files();
  std::mt19937 rng(20261206);
  constexpr int kLastKind = static_cast<int>(TokenKind::EndOfFile) - 1;
  size_t tries = 0, both_accepted = 0;
  for (const fs::path& p : files) {
    SourceManager sources;
    Diagnostics diags;
    const SourceFile& f = sources.add(p.string(), read(p));
    LexResult original = lex(f, diags);
    if (original.fatal || original.tokens.size() < 3) continue;
    for (int m = 0; m < 60; ++m) {
      LexResult lexed = original;
      std::vector<Token>& t = lexed.tokens;
      size_t count = 1 + rng() % 3;
      for (size_t k = 0; k < count && t.size() > 2; ++k) {
        size_t i = rng() % (t.size() - 1);  // never the final EndOfFile
        switch (rng() % 4) {
          case 0: t.erase(t.begin() + static_cast<long>(i)); break;
          case 1: t.insert(t.begin() + static_cast<long>(i), t[i]); break;
          case 2: std::swap(t[i], t[i + 1 < t.size() - 1 ? i + 1 : i]); break;
          default: t[i].kind = static_cast<TokenKind>(1 + rng() % kLastKind); break;
        }
      }
      Outcome o = compare(lexed, f);
      INFO(p.string() << ", mutation " << m);
      REQUIRE(o.ll1_ok == o.antlr_ok);
      REQUIRE(o.diff == "");
      ++tries;
      both_accepted += o.ll1_ok;
    }
  }
  CHECK(tries > 3000);
  CHECK(both_accepted > 100);  // some mutations stay valid (a repeated statement): trees compared there too
}

TEST_CASE("a file with a syntax error is parsed again by ANTLR, which reports it", "[parser][ll1]") {
  SourceManager sources;
  Diagnostics diags;
  const SourceFile& f = sources.add("t.flow", "workflow w() { x = (1 + }\nop o() { run \"x\" }\n");
  ParseStats stats;
  auto module = parse_file(f, diags, &stats);
  CHECK(stats.used_ll_fallback);
  REQUIRE(diags.error_count() == 1);
  CHECK(is_syntax_error(diags.all()[0].id));
  // Recovery goes on after the broken declaration.
  REQUIRE(module->ops.size() == 1);
  CHECK(module->ops[0].name.text == "o");
}

TEST_CASE("a syntax error after valid declarations: they are built once, from ANTLR's tree, strings intact",
          "[parser][ll1]") {
  // Valid declarations are built one by one as the LL(1) parser reads them;
  // at a later syntax error that work is taken back (what the builder said,
  // the string texts it took) and the file is read again by ANTLR.
  SourceManager sources;
  Diagnostics diags;
  const SourceFile& f = sources.add("t.flow", R"(import "lib/helpers.flow"
op a(x: int,, y: int) -> (o: file) { run "echo ${x} > ${o}" }
workflow w() { v = (1 + }
)");
  ParseStats stats;
  auto module = parse_file(f, diags, &stats);
  CHECK(stats.used_ll_fallback);
  REQUIRE(module->imports.size() == 1);
  CHECK(module->imports[0].path == "lib/helpers.flow");
  REQUIRE(module->ops.size() == 1);
  const auto& parts = module->ops[0].clauses.at(0).value->as<ast::StringLit>()->parts;
  REQUIRE(parts.size() == 4);
  CHECK(parts[0].text == "echo ");
  CHECK(parts[2].text == " > ");
  size_t commas = 0, syntax = 0;
  for (const Diagnostic& d : diags.all()) {
    if (d.message.find("two commas in a row") != std::string::npos) ++commas;
    if (is_syntax_error(d.id)) ++syntax;
  }
  CHECK(commas == 1);  // said once, though the first pass had read that op too
  CHECK(syntax == 2);  // the commas, and the broken expression
}
