// flowc cwl-runner and `flowc run x.cwl` from the outside: exit codes, the
// messages bad documents and jobs get, nothing run for them, and the
// engine's features (the cache) on CWL documents.
#include <filesystem>
#include <string>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::run_flowc;

namespace {

std::string doc(const char* name) { return flowc::test::source_path(std::string("tests/cwl/") + name); }

struct Outdir {
  fs::path path = fs::temp_directory_path() / fs::path("flowc-cwl-test-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(reinterpret_cast<uintptr_t>(this)));
  Outdir() { fs::create_directories(path); }
  ~Outdir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("cwl-runner prints the output object and exits 0", "[cwl]") {
  Outdir out;
  auto r =
      run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("stdin-stdout.cwl"), doc("stdin-stdout-job.yml")});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\"upper\"") != std::string::npos);
  CHECK(r.out.find("sha1$0e6272fd65034cba3952c5a852d5b061a9d963b1") != std::string::npos);
}

TEST_CASE("a workflow whose output cannot be made says why", "[cwl]") {
  Outdir out;
  fs::path job = out.path / "job.yml";
  flowc::test::write_file(job.string(), "a: p\nb: q\n");
  auto r = run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("pick-fails.cwl"), job.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("the_only_non_null: 2 values are not null") != std::string::npos);
}

TEST_CASE("an unsupported requirement exits 33 and runs nothing", "[cwl]") {
  Outdir out;
  auto r = run_flowc(
      {"cwl-runner", "--outdir", out.path.string(), flowc::test::source_path("tests/golden/cwl/unsupported.cwl")});
  CHECK(r.exit_code == 33);
  CHECK(r.err.find("GpuRequirement") != std::string::npos);
  CHECK_FALSE(fs::exists(out.path / ".flow"));
}

TEST_CASE("a bad document or job names the file and line, exits 1, runs nothing", "[cwl]") {
  Outdir out;
  auto yaml = run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("bad-yaml.cwl")});
  CHECK(yaml.exit_code == 1);
  CHECK(yaml.err.find("bad-yaml.cwl:5:1: error[E1000]: this is not valid YAML") != std::string::npos);
  auto cls = run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("bad-class.cwl")});
  CHECK(cls.exit_code == 1);
  CHECK(cls.err.find("unknown process class `CommandLinTool`") != std::string::npos);
  auto missing = run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("stdin-stdout.cwl")});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("input `text` is required") != std::string::npos);
  auto wrong =
      run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("echo-args.cwl"), doc("wrong-type-job.yml")});
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("wrong-type-job.yml:1:1: input `count`: expected an integer, found \"three\"") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(out.path / ".flow"));
}

TEST_CASE("an expression that loops for ever is stopped with a clear error", "[cwl]") {
  Outdir out;
  auto r = run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("js-loop.cwl")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ran longer than 10 s and was stopped") != std::string::npos);
  CHECK(r.err.find("js-loop.cwl:7") != std::string::npos);
}

TEST_CASE("a second run of a CWL tool reuses its result", "[cwl]") {
  Outdir out;
  std::string state = (out.path / "state").string();
  auto first = run_flowc({"cwl-runner", "--outdir", (out.path / "a").string(), "--state-dir", state,
                          doc("stdin-stdout.cwl"), doc("stdin-stdout-job.yml")});
  REQUIRE(first.exit_code == 0);
  auto second = run_flowc({"cwl-runner", "--outdir", (out.path / "b").string(), "--state-dir", state,
                           doc("stdin-stdout.cwl"), doc("stdin-stdout-job.yml")});
  CHECK(second.exit_code == 0);
  CHECK(second.err.find("1 cached") != std::string::npos);
  CHECK(second.out.find((out.path / "b" / "upper" / "upper.txt").string()) != std::string::npos);
  CHECK(second.out.find("sha1$0e6272fd65034cba3952c5a852d5b061a9d963b1") != std::string::npos);
}

// flowc import-cwl: what it writes passes `flowc check` and runs to the same
// results as the CWL document; what .flow cannot say is refused by name.
TEST_CASE("import-cwl writes a .flow file that checks and runs like the document", "[cwl][import]") {
  Outdir out;
  for (const char* name : {"greet.cwl", "fan-out.cwl"}) {
    fs::path flow = out.path / (std::string(name) + ".flow");
    auto imported = run_flowc({"import-cwl", doc((std::string("import/") + name).c_str()), "-o", flow.string()});
    INFO(name << ": " << imported.err);
    REQUIRE(imported.exit_code == 0);
    auto checked = run_flowc({"check", flow.string()});
    INFO(flowc::test::read_file(flow.string()) << checked.err);
    CHECK(checked.exit_code == 0);
  }
  std::string text = flowc::test::read_file((out.path / "fan-out.cwl.flow").string());
  CHECK(text.find("for hello_name in names {") != std::string::npos);
  CHECK(text.find("if extra {") != std::string::npos);
  CHECK(text.find("select_all([maybe_.out])") != std::string::npos);
  CHECK(text.find("op greet(") != std::string::npos);
  CHECK(text.find("hello = greet(name = hello_name, loud = true)") != std::string::npos);

  // The imported workflow runs, and says what the CWL run says.
  fs::path flow = out.path / "fan-out.cwl.flow";
  auto ran = run_flowc({"run", flow.string(), "--outdir", (out.path / "flow-out").string(), "--state-dir",
                        (out.path / "state").string(), "-p", "names=[\"Ada\", \"Grace\"]", "-p", "counts=[1, 2]", "-p",
                        "extra=true"});
  INFO(ran.err);
  REQUIRE(ran.exit_code == 0);
  auto cwl = run_flowc({"cwl-runner", "--outdir", (out.path / "cwl-out").string(), doc("import/fan-out.cwl"),
                        doc("import/fan-out-job.yml")});
  REQUIRE(cwl.exit_code == 0);
  for (const char* output : {"each", "pairs", "bonus"}) {
    for (int k = 0; k < 2; ++k) {
      if (std::string(output) == "bonus" && k > 0) break;
      fs::path a = out.path / "flow-out" / output / std::to_string(k);
      fs::path b = out.path / "cwl-out" / output / std::to_string(k);
      if (std::string(output) == "bonus") a = out.path / "flow-out" / output, b = out.path / "cwl-out" / output;
      INFO(output << " " << k);
      REQUIRE(fs::is_directory(a));
      REQUIRE(fs::is_directory(b));
      std::string fa = flowc::test::read_file(fs::directory_iterator(a)->path().string());
      std::string fb = flowc::test::read_file(fs::directory_iterator(b)->path().string());
      CHECK(fa == fb);
    }
  }
  CHECK(flowc::test::read_file(fs::directory_iterator(out.path / "flow-out" / "each" / "0")->path().string()) ==
        "said --greeting=Hello Ada --loud x,y\n");
}

TEST_CASE("import-cwl refuses what .flow cannot say, naming it, and writes nothing", "[cwl][import]") {
  Outdir out;
  fs::path flow = out.path / "x.flow";
  auto r = run_flowc(
      {"import-cwl", flowc::test::source_path("tests/golden/cwl-import/javascript.cwl"), "-o", flow.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("javascript.cwl:9:13: error[E1004]: writing the JavaScript expression `$(inputs.n * 2)` as .flow") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(flow));
}
