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
  auto r = run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("stdin-stdout.cwl"), doc("stdin-stdout-job.yml")});
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
  auto r = run_flowc({"cwl-runner", "--outdir", out.path.string(),
                      flowc::test::source_path("tests/golden/cwl/unsupported.cwl")});
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
  auto wrong = run_flowc({"cwl-runner", "--outdir", out.path.string(), doc("echo-args.cwl"), doc("wrong-type-job.yml")});
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("wrong-type-job.yml:1:1: input `count`: expected an integer, found \"three\"") != std::string::npos);
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
