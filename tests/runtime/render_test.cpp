// Command rendering: the text of values, quoting for every shell context,
// and scripts run by a real /bin/sh to prove no value can break out of its
// quotes. (The payloads only ever `touch PWNED` in a scratch folder.)
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>

#include <catch2/catch.hpp>

#include "ir/type_parser.h"
#include "runtime/command/render.h"
#include "tests/support/test_support.h"
#include "tests/support/value_support.h"

using namespace flowc;
using namespace flowc::runtime;
using ir::Quoting;
namespace fs = std::filesystem;

using test::Types;
using test::Vars;

namespace {

// One op compiled from .flow text, ready to render.
struct CompiledOp {
  std::unique_ptr<Compilation> c;
  explicit CompiledOp(const std::string& text) : c(test::compile_text(text)) {
    INFO(text << "\n" << test::diagnostics_text(*c));
    REQUIRE(c->ok());
    REQUIRE(c->program.has_value());
    REQUIRE(!c->program->ops.empty());
  }
  const ir::Op& op() const { return c->program->ops.at(0); }
  Evaluated<std::string> render(const Vars& vars) const {
    Evaluator evaluator(*c->program, {});
    return render_command(op(), vars, evaluator);
  }
  std::string script(const Vars& vars) const {
    auto r = render(vars);
    if (auto* f = std::get_if<EvalFailure>(&r)) FAIL("rendering failed: " << f->message);
    return std::get<std::string>(r);
  }
  EvalFailure failure(const Vars& vars) const {
    auto r = render(vars);
    if (auto* s = std::get_if<std::string>(&r)) FAIL("expected a failure, got the script:\n" << *s);
    return std::get<EvalFailure>(r);
  }
  std::vector<ir::Quoting> quotings() const {
    std::vector<ir::Quoting> out;
    for (const ir::CommandPart& p : op().command) {
      if (p.expr) out.push_back(p.quoting);
    }
    return out;
  }
};

// Runs scripts with /bin/sh in a scratch folder.
struct Shell {
  fs::path dir;
  Shell() {
    char name[] = "/tmp/flowc-render-test-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    dir = name;
  }
  ~Shell() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // The script's standard output; the script must succeed.
  std::string run(const std::string& script) const {
    test::write_file((dir / "script.sh").string(), script);
    std::string command = "cd '" + dir.string() + "' && /bin/sh ./script.sh 2>stderr.txt";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    int status = pclose(pipe);
    INFO("script:\n" << script << "\nstderr:\n" << test::read_file((dir / "stderr.txt").string()));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    return out;
  }
  bool pwned() const { return fs::exists(dir / "PWNED"); }
};

std::string without_trailing_newlines(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Values that would break out of naive quoting in some context.
const std::vector<std::string>& hostile_values() {
  static const std::vector<std::string> values = {
      "plain",
      "",
      " ",
      "a b  c",
      "it's",
      "'",
      "''",
      "\"",
      "\\",
      "\\\\",
      "\\n",
      "x\\",
      "$HOME",
      "${HOME}",
      "${HOME:-x}",
      "$((1+1))",
      "$(touch PWNED)",
      "\\$(touch PWNED)",
      "`touch PWNED`",
      "\\`touch PWNED\\`",
      "x'; touch PWNED; echo '",
      "x\"; touch PWNED; echo \"",
      "'\"'\"'",
      "\\'\"`$",
      "a\nb",
      "two\nlines\n",
      "\n",
      "\ttab",
      "\r",
      "*",
      "?",
      "[a]",
      "~",
      "-n",
      "--",
      "%s%d",
      "!",
      "#not a comment",
      "a;b|c&d>e<f",
      "h\xC3\xA9llo \xE2\x9C\x93",
      "EOF ",
      " EOF",
      "END",
      "x\ntouch PWNED\n",
      "');touch PWNED;('",
      "\"$(touch PWNED)\"",
      "'$(touch PWNED)'",
      "`",
      "$",
      "$(",
      ")",
      "}",
  };
  return values;
}

// Renders `op_text` (an op with one input `x: str`) with each hostile value,
// runs the scripts (one after the other, in one shell), and checks each
// printed `expected(value)` and that nothing was injected.
void check_context(const std::string& op_text, Quoting expected_quoting,
                   const std::function<std::string(const std::string&)>& expected) {
  CompiledOp op(op_text);
  REQUIRE(!op.quotings().empty());
  CHECK(op.quotings()[0] == expected_quoting);
  const std::string separator = "@@next value@@\n";
  std::string all;
  for (const std::string& value : hostile_values()) {
    INFO("value [" << value << "]");
    all += op.script(Vars{{"x", value}}) + "\nprintf '%s\\n' '@@next value@@'\n";
  }
  Shell shell;
  std::string out = shell.run(all);
  CHECK_FALSE(shell.pwned());
  size_t pos = 0;
  for (const std::string& value : hostile_values()) {
    INFO("context " << ir::to_string(expected_quoting) << ", value [" << value << "], script:\n"
                    << op.script(Vars{{"x", value}}));
    size_t end = out.find(separator, pos);
    REQUIRE(end != std::string::npos);
    CHECK(out.substr(pos, end - pos) == expected(value));
    pos = end + separator.size();
  }
  CHECK(pos == out.size());
}

}  // namespace

// ---- the text of values ------------------------------------------------------------------------

TEST_CASE("scalar_text of every scalar type", "[render]") {
  Types T;
  CHECK(scalar_text("a b", T("str")) == "a b");
  CHECK(scalar_text("/x/y z", T("file")) == "/x/y z");
  CHECK(scalar_text("/d/", T("dir")) == "/d/");
  CHECK(scalar_text(-42, T("int")) == "-42");
  CHECK(scalar_text(Value::parse("18446744073709551615"), nullptr) == "18446744073709551615");
  CHECK(scalar_text(2.0, T("float")) == "2.0");
  CHECK(scalar_text(2, T("float")) == "2.0");
  CHECK(scalar_text(0.1, T("float")) == "0.1");
  CHECK(scalar_text(1e21, T("float")) == "1e+21");
  CHECK(scalar_text(true, T("bool")) == "true");
  CHECK(scalar_text(false, T("bool")) == "false");
  CHECK(scalar_text(8589934592LL, T("size")) == "8589934592");
  CHECK(scalar_text(30.0, T("duration")) == "30");
  CHECK(scalar_text(30, T("duration")) == "30");
  CHECK(scalar_text(0.25, T("duration")) == "0.25");
  CHECK(scalar_text(5400.5, T("duration")) == "5400.5");
  CHECK(scalar_text(-0.0, T("duration")) == "0");
  CHECK(scalar_text(3, T("int?")) == "3");
  CHECK(scalar_text(nullptr, T("int?")) == "");
  // Without a type: by the value.
  CHECK(scalar_text("s", nullptr) == "s");
  CHECK(scalar_text(7, nullptr) == "7");
  CHECK(scalar_text(1.5, nullptr) == "1.5");
  CHECK(scalar_text(true, nullptr) == "true");
  CHECK(scalar_text({{"b", 1}, {"a", 2}}, nullptr) == "{\"a\":2,\"b\":1}");
}

TEST_CASE("shell_text quotes for each context", "[render]") {
  Types T;
  const ir::Type* str = T("str");
  const std::string nasty = "it's \"$x\" `y` \\z";
  CHECK(shell_text(nasty, str, Quoting::Bare) == R"('it'\''s "$x" `y` \z')");
  CHECK(shell_text(nasty, str, Quoting::Double) == R"(it's \"\$x\" \`y\` \\z)");
  CHECK(shell_text(nasty, str, Quoting::Single) == R"(it'\''s "$x" `y` \z)");
  CHECK(shell_text(nasty, str, Quoting::Heredoc) == R"(it's "\$x" \`y\` \\z)");
  CHECK(shell_text(nasty, str, Quoting::Literal) == nasty);
  CHECK(shell_text(nasty, str, Quoting::Parameter) == R"("it's \"\$x\" \`y\` \\z")");
  CHECK(shell_text("a}b", str, Quoting::Parameter) == R"("a}b")");
  CHECK(shell_text("", str, Quoting::Bare) == "''");
  CHECK(shell_text("", str, Quoting::Double) == "");
  CHECK(shell_text(5, T("int"), Quoting::Bare) == "'5'");
  CHECK(shell_text(2.0, T("float"), Quoting::Double) == "2.0");
  CHECK(shell_text(90.0, T("duration"), Quoting::Bare) == "'90'");
  CHECK(shell_text(1024, T("size"), Quoting::Single) == "1024");
  CHECK(shell_text(true, T("bool"), Quoting::Bare) == "'true'");
  CHECK(shell_text("/w/my file", T("file"), Quoting::Bare) == "'/w/my file'");
}

TEST_CASE("shell_text: lists are words when bare, joined by spaces in quotes", "[render]") {
  Types T;
  Value xs = {"a", "b c", "", "it's"};
  CHECK(shell_text(xs, T("list[str]"), Quoting::Bare) == R"('a' 'b c' '' 'it'\''s')");
  CHECK(shell_text(xs, T("list[str]"), Quoting::Double) == "a b c  it's");
  CHECK(shell_text(xs, T("list[str]"), Quoting::Single) == R"(a b c  it'\''s)");
  CHECK(shell_text({"$a", "`b`"}, T("list[str]"), Quoting::Heredoc) == R"(\$a \`b\`)");
  CHECK(shell_text({"$a", "`b`"}, T("list[str]"), Quoting::Literal) == "$a `b`");
  CHECK(shell_text(Value::array(), T("list[str]"), Quoting::Bare) == "");
  CHECK(shell_text({nullptr, "x", nullptr}, T("list[str?]"), Quoting::Bare) == "'x'");
  CHECK(shell_text({1, 2}, T("list[int]"), Quoting::Bare) == "'1' '2'");
  CHECK(shell_text({1, 2}, T("list[float]"), Quoting::Double) == "1.0 2.0");
  CHECK(shell_text({30.0, 0.5}, T("list[duration]"), Quoting::Bare) == "'30' '0.5'");
}

TEST_CASE("shell_text: an absent value is nothing at all", "[render]") {
  Types T;
  for (Quoting q : {Quoting::Bare, Quoting::Double, Quoting::Single, Quoting::Heredoc, Quoting::Literal}) {
    CHECK(shell_text(nullptr, T("str?"), q) == "");
    CHECK(shell_text(nullptr, T("list[str]?"), q) == "");
  }
}

// ---- render_command ------------------------------------------------------------------------------

TEST_CASE("render_command writes every interpolation quoted for its place", "[render]") {
  CompiledOp op(R"FLOW(
op align(sample: str, threads: int = 4, ratio: float, mem: size, limit: duration, fast: bool, ref: file?)
    -> (bam: file) {
  run "aligner -t ${threads} -r ${ratio} -m ${mem} -l ${limit} --fast=${fast} ${"--ref=" + str(ref ?? file("none"))} \"${sample}\" > ${bam}"
}
)FLOW");
  Vars vars{{"sample", "s 1"}, {"threads", 8}, {"ratio", 2},     {"mem", 1073741824},
            {"limit", 90.0},   {"fast", true}, {"ref", nullptr}, {"bam", "/w/out.bam"}};
  std::string script = op.script(vars);
  CHECK(script.rfind("aligner -t '8' -r '2.0' -m '1073741824' -l '90' --fast='true' '--ref=", 0) == 0);
  CHECK(script.find("/none' \"s 1\" > '/w/out.bam'") != std::string::npos);
}

TEST_CASE("render_command: an absent optional is no word, an absent str + is absent", "[render]") {
  CompiledOp op(R"FLOW(
op t(x: str?, ref: str?) {
  run """
    printf '[%s]\n' start ${x} ${"--ref=" + ref} end
  """
}
)FLOW");
  Shell shell;
  CHECK(shell.run(op.script(Vars{{"x", nullptr}, {"ref", nullptr}})) == "[start]\n[end]\n");
  CHECK(shell.run(op.script(Vars{{"x", ""}, {"ref", nullptr}})) == "[start]\n[]\n[end]\n");
  CHECK(shell.run(op.script(Vars{{"x", "a b"}, {"ref", "r.fa"}})) == "[start]\n[a b]\n[--ref=r.fa]\n[end]\n");
}

TEST_CASE("render_command: a bare list is one word per item", "[render]") {
  CompiledOp op(R"FLOW(
op t(xs: list[str], os: list[str?], ns: list[int]) {
  run """
    printf '[%s]\n' start ${xs} - ${os} - ${ns} end
    printf '<%s>\n' "${xs}"
  """
}
)FLOW");
  Shell shell;
  Vars vars{{"xs", {"a b", "", "it's", "$(touch PWNED)"}}, {"os", {nullptr, "o", nullptr}}, {"ns", {1, 2}}};
  CHECK(shell.run(op.script(vars)) ==
        "[start]\n[a b]\n[]\n[it's]\n[$(touch PWNED)]\n[-]\n[o]\n[-]\n[1]\n[2]\n[end]\n<a b  it's $(touch PWNED)>\n");
  CHECK_FALSE(shell.pwned());
  Vars empty{{"xs", Value::array()}, {"os", Value::array()}, {"ns", Value::array()}};
  CHECK(shell.run(op.script(empty)) == "[start]\n[-]\n[-]\n[end]\n<>\n");
}

TEST_CASE("running it: bare words", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    printf '%s\n' ${x}
  """
}
)FLOW",
                Quoting::Bare, [](const std::string& v) { return v + "\n"; });
}

TEST_CASE("running it: inside double quotes", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    printf '%s\n' "${x}"
  """
}
)FLOW",
                Quoting::Double, [](const std::string& v) { return v + "\n"; });
}

