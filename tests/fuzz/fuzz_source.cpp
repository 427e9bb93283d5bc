// libFuzzer target: bytes as a .flow file, through the whole front end (lexer,
// parser, checker, lowering), the diagnostics renderers, and the IR round
// trip: whatever the compiler writes, the IR reader must accept (a property,
// so a failure here is a crash, not a diagnostic).
//
// Imports resolve in memory only: `lib.flow` is a small library; every other
// path is missing. Nothing is read from disk.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <string>

#include "compiler/diag/render.h"
#include "compiler/driver/compilation.h"
#include "ir/ir_json.h"
#include "ir/json_parse.h"
#include "ir/json_text.h"

namespace {

class FuzzFiles : public flowc::check::FileProvider {
 public:
  explicit FuzzFiles(std::string main) {
    files_["fuzz.flow"] = std::move(main);
    files_["lib.flow"] =
        "/// A library the fuzzed file may import.\n"
        "type Pair = { left: int, right: str? }\n"
        "op lib_op(x: int, names: list[str] = [\"a\"]) -> (out: file) { run \"echo ${x} ${names} > ${out}\" }\n"
        "workflow lib_flow(p: Pair) -> (n: int) { return (n = p.left + 1) }\n";
  }
  std::optional<std::string> read(const std::string& path, flowc::ir::FileProblem* problem) override {
    auto it = files_.find(path);
    if (it == files_.end()) {
      *problem = {flowc::ir::FileProblem::Kind::Unreadable, "No such file or directory"};
      return std::nullopt;
    }
    return it->second;
  }

 private:
  std::map<std::string, std::string> files_;
};

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_source: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzFiles files(std::string(reinterpret_cast<const char*>(data), size));
  flowc::CompileOptions options;
  options.files = &files;
  auto c = flowc::compile("fuzz.flow", options);
  (void)flowc::render_text(c->diags, c->sources, flowc::TextStyle{true});
  (void)flowc::render_json(c->diags, c->sources).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!c->program) return 0;

  // What `flowc build` writes, `flowc run` must read (through the same
  // depth-capped JSON reader), and read back to the same IR.
  std::string text = flowc::ir::json_text(flowc::ir::to_json(*c->program));
  std::string error;
  auto parsed = flowc::ir::parse_ordered_json(text, &error);
  if (!parsed) fail("the IR the compiler wrote is not JSON the reader takes", error + "\n" + text);
  auto back = flowc::ir::from_json(*parsed, &error);
  if (!back) fail("the IR the compiler wrote does not load", error + "\n" + text);
  if (flowc::ir::json_text(flowc::ir::to_json(*back)) != text) fail("the IR changed in a round trip", text);
  return 0;
}
