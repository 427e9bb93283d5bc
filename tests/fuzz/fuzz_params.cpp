// libFuzzer target: a workflow's inputs as users give them. The first byte
// picks the way in:
//   0  the rest is a --params JSON file (read from a memfd, no disk);
//   1  the rest is lines of `-p name=value`;
//   2  the second byte picks a type, the rest is text read as that type
//      (parse_text, as -p does, and read_value_text, as value outputs are).
// Properties: nothing throws; every value accepted conforms to its type;
// canonical() and describe() work on it; and it can be written as JSON
// (events, outputs.json and the journal do) without an exception.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "compiler/driver/compilation.h"
#include "ir/type_parser.h"
#include "runtime/run/params.h"
#include "runtime/value/value.h"

namespace {

using flowc::runtime::Value;

const char* kProgram = R"FLOW(
type Sample = { id: str, reads: file?, n: int }
op use(s: str) -> (out: file) { run "echo ${s} > ${out}" }
workflow main(s: str, i: int = 1, f: float = 1.0, b: bool = true, sz: size = 1KiB, d: duration = 1s,
              xs: list[int] = [], m: map[str, list[float]] = {}, r: Sample? = none, o: str? = none,
              nested: list[list[map[str, Sample]]] = [], p: file? = none, ds: list[dir] = []) -> (out: file) {
    u = use(s = s)
    return (out = u.out)
}
)FLOW";

const char* kTypes[] = {"str",
                        "int",
                        "float",
                        "bool",
                        "size",
                        "duration",
                        "file",
                        "dir",
                        "list[int]",
                        "list[str]",
                        "map[str, float]",
                        "{a: int, b: str?}",
                        "int?",
                        "str?",
                        "list[list[int]?]",
                        "map[str, list[{x: float, y: file}]]",
                        "list[size]",
                        "duration?",
                        "{}",
                        "list[{id: str}]?"};

class OneFile : public flowc::check::FileProvider {
 public:
  std::optional<std::string> read(const std::string& path, flowc::ir::FileProblem* problem) override {
    if (path == "params.flow") return std::string(kProgram);
    *problem = {flowc::ir::FileProblem::Kind::Unreadable, "No such file or directory"};
    return std::nullopt;
  }
};

struct Fixture {
  std::unique_ptr<flowc::Compilation> compiled;
  flowc::ir::TypeTable types;
  std::vector<const flowc::ir::Type*> type_list;
  int memfd = -1;

  Fixture() {
    OneFile files;
    flowc::CompileOptions options;
    options.files = &files;
    compiled = flowc::compile("params.flow", options);
    if (!compiled->program) {
      std::fprintf(stderr, "fuzz_params: the fixture program does not compile\n");
      std::abort();
    }
    for (const char* text : kTypes) {
      std::string error;
      const flowc::ir::Type* t = flowc::ir::parse_type(
          text, types, [](std::string_view) -> const flowc::ir::Type* { return nullptr; }, &error);
      if (!t) {
        std::fprintf(stderr, "fuzz_params: type %s: %s\n", text, error.c_str());
        std::abort();
      }
      type_list.push_back(t);
    }
    memfd = ::memfd_create("fuzz-params", 0);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_params: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// What the runtime does with an accepted value: it must all work.
void use(const Value& v, const flowc::ir::Type* t) {
  std::string why;
  if (!flowc::runtime::conforms(v, t, &why)) fail("an accepted value does not conform to its type", why);
  (void)flowc::runtime::canonical(v);
  (void)flowc::runtime::describe(v);
  (void)v.dump();  // throws on text that is not UTF-8
  (void)flowc::runtime::map_paths(v, t, [](const std::string& p) { return p; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Fixture& f = fixture();
  const flowc::ir::Program& program = *f.compiled->program;
  const flowc::ir::Workflow& wf = *program.find_workflow("main");
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string> errors;
  switch (data[0] % 3) {
    case 0: {
      if (::ftruncate(f.memfd, 0) != 0 ||
          ::pwrite(f.memfd, rest.data(), rest.size(), 0) != static_cast<ssize_t>(rest.size())) {
        return 0;
      }
      auto inputs =
          flowc::runtime::workflow_inputs(program, wf, {}, "/proc/self/fd/" + std::to_string(f.memfd), &errors);
      if (inputs) {
        for (const flowc::ir::Port& port : wf.inputs) {
          if (inputs->contains(port.name)) use((*inputs)[port.name], port.type);
        }
      }
      break;
    }
    case 1: {
      std::vector<std::string> assignments;
      size_t start = 0;
      while (start <= rest.size()) {
        size_t nl = rest.find('\n', start);
        if (nl == std::string::npos) nl = rest.size();
        assignments.push_back(rest.substr(start, nl - start));
        start = nl + 1;
      }
      auto inputs = flowc::runtime::workflow_inputs(program, wf, assignments, "", &errors);
      if (inputs) {
        for (const flowc::ir::Port& port : wf.inputs) {
          if (inputs->contains(port.name)) use((*inputs)[port.name], port.type);
        }
      }
      break;
    }
    default: {
      const flowc::ir::Type* t = f.type_list[data[1] % f.type_list.size()];
      std::string_view text = std::string_view(rest).substr(1);
      std::string error;
      if (auto v = flowc::runtime::parse_text(text, t, &error)) use(*v, t);
      if (auto v = flowc::runtime::read_value_text(text, t, &error)) use(*v, t);
      break;
    }
  }
  return 0;
}
