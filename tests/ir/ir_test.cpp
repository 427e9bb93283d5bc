// The IR: every example compiles clean, matches its golden IR, survives a
// build → load → build round trip unchanged, and the loader refuses broken
// or newer documents with a message that says where.
// FLOWC_UPDATE_GOLDENS=1 rewrites tests/golden/ir/.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>

#include "ir/ir_json.h"
#include "ir/json_text.h"
#include "tests/support/scoped_cwd.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc;
using nlohmann::ordered_json;

namespace {

std::vector<std::string> example_files() {
  std::vector<std::string> out;
  // Also the examples in folders of their own (examples/table-join/...),
  // but not examples/lib/, the libraries they import.
  fs::path root = test::source_path("examples");
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".flow" && entry.path().parent_path().filename() != "lib") {
      out.push_back("examples/" + entry.path().lexically_relative(root).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Compiled from the source root, so paths in the IR are `examples/...`.
std::unique_ptr<Compilation> compile_example(const std::string& relative) {
  test::ScopedCwd cwd(test::source_path(""));
  CompileOptions options;
  options.library_paths = {"stdlib-ops"};
  return compile(relative, options);
}

std::optional<ir::Program> load(const ordered_json& doc, std::string* error) { return ir::from_json(doc, error); }

ordered_json hello_ir() {
  auto c = compile_example("examples/hello.flow");
  REQUIRE(c->program);
  return ir::to_json(*c->program);
}

}  // namespace

TEST_CASE("every example checks clean, without warnings", "[ir][examples]") {
  auto files = example_files();
  REQUIRE(!files.empty());
  for (const std::string& file : files) {
    auto c = compile_example(file);
    INFO(file << "\n" << test::diagnostics_text(*c));
    CHECK(c->io_error.empty());
    CHECK(c->diags.all().empty());
    CHECK(c->program.has_value());
  }
}

TEST_CASE("the IR of each example matches its golden", "[ir][golden]") {
  bool update = std::getenv("FLOWC_UPDATE_GOLDENS") != nullptr;
  for (const std::string& file : example_files()) {
    DYNAMIC_SECTION(file) {
      auto c = compile_example(file);
      REQUIRE(c->program);
      std::string actual = ir::json_text(ir::to_json(*c->program));
      fs::path golden = fs::path(test::source_path("tests/golden/ir")) / fs::path(file).filename();
      golden.replace_extension(".ir.json");
      if (update) {
        test::write_file(golden.string(), actual);
      } else {
        REQUIRE(fs::exists(golden));
        CHECK(actual == test::read_file(golden.string()));
      }
    }
  }
}

TEST_CASE("build → load → build gives the same IR", "[ir]") {
  for (const std::string& file : example_files()) {
    auto c = compile_example(file);
    REQUIRE(c->program);
    std::string first = ir::json_text(ir::to_json(*c->program));
    std::string error;
    auto loaded = ir::from_json(ordered_json::parse(first), &error);
    INFO(file << ": " << error);
    REQUIRE(loaded);
    CHECK(ir::json_text(ir::to_json(*loaded)) == first);
  }
}

TEST_CASE("the loader refuses a newer IR version", "[ir]") {
  ordered_json doc = hello_ir();
  doc["flowc_ir"] = ir::kIrVersion + 1;
  std::string error;
  CHECK_FALSE(load(doc, &error));
  CHECK(error.find("newer than this flowc understands") != std::string::npos);
  CHECK(error.find("/flowc_ir") != std::string::npos);
}

TEST_CASE("a version 1 document is read into version 2: its retry counted the retries", "[ir]") {
  ordered_json doc = hello_ir();
  doc["flowc_ir"] = 1;
  doc["ops"][0]["retry"] = {{"attempts", 2}, {"exit_codes", ordered_json::array({75})}, {"on_timeout", false}};
  std::string error;
  auto old = load(doc, &error);
  INFO(error);
  REQUIRE(old);
  CHECK(old->version == ir::kIrVersion);
  CHECK(old->ops[0].retry.attempts == 3);  // 2 retries after the first try
  CHECK(old->ops[0].shell == ir::Shell::Default);
  CHECK(ir::to_json(*old)["ops"][0]["retry"]["attempts"] == 3);
  doc["flowc_ir"] = 2;
  auto now = load(doc, &error);
  REQUIRE(now);
  CHECK(now->ops[0].retry.attempts == 2);
}

TEST_CASE("the IR holds an op's shell and a call's `after`", "[ir]") {
  auto c = test::compile_ok(R"(
op step(x: int) -> (y: int) {
    shell "sh"
    retry { attempts = 3 }
    run "echo ${x} > ${y}"
}
op twice(x: int) -> (y: int) {
    retry 2
    run "echo ${x} > ${y}"
}
workflow main() -> (y: int) {
    b = step(x = 1) with { after = [a] }
    a = twice(x = 2)
    return (y = b.y)
}
)");
  ordered_json doc = ir::to_json(*c->program);
  CHECK(doc["flowc_ir"] == 2);
  CHECK(doc["ops"][0]["shell"] == "sh");
  CHECK(doc["ops"][0]["retry"]["attempts"] == 3);
  CHECK(doc["ops"][1]["retry"]["attempts"] == 3);  // `retry 2`: 2 retries, 3 tries
  CHECK_FALSE(doc["ops"][1].contains("shell"));
  const ordered_json& b = doc["workflows"][0]["body"][0];
  CHECK(b["options"]["after"] == ordered_json::array({"a"}));
  CHECK(b["deps"] == ordered_json::array({"a"}));
  std::string error;
  auto back = load(doc, &error);
  INFO(error);
  REQUIRE(back);
  CHECK(back->workflows[0].body[0].as<ir::CallNode>()->after == std::vector<std::string>{"a"});
  CHECK(back->ops[0].shell == ir::Shell::Sh);
  // A reader insists the names are deps: that is what makes the runtime wait.
  doc["workflows"][0]["body"][0]["deps"] = ordered_json::array();
  CHECK_FALSE(load(doc, &error));
  CHECK(error.find("`a` is not among the call's `deps`") != std::string::npos);
  doc = ir::to_json(*c->program);
  doc["ops"][0]["shell"] = "zsh";
  CHECK_FALSE(load(doc, &error));
  CHECK(error.find("at /ops/0/shell: unknown shell `zsh`") != std::string::npos);
}

TEST_CASE("the loader names where a broken document is wrong", "[ir]") {
  struct Case {
    std::function<void(ordered_json&)> damage;
    const char* expected;
  };
  Case cases[] = {
      {[](ordered_json& d) { d.erase("flowc_ir"); }, "no \"flowc_ir\" version field"},
      {[](ordered_json& d) { d.erase("ops"); }, "missing \"ops\""},
      {[](ordered_json& d) { d["ops"][0]["inputs"][0]["type"] = "strr"; },
       "at /ops/0/inputs/0/type: unknown type `strr`"},
      {[](ordered_json& d) { d["ops"][0]["command"][1]["expr"]["var"] = "nope"; }, "`nope` is not defined here"},
      {[](ordered_json& d) { d["ops"][0]["command"][1]["quote"] = "fancy"; }, "unknown quoting `fancy`"},
      {[](ordered_json& d) { d["workflows"][0]["body"][0]["body"][0]["call"] = "ghost"; }, "calls op `ghost`"},
      {[](ordered_json& d) { d["workflows"][0]["body"][0]["body"][0]["args"] = ordered_json::object(); },
       "input `name` of `greet` is not given"},
      {[](ordered_json& d) { d["workflows"][0]["outputs"][0].erase("value"); }, "output `greeting` has no value"},
      {[](ordered_json& d) { d["entry"] = "elsewhere"; }, "entry workflow `elsewhere`"},
      {[](ordered_json& d) {
         d["ops"][0]["loc"] = ordered_json::array({9, 1, 1, 1, 1});
       },
       "file index out of range"},
      {[](ordered_json& d) { d["ops"].push_back(d["ops"][0]); }, "this id is used twice"},
      {[](ordered_json& d) { d = ordered_json::array(); }, "must be a JSON object"},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    ordered_json doc = hello_ir();
    cases[i].damage(doc);
    std::string error;
    INFO("case " << i << ": " << error);
    CHECK_FALSE(load(doc, &error));
    INFO("error was: " << error);
    CHECK(error.find(cases[i].expected) != std::string::npos);
  }
}

TEST_CASE("load_ir_file reports unreadable and non-JSON files", "[ir]") {
  std::string error;
  CHECK_FALSE(ir::load_ir_file("/nonexistent/x.ir.json", &error));
  CHECK(error.find("cannot read") != std::string::npos);
  std::string path = (fs::temp_directory_path() / "flowc-not-json.ir.json").string();
  test::write_file(path, "{ this is not json");
  CHECK_FALSE(ir::load_ir_file(path, &error));
  CHECK(error.find("not valid JSON") != std::string::npos);
  fs::remove(path);
}

TEST_CASE("the IR records shell quoting and scatter exports", "[ir]") {
  ordered_json doc = hello_ir();
  CHECK(doc["ops"][0]["command"][1]["quote"] == "double");
  CHECK(doc["ops"][0]["command"][3]["quote"] == "bare");
  const ordered_json& loop = doc["workflows"][0]["body"][0];
  CHECK(loop["for"] == "n");
  CHECK(loop["exports"]["g"] == "{msg: list[file]}");
  CHECK(loop["deps"] == ordered_json::array({"names"}));
}

// ---- hostile IR (issue 15) ----------------------------------------------------------------------

namespace {

// Every place in `doc` that holds a scalar, as a JSON pointer.
void scalar_places(const ordered_json& j, const std::string& at, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) scalar_places(it.value(), at + "/" + it.key(), out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) scalar_places(j[i], at + "/" + std::to_string(i), out);
  } else {
    out.push_back(at);
  }
}

}  // namespace