TEST_CASE("running it: inside double quotes with text around", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    printf '%s\n' "<${x}>"
  """
}
)FLOW",
                Quoting::Double, [](const std::string& v) { return "<" + v + ">\n"; });
}

TEST_CASE("running it: inside single quotes", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    printf '%s\n' '<${x}>'
  """
}
)FLOW",
                Quoting::Single, [](const std::string& v) { return "<" + v + ">\n"; });
}

TEST_CASE("running it: in a here-document", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    cat <<EOF
    <${x}>
    EOF
  """
}
)FLOW",
                Quoting::Heredoc, [](const std::string& v) { return "<" + v + ">\n"; });
}

TEST_CASE("running it: in a here-document with a quoted delimiter", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    cat <<'EOF'
    <${x}>
    EOF
  """
}
)FLOW",
                Quoting::Literal, [](const std::string& v) { return "<" + v + ">\n"; });
}

TEST_CASE("running it: a bare word in $(...) inside double quotes", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    printf '%s\n' "$(printf '%s' ${x})"
  """
}
)FLOW",
                Quoting::Bare, [](const std::string& v) { return without_trailing_newlines(v) + "\n"; });
}

TEST_CASE("running it: a bare word in backticks", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    v=`printf '%s' ${x}`
    printf '%s\n' "$v"
  """
}
)FLOW",
                Quoting::Bare, [](const std::string& v) { return without_trailing_newlines(v) + "\n"; });
}

