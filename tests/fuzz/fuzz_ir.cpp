// libFuzzer target: bytes as an IR file (flowc run accepts IR), through the
// depth-capped JSON reader and the IR reader. Bad input must be refused with
// a message that names the JSON path (never nlohmann's own text, which would
// mean a field the reader forgot to check), and anything accepted must write
// back and read again to the same IR.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ir/ir_json.h"
#include "ir/json_parse.h"
#include "ir/json_text.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_ir: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto doc = flowc::ir::parse_ordered_json(input, &error);
  if (!doc) return 0;
  auto program = flowc::ir::from_json(*doc, &error);
  if (!program) {
    if (error.rfind("malformed IR", 0) == 0) fail("an IR error without its JSON path", error);
    return 0;
  }
  std::string text = flowc::ir::json_text(flowc::ir::to_json(*program));
  auto reparsed = flowc::ir::parse_ordered_json(text, &error);
  if (!reparsed) fail("the IR writer wrote text the reader cannot parse", error + "\n" + text);
  auto back = flowc::ir::from_json(*reparsed, &error);
  if (!back) fail("an accepted IR does not load again after writing", error + "\n" + text);
  if (flowc::ir::json_text(flowc::ir::to_json(*back)) != text) fail("the IR changed in a round trip", text);
  return 0;
}
