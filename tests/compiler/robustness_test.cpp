// Bad input never crashes or hangs: each case ends with diagnostics (or a
// clean result), and every diagnostic points inside its file.
#include <filesystem>
#include <random>

#include <catch2/catch.hpp>

#include "compiler/diag/render.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc;

namespace {

// Compiles and checks the result is well formed; returns the error codes.
std::vector<std::string> survive(const std::string& text) {
  auto c = test::compile_text(text);
  for (const Diagnostic& d : c->diags.all()) {
    const SourceFile& f = c->sources.file(d.span.file);
    CHECK(d.span.begin <= d.span.end);
    CHECK(d.span.end <= f.text().size());
    CHECK_FALSE(d.message.empty());
  }
  // Rendering must cope with whatever the spans point at.
  std::string rendered = render_text(c->diags, c->sources, TextStyle{true});
  CHECK(rendered.size() < 2'000'000);
  return test::diagnostic_codes(*c);
}

bool has(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

TEST_CASE("an empty file is a valid, empty program", "[robustness]") {
  CHECK(survive("").empty());
  CHECK(survive("\n\n  // only a comment\n").empty());
}

TEST_CASE("binary garbage is refused as a whole", "[robustness]") {
  std::mt19937 rng(7);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(rng() & 0xff);
  auto codes = survive(garbage);
  REQUIRE(codes.size() == 1);
  CHECK((codes[0] == "E0107" || codes[0] == "E0106"));
}

TEST_CASE("a 1 MiB single line", "[robustness]") {
  std::string line = "workflow w() -> (o: list[int]) { return (o = [";
  while (line.size() < (1 << 20)) line += "1, ";
  line += "1]) }";
  CHECK(survive(line).empty());

  std::string sum = "workflow w() { x = 1";
  while (sum.size() < (1 << 20)) sum += " + 1";
  sum += " }";
  CHECK(has(survive(sum), "E0202"));  // too deep an expression, reported, not a stack overflow

  std::string junk(1 << 20, 'x');
  CHECK(!survive(junk).empty());
}

TEST_CASE("10,000 nested parentheses, brackets or blocks", "[robustness]") {
  CHECK(has(survive("workflow w() { x = " + std::string(10000, '(') + "1" + std::string(10000, ')') + " }"), "E0111"));
  CHECK(has(survive("workflow w() { x = " + std::string(10000, '[') + std::string(10000, ']') + " }"), "E0111"));
  std::string blocks = "workflow w(c: bool) {";
  for (int i = 0; i < 10000; ++i) blocks += " if c {";
  for (int i = 0; i < 10000; ++i) blocks += " }";
  CHECK(has(survive(blocks + " }"), "E0111"));
  CHECK(has(survive("type T = " + std::string(10000, '{') + std::string(10000, '}')), "E0111"));
  std::string strings = "workflow w() { x = ";
  for (int i = 0; i < 10000; ++i) strings += "\"${";
  CHECK(!survive(strings).empty());
}

TEST_CASE("long flat chains are fine up to the depth limit", "[robustness]") {
  std::string prefix = "workflow w() -> (o: int) { return (o = ";
  for (int i = 0; i < 10000; ++i) prefix += "- ";
  CHECK(has(survive(prefix + "x) }"), "E0202"));
  std::string elses = "workflow w(c: bool) {\n if c { }";
  for (int i = 0; i < 5000; ++i) elses += " else if c { }";
  CHECK(survive(elses + "\n}").empty());
  std::string members = "workflow w(r: {a: int}) { x = r";
  for (int i = 0; i < 1000; ++i) members += ".a";
  CHECK(!survive(members + " }").empty());
}

TEST_CASE("unterminated strings, interpolations and comments", "[robustness]") {
  CHECK(has(survive("op f() -> () { run \"echo }"), "E0101"));
  CHECK(has(survive("op f() -> () { run \"\"\"echo\n\n}"), "E0102"));
  CHECK(has(survive("op f() -> () { run \"echo ${x"), "E0103"));
  CHECK(has(survive("/* never closed\nop f() -> () {}"), "E0104"));
  CHECK(has(survive("\""), "E0101"));
  CHECK(has(survive("\"\"\""), "E0102"));
}

TEST_CASE("invalid UTF-8 anywhere", "[robustness]") {
  CHECK(has(survive("op f() -> () { run \"\xc3\x28\" }"), "E0106"));
  CHECK(has(survive("// \xed\xa0\x80 a surrogate\n"), "E0106"));
  CHECK(has(survive("\xf8\x88\x80\x80\x80"), "E0106"));
}

TEST_CASE("a directory, a missing file, an import cycle", "[robustness]") {
  CompileOptions options;
  auto dir = compile(test::source_path("examples"), options);
  CHECK(dir->io_error.find("directory") != std::string::npos);
  auto missing = compile(test::source_path("examples/no-such-file.flow"), options);
  CHECK(missing->io_error.find("No such file") != std::string::npos);

  auto cycle = test::compile_text("import \"b.flow\"\nop a() -> () { run \"x\" }", Stage::Lower,
                                  {{"b.flow", "import \"c.flow\"\nop b() -> () { run \"x\" }"},
                                   {"c.flow", "import \"test.flow\"\nop c() -> () { run \"x\" }"}});
  REQUIRE(has(test::diagnostic_codes(*cycle), "E0301"));
  for (const Diagnostic& d : cycle->diags.all()) {
    if (d.id == DiagId::ImportCycle) CHECK(d.message == "import cycle: test.flow → b.flow → c.flow → test.flow");
  }
}

TEST_CASE("mutated examples never crash the compiler", "[robustness]") {
  std::vector<std::string> sources;
  for (const auto& entry : fs::directory_iterator(test::source_path("examples"))) {
    if (entry.path().extension() == ".flow") sources.push_back(test::read_file(entry.path().string()));
  }
  REQUIRE(!sources.empty());
  const std::string alphabet = "(){}[]\"$,.=:?!<>+-*/%&|#'\\ \n\tabcxyz019";
  std::mt19937 rng(20261123);
  for (int round = 0; round < 400; ++round) {
    std::string text = sources[rng() % sources.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text.erase(at, 1 + rng() % 8); break;
        case 1: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 2: text[at] = alphabet[rng() % alphabet.size()]; break;
        default: text.insert(at, text.substr(rng() % text.size(), rng() % 40)); break;
      }
    }
    INFO("round " << round << ":\n" << text);
    survive(text);
  }
}