TEST_CASE("running it: a bare word in backticks inside double quotes", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    printf '%s\n' "`printf '%s' ${x}`"
  """
}
)FLOW",
                Quoting::Bare, [](const std::string& v) { return without_trailing_newlines(v) + "\n"; });
}

TEST_CASE("running it: double quotes inside backticks", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    v=`printf '%s' "${x}"`
    printf '%s\n' "$v"
  """
}
)FLOW",
                Quoting::Double, [](const std::string& v) { return without_trailing_newlines(v) + "\n"; });
}

TEST_CASE("running it: single quotes inside backticks", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    v=`printf '%s' '${x}'`
    printf '%s\n' "$v"
  """
}
)FLOW",
                Quoting::Single, [](const std::string& v) { return without_trailing_newlines(v) + "\n"; });
}

TEST_CASE("running it: in a comment, a line break cannot start a command", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    # the input is ${x}
    printf 'ok\n'
  """
}
)FLOW",
                Quoting::Bare, [](const std::string&) { return std::string("ok\n"); });
}

TEST_CASE("running it: double quotes inside backticks inside double quotes", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    printf '%s\n' "`printf '%s' "${x}"`"
  """
}
)FLOW",
                Quoting::Double, [](const std::string& v) { return without_trailing_newlines(v) + "\n"; });
}

TEST_CASE("running it: a bare word in $(...) inside backticks", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    v=`printf '%s' "$(printf '%s' ${x})"`
    printf '%s\n' "$v"
  """
}
)FLOW",
                Quoting::Bare, [](const std::string& v) { return without_trailing_newlines(v) + "\n"; });
}

