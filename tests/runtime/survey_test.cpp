// The survey of a run before it starts (runtime/run/survey.h): the whole
// plan the inputs tell of, what waits for outputs, and the files known now
// that are missing. Then the same through `flowc run` and `--dry-run`, and
// glob() as a workflow's way to list its input files.
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>

#include "runtime/run/survey.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc;
using namespace flowc::runtime;
using flowc::test::Project;

namespace {

struct Surveyed {
  std::unique_ptr<Compilation> c;
  Survey survey;
  explicit Surveyed(const std::string& text, Value inputs = Value::object()) {
    c = test::compile_text(text);
    INFO(test::diagnostics_text(*c));
    REQUIRE(c->program);
    const ir::Workflow* wf = c->program->find_workflow(c->program->entry);
    REQUIRE(wf);
    survey = survey_run(*c->program, *wf, std::move(inputs), PlanOptions{});
  }
  const Survey::Step& step(const std::string& name) {
    for (const Survey::Step& s : survey.steps) {
      if (s.step == name) return s;
    }
    FAIL("no step " << name);
    return survey.steps.at(0);
  }
};

const char* kOps = R"(
op align(sample: str) -> (bam: file) { run "echo ${sample} > ${bam}" }
op sort(bam: file) -> (sorted: file) { run "cp ${bam} ${sorted}" }
op call(bams: list[file]) -> (vcf: file, n: int) { run "cat ${bams} > ${vcf}; echo 1 > ${n}" }
op split_up(f: file) -> (parts: list[file] = glob("part_*")) { run "split -l 1 ${f} part_" }
op count(f: file) -> (n: int) { run "wc -l < ${f} > ${n}" }
)";

}  // namespace

TEST_CASE("survey: every task of a fan-out over a known list, and the steps after it", "[survey]") {
  Surveyed s(std::string(kOps) + R"(
workflow main(samples: list[str] = ["A", "B", "C"]) -> (vcf: file) {
    for x in samples {
        a = align(sample = x)
        b = sort(bam = a.bam)
    }
    c = call(bams = b.sorted)
    return (vcf = c.vcf)
})");
  CHECK(s.survey.complete);
  CHECK(s.survey.errors.empty());
  CHECK(s.survey.now == 3);
  CHECK(s.survey.later == 4);
  CHECK(s.step("main.a").now == 3);
  CHECK(s.step("main.b").later == 3);
  CHECK(s.step("main.c").later == 1);
  CHECK(s.survey.waiting.empty());
}

TEST_CASE("survey: a `for` over a list a `for` made knows its length, one over found files waits", "[survey]") {
  Surveyed s(std::string(kOps) + R"(
workflow main(samples: list[str] = ["A", "B"]) -> (n: list[int], m: list[int]) {
    for x in samples { a = align(sample = x) }
    for b in a.bam { k = count(f = b) }
    p = split_up(f = a.bam[0])
    for part in p.parts { q = count(f = part) }
    return (n = k.n, m = q.n)
})");
  CHECK(s.survey.complete);
  CHECK(s.step("main.k").later == 2);
  CHECK(s.step("main.p").later == 1);
  REQUIRE(s.survey.waiting.size() == 1);
  CHECK(s.survey.waiting[0].message.find("`for part in p.parts`: its list comes from outputs") != std::string::npos);
  for (const Survey::Step& step : s.survey.steps) CHECK(step.step != "main.q");
}

TEST_CASE("survey: an `if` on an output waits, one on an input is decided", "[survey]") {
  Surveyed s(std::string(kOps) + R"(
workflow main(deep: bool = true) -> (n: int?) {
    a = align(sample = "A")
    c = count(f = a.bam)
    if c.n > 1 { d = count(f = a.bam) }
    if deep { e = sort(bam = a.bam) }
    return (n = d.n)
})");
  CHECK(s.survey.complete);
  REQUIRE(s.survey.waiting.size() == 1);
  CHECK(s.survey.waiting[0].message.find("`if c.n > 1`") != std::string::npos);
  CHECK(s.step("main.e").later == 1);
}

TEST_CASE("survey: paths built from parameters are checked, each named with its task", "[survey]") {
  Project p;
  p.write("data/A.txt", "a\n");
  p.write("data/C.txt", "c\n");
  // compile_text does not know the file's folder: give the paths absolute.
  Surveyed s(std::string(kOps) + R"(
workflow main(dir: str, samples: list[str] = ["A", "B", "C", "D"]) -> (n: list[int]) {
    for x in samples { k = count(f = file("${dir}/${x}.txt")) }
    return (n = k.n)
})",
             Value{{"dir", p.path("data")}});
  REQUIRE(s.survey.errors.size() == 2);
  CHECK(s.survey.errors[0].find("B.txt` does not exist: input `f` of op `count` at main.k[1]") != std::string::npos);
  CHECK(s.survey.errors[1].find("D.txt` does not exist: input `f` of op `count` at main.k[3]") != std::string::npos);
}

TEST_CASE("survey: an expression that fails on known values fails the run before it starts", "[survey]") {
  Surveyed s(std::string(kOps) + R"(
workflow main(samples: list[str] = ["A"]) -> (bam: file) {
    a = align(sample = samples[3])
    return (bam = a.bam)
})");
  REQUIRE(s.survey.errors.size() == 1);
  CHECK(s.survey.errors[0].find("index 3") != std::string::npos);
}