TEST_CASE("every field of the IR, given a value of the wrong kind, is refused with its JSON path", "[ir][hostile]") {
  // Of 3,115 mutated IR files, 46 got nlohmann's own text without the path
  // ("[json.exception.type_error.302] type must be boolean, but is string"
  // for ops[0].cache = "yes"). Every scalar of the tour example's IR (every
  // field the writer writes) is replaced by each wrong kind of value.
  auto c = compile_example("examples/tour.flow");
  REQUIRE(c->program);
  const ordered_json original = ir::to_json(*c->program);
  std::vector<std::string> places;
  scalar_places(original, "", places);
  REQUIRE(places.size() > 200);
  const ordered_json wrong[] = {
      "yes", 1.5, -1, 4294967297LL, true, nullptr, ordered_json::array(), ordered_json::object()};
  size_t refused = 0;
  for (const std::string& place : places) {
    for (const ordered_json& value : wrong) {
      ordered_json doc = original;
      doc[ordered_json::json_pointer(place)] = value;
      std::string error;
      auto loaded = load(doc, &error);
      if (loaded) continue;  // some values are as good there (a string for a string)
      ++refused;
      INFO(place << " = " << value.dump() << ": " << error);
      CHECK(error.rfind("malformed IR", 0) == std::string::npos);
      CHECK(error.find("json.exception") == std::string::npos);
    }
  }
  CHECK(refused > places.size());
}

