// Times each compiler phase on one file, in process: lex, lex+parse (SLL),
// the whole check, and lowering; several rounds, the first reported apart
// (it pays ANTLR's one-time DFA warm-up, as every `flowc check` does).
//   phase_times FILE.flow [ROUNDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/driver/compilation.h"
#include "compiler/syntax/lexer.h"
#include "compiler/syntax/parser.h"

using namespace flowc;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: phase_times FILE.flow [ROUNDS]\n");
    return 2;
  }
  std::string path = argv[1];
  int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();

  std::printf("%-6s %10s %10s %10s %10s\n", "round", "lex ms", "parse ms", "check ms", "lower ms");
  for (int r = 0; r < rounds; ++r) {
    SourceManager sources;
    Diagnostics diags;
    const SourceFile& file = sources.add(path, source);
    auto t0 = Clock::now();
    syntax::LexResult lexed = syntax::lex(file, diags);
    double lex_ms = ms_since(t0);

    auto t1 = Clock::now();
    auto module = syntax::parse_file(file, diags);  // lexes again, then parses and builds the AST
    double parse_ms = ms_since(t1) - lex_ms;

    CompileOptions check_only;
    check_only.until = Stage::Check;
    auto t2 = Clock::now();
    auto checked = compile(path, check_only);
    double check_ms = ms_since(t2);

    auto t3 = Clock::now();
    auto lowered = compile(path, CompileOptions{});
    double lower_ms = ms_since(t3) - check_ms;
    std::printf("%-6d %10.1f %10.1f %10.1f %10.1f   (%zu tokens, %s)\n", r, lex_ms, parse_ms, check_ms, lower_ms,
                lexed.tokens.size(), checked->ok() ? "ok" : "errors");
  }
  return 0;
}
