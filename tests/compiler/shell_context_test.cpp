// The quoting context of each ${...} in a run command, found by scanning the
// shell text around it.
#include <catch2/catch.hpp>

#include "compiler/check/shell_context.h"
#include "compiler/syntax/parser.h"

using namespace flowc;
using C = ast::ShellContext;

namespace {

// The contexts of the interpolations in `command` (written as flow source).
std::vector<C> contexts(const std::string& command) {
  SourceManager sources;
  Diagnostics diags;
  const SourceFile& f = sources.add("t.flow", "op f() -> () { run " + command + " }");
  auto module = syntax::parse_file(f, diags);
  REQUIRE(diags.all().empty());
  auto& parts = module->ops.at(0).clauses.at(0).value->as<ast::StringLit>()->parts;
  check::annotate_shell_contexts(parts);
  std::vector<C> out;
  for (const ast::StringPart& p : parts) {
    if (p.expr) out.push_back(p.shell);
  }
  return out;
}

}  // namespace

TEST_CASE("bare words, double and single quotes", "[shell]") {
  CHECK(contexts(R"("cat ${a} > ${b}")") == std::vector<C>{C::Bare, C::Bare});
  CHECK(contexts(R"("echo \"Hello, ${name}!\"")") == std::vector<C>{C::Double});
  CHECK(contexts(R"("echo 'x ${a}' \"${b}\" ${c}")") == std::vector<C>{C::Single, C::Double, C::Bare});
}

TEST_CASE("quotes inside the other kind do not count", "[shell]") {
  CHECK(contexts(R"("echo \"it's ${a}\" ${b}")") == std::vector<C>{C::Double, C::Bare});
  CHECK(contexts(R"("echo 'say \"hi\" ${a}' ${b}")") == std::vector<C>{C::Single, C::Bare});
}

TEST_CASE("backslash escapes a quote", "[shell]") { CHECK(contexts(R"("echo \\\" ${a}")") == std::vector<C>{C::Bare}); }

TEST_CASE("command substitution restarts quoting", "[shell]") {
  CHECK(contexts(R"("echo \"$(cat ${a})\" \"${b}\"")") == std::vector<C>{C::Bare, C::Double});
  CHECK(contexts(R"("x=\"`basename ${a}`\"")") == std::vector<C>{C::Bare});
  CHECK(contexts(R"("echo \"$(f $(g ${a}) ${b})\"")") == std::vector<C>{C::Bare, C::Bare});
}

TEST_CASE("comments are bare, a # inside a word is not a comment", "[shell]") {
  CHECK(contexts("\"\"\"\n# note about ${a}\necho x#${b} '${c}'\n\"\"\"") ==
        std::vector<C>{C::Bare, C::Bare, C::Single});
  CHECK(contexts("\"\"\"\n# it's ${a}\necho '${b}'\n\"\"\"") == std::vector<C>{C::Bare, C::Single});
}

TEST_CASE("here-documents", "[shell]") {
  CHECK(contexts("\"\"\"\ncat <<EOF > ${out}\nvalue: ${a}\nEOF\necho '${b}'\n\"\"\"") ==
        std::vector<C>{C::Bare, C::Heredoc, C::Single});
  CHECK(contexts("\"\"\"\ncat <<'EOF'\nvalue: ${a}\nEOF\n\"\"\"") == std::vector<C>{C::Literal});
  CHECK(contexts("\"\"\"\ncat <<-\"END\"\n\tit's ${a}\n\tEND\necho ${b}\n\"\"\"") ==
        std::vector<C>{C::Literal, C::Bare});
  // A line that only starts like the delimiter does not end the document.
  CHECK(contexts("\"\"\"\ncat <<EOF\nEOF2 ${a}\nEOF\n${b}\n\"\"\"") == std::vector<C>{C::Heredoc, C::Bare});
  // Here-strings are not here-documents.
  CHECK(contexts(R"("cat <<< ${a}")") == std::vector<C>{C::Bare});
}

TEST_CASE("shell variables written $${...} do not disturb the scan", "[shell]") {
  CHECK(contexts(R"("for f in $${DIR}/*; do echo \"$f ${a}\"; done")") == std::vector<C>{C::Double});
}

TEST_CASE("arithmetic expansion is its own context", "[shell]") {
  CHECK(contexts(R"("echo $((${a} % 3)) ${b}")") == std::vector<C>{C::Arithmetic, C::Bare});
  CHECK(contexts(R"x("n=$(( (${a} + 1) * ${b} ))")x") == std::vector<C>{C::Arithmetic, C::Arithmetic});
  CHECK(contexts(R"("echo \"$((${a}))\" \"${b}\"")") == std::vector<C>{C::Arithmetic, C::Double});
  CHECK(contexts(R"x("x=$(( $(wc -l < ${f}) + ${n} ))")x") == std::vector<C>{C::Bare, C::Arithmetic});
}

TEST_CASE("backtick depth, comments and here-document delimiters are recorded", "[shell]") {
  SourceManager sources;
  Diagnostics diags;
  const SourceFile& f = sources.add("t.flow", R"(op f() -> () { run """
echo `basename ${a}` "`echo \`cat ${b}\``"
# note ${c}
cat <<-END
	${d}
	END
""" })");
  auto module = syntax::parse_file(f, diags);
  REQUIRE(diags.all().empty());
  auto& parts = module->ops.at(0).clauses.at(0).value->as<ast::StringLit>()->parts;
  check::annotate_shell_contexts(parts);
  std::vector<const ast::StringPart*> x;
  for (const ast::StringPart& p : parts) {
    if (p.expr) x.push_back(&p);
  }
  REQUIRE(x.size() == 4);
  CHECK(x[0]->backticks == 1);
  CHECK(x[1]->backticks == 2);
  CHECK(x[2]->comment);
  CHECK(x[2]->backticks == 0);
  CHECK(x[3]->heredoc_end == "END");
  CHECK(x[3]->heredoc_strip_tabs);
  CHECK_FALSE(x[0]->comment);
}

TEST_CASE("the word of a parameter expansion ${name:-word} is its own context", "[shell]") {
  // Inside double quotes, a `}` in a value would end the expansion early:
  // its own context, quoted as a nested "..." (issue 15).
  CHECK(contexts(R"("echo \"$${UNSET:-${v}}\" ${b}")") == std::vector<C>{C::Parameter, C::Bare});
  CHECK(contexts(R"("echo \"x$${U:+${a}y} ${b}\"")") == std::vector<C>{C::Parameter, C::Double});
  // Quotes nest inside the word: "${U:-"${v}"}" is an ordinary double-quoted place.
  CHECK(contexts(R"("echo \"$${U:-\"${v}\"}\" \"${w}\"")") == std::vector<C>{C::Double, C::Double});
  // Single quotes are literal inside a double-quoted ${...}.
  CHECK(contexts(R"("echo \"$${U:-'${v}'}\"")") == std::vector<C>{C::Parameter});
  // Outside quotes a single-quoted word is safe in the word: bare.
  CHECK(contexts(R"("echo $${U:-${v}} $${U#${p}}")") == std::vector<C>{C::Bare, C::Bare});
  // `#` inside ${...} is an operator, not a comment.
  CHECK(contexts(R"("echo $${#U} $${U#x} ${v}")") == std::vector<C>{C::Bare});
  // Nested expansions and command substitutions inside the word.
  CHECK(contexts(R"("echo \"$${A:-$${B:-${v}}} $(f ${w})\"")") == std::vector<C>{C::Parameter, C::Bare});
  // In a here-document with an unquoted delimiter, as in double quotes.
  CHECK(contexts("\"\"\"\ncat <<EOF\nv: $${U:-${v}} ${w} $${U:-\"${x}\"}\nEOF\n\"\"\"") ==
        std::vector<C>{C::Parameter, C::Heredoc, C::Double});
  CHECK(contexts("\"\"\"\ncat <<'EOF'\nv: $${U:-${v}}\nEOF\n\"\"\"") == std::vector<C>{C::Literal});
}