TEST_CASE("optional IR fields of the wrong type name their place", "[ir][hostile]") {
  struct Case {
    std::function<void(ordered_json&)> damage;
    const char* expected;
  };
  Case cases[] = {
      {[](ordered_json& d) { d["ops"][0]["cache"] = "yes"; }, "at /ops/0/cache: expected true or false"},
      {[](ordered_json& d) { d["ops"][0]["network"] = 1; }, "at /ops/0/network: expected true or false"},
      {[](ordered_json& d) { d["ops"][0]["streams"] = "sometimes"; },
       "at /ops/0/streams: expected \"stdio\" or \"native\""},
      {[](ordered_json& d) { d["ops"][0]["doc"] = 7; }, "at /ops/0/doc: expected a string"},
      {[](ordered_json& d) { d["ops"][0]["command"][1]["backticks"] = "2"; },
       "at /ops/0/command/1/backticks: expected an integer from 0 to 255"},
      {[](ordered_json& d) { d["ops"][0]["command"][1]["comment"] = "no"; },
       "at /ops/0/command/1/comment: expected true or false"},
      {[](ordered_json& d) {
         d["ops"][0]["retry"] = {{"attempts", 2}, {"on_timeout", "x"}};
       },
       "at /ops/0/retry/on_timeout: expected true or false"},
      {[](ordered_json& d) {
         d["ops"][0]["retry"] = {{"attempts", 2}, {"exit_codes", {1, "2"}}};
       },
       "at /ops/0/retry/exit_codes/1: expected a 64-bit integer"},
      {[](ordered_json& d) {
         d["ops"][0]["retry"] = {{"attempts", -2}};
       },
       "at /ops/0/retry/attempts: expected an integer from 0"},
      {[](ordered_json& d) { d["ops"][0]["mpi"] = 4; }, "at /ops/0/mpi: expected an object"},
      {[](ordered_json& d) {
         d["workflows"][0]["body"][0]["body"][0]["options"] = {{"optional", "yes"}};
       },
       "at /workflows/0/body/0/body/0/options/optional: expected true or false"},
      {[](ordered_json& d) { d["workflows"][0]["body"][0]["body"][0]["options"] = "x"; },
       "at /workflows/0/body/0/body/0/options: expected an object"},
      {[](ordered_json& d) { d["compiler"] = ordered_json::array(); }, "at /compiler: expected a string"},
      {[](ordered_json& d) { d["flowc_ir"] = 4294967297LL; }, "newer than this flowc understands"},
      {[](ordered_json& d) {
         d["ops"][0]["loc"] = ordered_json::array({0, 4294967296LL, 1, 1, 1});
       },
       "location numbers must be integers from 0 to 4294967295"},
      {[](ordered_json& d) { d["types"]["Deep"] = std::string(200, '['); }, "at /types/Deep"},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    ordered_json doc = hello_ir();
    cases[i].damage(doc);
    std::string error;
    CHECK_FALSE(load(doc, &error));
    INFO("case " << i << ", error was: " << error);
    CHECK(error.find(cases[i].expected) != std::string::npos);
  }
}