TEST_CASE("run: a missing input named from a parameter stops the run before any task starts", "[survey][run]") {
  Project p;
  p.write("data/A.txt", "a\n");
  p.write("s.flow", R"(
op slow() -> (o: file) { run "sleep 0.2; echo x > ${o}" }
op count(f: file) -> (n: int) { run "wc -l < ${f} > ${n}" }
workflow main(samples: list[str] = ["A", "B"]) -> (o: file, n: list[int]) {
    s = slow()
    for x in samples { k = count(f = file("data/${x}.txt")) }
    return (o = s.o, n = k.n)
})");
  auto r = p.flowc({"run", "s.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("flowc: error: `data/B.txt` does not exist: input `f` of op `count` at main.k[1] (") !=
        std::string::npos);
  CHECK(r.err.find("nothing was run") != std::string::npos);
  CHECK(p.count("started") == 0);
  CHECK((!p.exists(".flow/runs") || fs::is_empty(p.path(".flow/runs"))));
}

TEST_CASE("run --dry-run: the whole plan, step by step, and what waits for outputs", "[survey][run]") {
  Project p;
  p.write("d.flow", std::string(kOps) + R"(
workflow main(samples: list[str] = ["A", "B", "C"]) -> (vcf: file, m: list[int]) {
    for x in samples {
        a = align(sample = x)
        b = sort(bam = a.bam)
    }
    c = call(bams = b.sorted)
    p = split_up(f = c.vcf)
    for part in p.parts { q = count(f = part) }
    return (vcf = c.vcf, m = q.n)
})");
  auto r = p.flowc({"run", "d.flow", "--dry-run"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("dry run of `main`: 8 tasks in all; 3 tasks can start now, 5 wait for outputs of earlier steps") !=
        std::string::npos);
  CHECK(r.err.find("main.a         3         0  align") != std::string::npos);
  CHECK(r.err.find("main.b         0         3  sort") != std::string::npos);
  CHECK(r.err.find("main.for@") != std::string::npos);
  CHECK(r.err.find("`for part in p.parts`: its list comes from outputs of earlier steps") != std::string::npos);
  CHECK_FALSE(p.exists(".flow/work/00"));
  CHECK(p.count("started") == 0);
}

TEST_CASE("glob in a workflow lists its input files, relative to the .flow file", "[survey][glob]") {
  Project p;
  p.write("w/data/b.fastq", "2\n");
  p.write("w/data/a.fastq", "1\n");
  p.write("w/data/.hidden.fastq", "h\n");
  p.write("w/data/sub.fastq/x", "a folder is not a file\n");
  p.write("w/g.flow", R"(
op count(f: file) -> (n: str) { run "cat ${f} > ${n}" }
op total(ns: list[str]) -> (all: str) { run "echo ${ns} > ${all}" }
workflow main(reads: list[file] = glob("data/*.fastq")) -> (all: str) {
    for r in reads { c = count(f = r) }
    t = total(ns = c.n)
    return (all = t.all)
})");
  // Run from elsewhere: the pattern is relative to the .flow file's folder.
  auto r = p.flowc({"run", "w/g.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.read("flow-out/outputs.json").find("\"1 2\"") != std::string::npos);  // sorted, no hidden file, no folder
  // A matched file added: its task runs, the others are reused, the gather reruns.
  p.write("w/data/c.fastq", "3\n");
  auto added = p.flowc({"run", "w/g.flow"});
  INFO(added.err);
  CHECK(added.err.find("(2 ran, 2 cached)") != std::string::npos);
  CHECK(p.read("flow-out/outputs.json").find("\"1 2 3\"") != std::string::npos);
  // One removed: only the gather reruns.
  fs::remove(p.path("w/data/a.fastq"));
  auto removed = p.flowc({"run", "w/g.flow"});
  CHECK(removed.err.find("(1 ran, 2 cached)") != std::string::npos);
  CHECK(p.read("flow-out/outputs.json").find("\"2 3\"") != std::string::npos);
}

TEST_CASE("glob in a workflow: no match and a link to nowhere are errors before anything runs", "[survey][glob]") {
  Project p;
  p.write("g.flow", R"(
op count(f: file) -> (n: str) { run "cat ${f} > ${n}" }
workflow main(pattern: str = "data/*.fq") -> (n: list[str]) {
    for r in glob(pattern) { c = count(f = r) }
    return (n = c.n)
})");
  auto none = p.flowc({"run", "g.flow"});
  INFO(none.err);
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no file matches `data/*.fq`") != std::string::npos);
  CHECK(p.count("started") == 0);

  p.write("data/a.fq", "a\n");
  REQUIRE(::symlink("/nonexistent/b.fq", p.path("data/b.fq").c_str()) == 0);
  auto dangling = p.flowc({"run", "g.flow"});
  INFO(dangling.err);
  CHECK(dangling.exit_code == 2);
  CHECK(dangling.err.find("a link to `/nonexistent/b.fq`, which does not exist") != std::string::npos);

  // A link to a file elsewhere is followed like any path.
  fs::remove(p.path("data/b.fq"));
  p.write("elsewhere/b.fq", "b\n");
  fs::create_symlink(p.path("elsewhere/b.fq"), p.path("data/b.fq"));
  auto linked = p.flowc({"run", "g.flow"});
  INFO(linked.err);
  CHECK(linked.exit_code == 0);
  CHECK(p.read("flow-out/outputs.json").find("\"b\"") != std::string::npos);
}