TEST_CASE("running it: in ${name:-word} inside double quotes", "[render]") {
  // A `}` in the value must not end the expansion early (issue 15).
  check_context(R"FLOW(
op t(x: str) {
  run """
    printf '%s\n' "$${UNSET_FOR_THE_TEST:-${x}}"
  """
}
)FLOW",
                Quoting::Parameter, [](const std::string& v) { return v + "\n"; });
}

TEST_CASE("running it: in ${name#pattern} inside double quotes, the value is no pattern", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    v=abc
    printf '%s\n' "[$${v#${x}}]"
  """
}
)FLOW",
                // As a pattern, `?` or `[a]` would remove the `a`.
                Quoting::Parameter, [](const std::string&) { return std::string("[abc]\n"); });
}

TEST_CASE("running it: in ${name:-word} in a here-document", "[render]") {
  check_context(R"FLOW(
op t(x: str) {
  run """
    cat <<EOF
    [$${UNSET_FOR_THE_TEST:-${x}}]
    EOF
  """
}
)FLOW",
                Quoting::Parameter, [](const std::string& v) { return "[" + v + "]\n"; });
}

TEST_CASE("shell arithmetic takes numbers and bools as they are", "[render]") {
  CompiledOp op(R"FLOW(
op t(n: int, m: int?, s: size, b: bool, d: duration) {
  run """
    echo $((${n} * 2)) $(( (${n} + 1) * ${b} )) "$((${s} / 1024))" $((${d} + 0)) $((0${m}))
  """
}
)FLOW");
  std::vector<Quoting> all(6, Quoting::Arithmetic);
  CHECK(op.quotings() == all);
  Shell shell;
  CHECK(op.script(Vars{{"n", -21}, {"m", nullptr}, {"s", 2048}, {"b", true}, {"d", 90.0}}) ==
        "echo $((-21 * 2)) $(( (-21 + 1) * 1 )) \"$((2048 / 1024))\" $((90 + 0)) $((0))");
  CHECK(shell.run(op.script(Vars{{"n", -21}, {"m", nullptr}, {"s", 2048}, {"b", true}, {"d", 90.0}})) ==
        "-42 -20 2 90 0\n");
  CHECK(shell.run(op.script(Vars{{"n", 5}, {"m", 7}, {"s", 0}, {"b", false}, {"d", 1.0}})) == "10 0 0 1 7\n");
}

TEST_CASE("anything but a number in shell arithmetic is a failure", "[render]") {
  // The shell expands $(...) inside $(( )) even within single quotes, so a
  // quoted word would not be safe there. The compiler refuses non-numbers
  // in $(( )); this is the runtime's own line of defence, for an IR that
  // says int but holds something else (hand-written, or damaged).
  CompiledOp op(R"FLOW(
op t(x: int, xs: int) {
  run """
    echo $((${x} + 1))
    echo $((1 + ${xs}))
  """
}
)FLOW");
  auto f = op.failure(Vars{{"x", "$(touch PWNED)"}, {"xs", {1}}});
  CHECK(f.message ==
        "`${x}` stands in shell arithmetic $(( )), where only numbers and bools can go, but its value is "
        "\"$(touch PWNED)\"");
  CHECK(f.loc.line == 4);
  CHECK(op.failure(Vars{{"x", "5"}, {"xs", {1}}}).message.find("its value is \"5\"") != std::string::npos);
  CHECK(op.failure(Vars{{"x", 1}, {"xs", {1, 2}}}).message.find("`${xs}` stands in shell arithmetic") !=
        std::string::npos);
  // shell_text alone (which cannot fail) writes such a value as one escaped
  // string, which the shell rejects as an expression without running anything.
  Types T;
  std::string text = shell_text("$(touch PWNED)`touch PWNED`", T("str"), Quoting::Arithmetic);
  CHECK(text == R"("\$(touch PWNED)\`touch PWNED\`")");
  Shell shell;
  test::write_file((shell.dir / "script.sh").string(), "echo $((" + text + " + 1))\n");
  int status = std::system(("cd '" + shell.dir.string() + "' && /bin/sh ./script.sh 2>/dev/null").c_str());
  CHECK(status != 0);
  CHECK_FALSE(shell.pwned());
  CHECK(shell_text(true, T("bool"), Quoting::Arithmetic) == "1");
  CHECK(shell_text(false, T("bool"), Quoting::Arithmetic) == "0");
  CHECK(shell_text(-3, T("int"), Quoting::Arithmetic) == "-3");
  CHECK(shell_text(2.5, T("float"), Quoting::Arithmetic) == "2.5");
  CHECK(shell_text(60.0, T("duration"), Quoting::Arithmetic) == "60");
  CHECK(shell_text(nullptr, T("int?"), Quoting::Arithmetic) == "");
}

TEST_CASE("a value that would end a here-document early is a failure", "[render]") {
  CompiledOp op(R"FLOW(
op t(x: str) {
  run """
    cat <<EOF
    ${x}
    EOF
  """
}
)FLOW");
  for (const char* value : {"EOF", "a\nEOF\ntouch PWNED", "a\nEOF", "EOF\n"}) {
    INFO(value);
    auto f = op.failure(Vars{{"x", value}});
    CHECK(f.message == "the value of `${x}` would end the here-document early: it makes a line `EOF`");
    CHECK(f.loc.line == 5);
  }
  Shell shell;
  CHECK(shell.run(op.script(Vars{{"x", "EOFX\nXEOF\n EOF"}})) == "EOFX\nXEOF\n EOF\n");

  CompiledOp joined(R"FLOW(
op t(x: str, y: str) {
  run """
    cat <<'END'
    E${x}
    ${y}D
    END
  """
}
)FLOW");
  CHECK(joined.failure(Vars{{"x", "ND"}, {"y", "x"}}).message.find("would end the here-document") != std::string::npos);
  CHECK(joined.failure(Vars{{"x", "x"}, {"y", "EN"}}).message.find("it makes a line `END`") != std::string::npos);
  CHECK(shell.run(joined.script(Vars{{"x", "x"}, {"y", "y"}})) == "Ex\nyD\n");

  CompiledOp tabs("op t(x: str) {\n  run \"cat <<-EOF\\n\\t${x}\\n\\tEOF\\n\"\n}\n");
  CHECK(tabs.failure(Vars{{"x", "a\n\t\tEOF"}}).message.find("would end the here-document") != std::string::npos);
  CHECK(shell.run(tabs.script(Vars{{"x", "a\n b"}})) == "a\n b\n");
}

TEST_CASE("a NUL byte cannot go into a script", "[render]") {
  CompiledOp op("op t(x: str) { run \"echo ${x}\" }");
  auto f = op.failure(Vars{{"x", std::string("a\0b", 3)}});
  CHECK(f.message == "`${x}` holds a NUL byte, which a shell script cannot hold");
  CHECK(f.loc.line == 1);
}

TEST_CASE("a failing interpolation fails the rendering, with its place", "[render]") {
  CompiledOp op("op t(n: int, xs: list[int]) {\n  run \"echo ${xs[3]} ${n}\"\n}\n");
  auto f = op.failure(Vars{{"xs", {1}}, {"n", 1}});
  CHECK(f.message == "index 3 is past the end of a list of 1 item");
  CHECK(f.loc.line == 2);
  CHECK(f.loc.column == 15);
  // A name alone has no loc: the interpolation's is used.
  auto g = op.failure(Vars{{"xs", {1, 2, 3, 4}}});
  CHECK(g.message == "`n` has no value");
  CHECK(g.loc.line == 2);
  CHECK(g.loc.column == 22);
  CHECK(op.script(Vars{{"xs", {1, 2, 3, 4}}, {"n", 5}}) == "echo '4' '5'");
}

TEST_CASE("render_command with outputs and shell variables", "[render]") {
  CompiledOp op(R"FLOW(
op greet(name: str) -> (msg: file) {
  run """
    echo "Hello, ${name}! $HOME is $${HOME}" > ${msg}
  """
}
)FLOW");
  Vars vars{{"name", "Ada"}, {"msg", "/w/g/msg"}};
  std::string script = op.script(vars);
  CHECK(script == "echo \"Hello, Ada! $HOME is ${HOME}\" > '/w/g/msg'");
}

TEST_CASE("the compiler's quoting contexts are the ones rendered", "[render]") {
  CompiledOp op(R"FLOW(
op t(a: str, b: str, c: str, d: str, e: str, f: str) {
  run """
    x ${a} "${b}" '${c}' "$(y ${d})"
    cat <<EOF
    ${e}
    EOF
    cat <<'EOF'
    ${f}
    EOF
  """
}
)FLOW");
  std::vector<Quoting> expected = {Quoting::Bare, Quoting::Double,  Quoting::Single,
                                   Quoting::Bare, Quoting::Heredoc, Quoting::Literal};
  CHECK(op.quotings() == expected);
}