TEST_CASE("record aliases that build a type deeper than the limit are refused", "[ir][hostile]") {
  // Each alias one level deeper than the last: short text, unbounded depth.
  ordered_json doc = hello_ir();
  doc["types"] = ordered_json::object();
  doc["types"]["T0"] = "{a: int}";
  for (int i = 1; i < 500; ++i) doc["types"]["T" + std::to_string(i)] = "{a: list[T" + std::to_string(i - 1) + "]}";
  std::string error;
  CHECK_FALSE(load(doc, &error));
  CHECK(error.find("type is nested more than 100 levels deep") != std::string::npos);
}

TEST_CASE("the deepest program the compiler accepts loads back from its IR", "[ir][hostile]") {
  // Types at the depth limit, expressions at theirs, blocks nested as deep
  // as they go (an `if` costs four JSON levels in the IR, an operator two):
  // the IR the compiler writes for it must be one the reader (and the JSON
  // depth cap) accepts.
  std::string type = "int";
  for (uint32_t i = 1; i < ir::kMaxTypeDepth; ++i) type = "list[" + type + "]";
  std::string sum = "1";
  for (int i = 1; i < 255; ++i) sum += " + 1";
  std::string text = "workflow main(deep: " + type + " = [], c: bool = true) -> (n: int) {\n";
  std::string close;
  for (int i = 0; i < 198; ++i) {  // with the workflow's own braces, 199 of the 200 levels
    text += "if c {\n";
    close += "}\n";
  }
  text += "x = " + sum + "\n" + close + "return (n = 1)\n}\n";
  auto c = test::compile_text(text);
  INFO(test::diagnostics_text(*c));
  REQUIRE(c->ok());
  std::string written = ir::json_text(ir::to_json(*c->program));
  std::string path =
      (fs::temp_directory_path() / ("flowc-deepest-" + std::to_string(::getpid()) + ".ir.json")).string();
  test::write_file(path, written);
  std::string error;
  auto loaded = ir::load_ir_file(path, &error);
  fs::remove(path);
  INFO(error);
  REQUIRE(loaded);
  CHECK(ir::json_text(ir::to_json(*loaded)) == written);
}

TEST_CASE("one level more is refused by the compiler, with a diagnostic", "[ir][hostile]") {
  std::string type = "int";
  for (uint32_t i = 0; i < ir::kMaxTypeDepth; ++i) type = "list[" + type + "]";
  auto c = test::compile_text("workflow main(deep: " + type + " = []) { }\n");
  CHECK(test::diagnostic_codes(*c) == std::vector<std::string>{"E0521"});
  // Built binding by binding, without any nesting in the text.
  std::string chain = "workflow main() {\n  x0 = [1]\n";
  for (int i = 1; i < 100000; ++i) chain += "  x" + std::to_string(i) + " = [x" + std::to_string(i - 1) + "]\n";
  auto deep = test::compile_text(chain + "}\n");
  auto codes = test::diagnostic_codes(*deep);
  REQUIRE(!codes.empty());
  CHECK(codes[0] == "E0521");
}

TEST_CASE("load_ir_file refuses devices, FIFOs and JSON nested too deeply", "[ir][hostile]") {
  std::string error;
  CHECK_FALSE(ir::load_ir_file("/dev/zero", &error));
  CHECK(error == "cannot read `/dev/zero`: it is a character device, not a regular file");
  std::string path = (fs::temp_directory_path() / ("flowc-deep-" + std::to_string(::getpid()) + ".ir.json")).string();
  test::write_file(path, std::string(100000, '['));
  CHECK_FALSE(ir::load_ir_file(path, &error));
  CHECK(error == "`" + path + "` is not valid JSON: line 1, column 2001: nested more than 2000 levels deep");
  fs::remove(path);
}
