// The paths a command sees: relative to its work dir, keeping each file's
// own name, so what a tool records of them is the same wherever the project
// and its state folder are (docs/runtime.md, "The paths a command sees").
#include <filesystem>

#include <catch2/catch.hpp>

#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::Project;

namespace {

const char* kShow = R"(
op make(name: str) -> (f: file = "${name}/reads.bam") { run "echo ${name} > ${f}" }
op show(one: file, many: list[file], opt: file?) -> (out: file = "sub/report.txt", plain: file, n: int) {
    run """
        echo ${one} ${many} ${opt} > ${out}
        echo ${plain} ${n} >> ${out}
        cat ${one} ${many} > ${plain}
        echo 2 > ${n}
    """
}
workflow main(data: file = "data/in.txt") -> (out: file, plain: file, n: int) {
    for s in ["A", "B"] { m = make(name = s) }
    s = show(one = data, many = m.f)
    return (out = s.out, plain = s.plain, n = s.n)
}
)";

}  // namespace

TEST_CASE("paths: a command sees its files relative to its work dir, by their own names", "[run][paths]") {
  Project p;
  p.write("data/in.txt", "input\n");
  p.write("p.flow", kShow);
  auto r = p.flowc({"run", "p.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("out") ==
        "inputs/one/in.txt inputs/many/0/reads.bam inputs/many/1/reads.bam\n"
        "plain n\n");
  CHECK(p.output_file("plain") == "input\nA\nB\n");
  CHECK(p.read("flow-out/outputs.json").find("\"n\": 2") != std::string::npos);
  // The script run names no absolute path: nothing in it depends on where the run is.
  for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
    if (e.path().filename() != ".command.sh") continue;
    CHECK(flowc::test::read_file(e.path().string()).find(p.dir.string()) == std::string::npos);
  }
}

TEST_CASE("paths: the same project elsewhere, with its state folder elsewhere, gives the same bytes", "[run][paths]") {
  Project a("flowc-paths-a"), b("flowc paths b");
  for (Project* p : {&a, &b}) {
    p->write("data/in.txt", "input\n");
    p->write("p.flow", kShow);
  }
  REQUIRE(a.flowc({"run", "p.flow"}).exit_code == 0);
  REQUIRE(b.flowc({"run", "p.flow", "--state-dir", b.path("elsewhere/state")}).exit_code == 0);
  CHECK(a.output_file("out") == b.output_file("out"));
}
