// Companion files (`file with [".bai"]`) end to end: staged beside their
// file, hashed into the key, required before anything runs, produced,
// checked and published with an output, passed on downstream. The BAM cases
// run Debian's samtools for real.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/run/companion_text.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::Project;
using nlohmann::json;

namespace {

// Two contigs and a handful of reads, as SAM text: samtools makes a BAM of it.
const char* kSam =
    "@HD\tVN:1.6\tSO:unsorted\n"
    "@SQ\tSN:chr1\tLN:1000\n"
    "@SQ\tSN:chr2\tLN:500\n"
    "r1\t0\tchr2\t100\t60\t4M\t*\t0\t0\tACGT\tIIII\n"
    "r2\t0\tchr1\t10\t60\t4M\t*\t0\t0\tACGT\tIIII\n"
    "r3\t0\tchr1\t50\t60\t4M\t*\t0\t0\tACGT\tIIII\n"
    "r4\t0\tchr2\t7\t60\t4M\t*\t0\t0\tACGT\tIIII\n"
    "r5\t0\tchr1\t300\t60\t4M\t*\t0\t0\tACGT\tIIII\n";

// sort+index declares its `.bai`; idxstats needs one.
const char* kBamFlow = R"(
op to_bam(sam: file) -> (bam: file = "reads.bam") {
    run "samtools view -b -o ${bam} ${sam}"
}
op sort_index(bam: file) -> (sorted: file with [".bai"] = "reads.sorted.bam") {
    run """
        samtools sort -o ${sorted} ${bam}
        samtools index ${sorted}
    """
}
op idxstats(bam: file with [".bai"]) -> (stats: file = "stats.txt") {
    run """
        echo "${bam}" > seen.txt
        ls inputs/bam > staged.txt
        samtools idxstats ${bam} > ${stats}
    """
}
workflow main(sam: file = "reads.sam") -> (stats: file, sorted: file with [".bai"]) {
    b = to_bam(sam = sam)
    s = sort_index(bam = b.bam)
    i = idxstats(bam = s.sorted)
    return (stats = i.stats, sorted = s.sorted)
}
)";

std::string work_dir_of(const Project& p, const std::string& task) {
  for (const json& e : p.events()) {
    if (e.value("task", "") == task && e.contains("work_dir")) return e["work_dir"];  // not every event names a task
  }
  return {};
}

}  // namespace

TEST_CASE("companions: samtools index's .bai travels with the BAM into samtools idxstats", "[run][companions]") {
  Project p;
  p.write("reads.sam", kSam);
  p.write("bam.flow", kBamFlow);
  auto r = p.flowc({"run", "bam.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // idxstats read the index: counts per contig (an unindexed BAM fails).
  CHECK(p.output_file("stats") == "chr1\t1000\t3\t0\nchr2\t500\t2\t0\n*\t0\t0\t0\n");
  // The command saw the BAM by a readable path, its index beside it under its own name.
  std::string work = work_dir_of(p, "main.i");
  REQUIRE_FALSE(work.empty());
  CHECK(flowc::test::read_file(work + "/seen.txt") == "inputs/bam/reads.sorted.bam\n");
  CHECK(flowc::test::read_file(work + "/staged.txt") == "reads.sorted.bam\nreads.sorted.bam.bai\n");
  // Published with the output that declares it.
  CHECK(p.exists("flow-out/sorted/reads.sorted.bam"));
  CHECK(p.exists("flow-out/sorted/reads.sorted.bam.bai"));
  CHECK_FALSE(p.exists("flow-out/stats/stats.txt.bai"));

  // A second run reuses everything, the index included.
  auto again = p.flowc({"run", "bam.flow"});
  CHECK(again.err.find("(0 ran, 3 cached)") != std::string::npos);

  // The index changed by hand in the producer's work dir: its output is no
  // longer what was made, so the producer runs again (and idxstats is
  // reused, since what it gets is the same again).
  std::string sorter = work_dir_of(p, "main.s");
  REQUIRE_FALSE(sorter.empty());
  { std::ofstream(sorter + "/reads.sorted.bam.bai", std::ios::app) << "x"; }
  auto changed = p.flowc({"run", "bam.flow"});
  INFO(changed.err);
  CHECK(changed.exit_code == 0);
  CHECK(changed.err.find("(1 ran, 2 cached)") != std::string::npos);
}

TEST_CASE("companions: a companion's content is in the key of the task that reads it", "[run][companions]") {
  Project p;
  p.write("data/x.txt", "main\n");
  p.write("data/x.txt.idx", "index 1\n");
  p.write("c.flow", R"(
op read_both(f: file with [".idx"]) -> (o: file) { run "cat ${f} ${f}.idx > ${o}" }
workflow main(f: file with [".idx"] = "data/x.txt") -> (o: file) {
    r = read_both(f = f)
    return (o = r.o)
})");
  REQUIRE(p.flowc({"run", "c.flow"}).exit_code == 0);
  CHECK(p.output_file("o") == "main\nindex 1\n");
  // Only the index changes: the task runs again and sees it.
  p.write("data/x.txt.idx", "index 2\n");
  auto r = p.flowc({"run", "c.flow"});
  CHECK(r.err.find("(1 ran, 0 cached)") != std::string::npos);
  CHECK(p.output_file("o") == "main\nindex 2\n");
  auto e = p.flowc({"explain", "main.r"});
  INFO(e.out << e.err);
  CHECK((e.out + e.err).find(".idx") != std::string::npos);
}

TEST_CASE("companions: a missing one stops the run before anything starts, naming it and the input",
          "[run][companions]") {
  Project p;
  p.write("data/genome.fa", ">chr1\nACGT\n");
  p.write("data/other.txt", "x\n");
  p.write("c.flow", R"(
op first(f: file) -> (o: file) { run "cp ${f} ${o}" }
op faidx(ref: file with [".fai"]) -> (o: file) { run "cat ${ref}.fai > ${o}" }
workflow main(other: file = "data/other.txt") -> (a: file, b: file) {
    x = first(f = other)
    y = faidx(ref = "data/genome.fa")
    return (a = x.o, b = y.o)
})");
  auto r = p.flowc({"run", "c.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("`data/genome.fa` has no companion `genome.fa.fai` beside it") != std::string::npos);
  CHECK(r.err.find("or declare it optional: `\".fai\"?`") != std::string::npos);
  CHECK(r.err.find("input `ref` of op `faidx` at main.y") != std::string::npos);
  CHECK(r.err.find("nothing was run") != std::string::npos);
  CHECK(p.count("started") == 0);  // not even the task that did not need it

  // Given as a parameter: the same check, when the inputs are read.
  p.write("d.flow", R"(
op faidx(ref: file with [".fai"]) -> (o: file) { run "cat ${ref}.fai > ${o}" }
workflow main(ref: file with [".fai"]) -> (o: file) { y = faidx(ref = ref)
    return (o = y.o) })");
  auto given = p.flowc({"run", "d.flow", "-p", "ref=data/genome.fa"});
  INFO(given.err);
  CHECK(given.exit_code == 2);
  CHECK(given.err.find("input `ref`: `data/genome.fa` has no companion `genome.fa.fai` beside it") !=
        std::string::npos);
  CHECK(given.err.find("or declare it optional: `\".fai\"?`") != std::string::npos);
}

TEST_CASE("companions: one text says a companion is missing, wherever it is found missing", "[run][companions]") {
  flowc::ir::Companion fai{".fai", true};
  flowc::runtime::CompanionFile c{"data/genome.fa.fai", &fai};
  std::string text = flowc::runtime::missing_companion_text("ref", "data/genome.fa", c);
  CHECK(text ==
        "input `ref`: `data/genome.fa` has no companion `genome.fa.fai` beside it (\".fai\" in its type; make it "
        "first, as an index is made with `samtools index` or `bwa index`, or declare it optional: `\".fai\"?`)");
  // Without a port, the caller names who needs it.
  CHECK(flowc::runtime::missing_companion_text("", "data/genome.fa", c).rfind("`data/genome.fa` has no companion", 0) ==
        0);
}

TEST_CASE("companions: an output must come with the companions its type declares", "[run][companions]") {
  Project p;
  p.write("c.flow", R"(
op forgetful() -> (bam: file with [".bai"] = "x.bam") { run "echo data > ${bam}" }
workflow main() -> (bam: file with [".bai"]) {
    f = forgetful()
    return (bam = f.bam)
})");
  auto r = p.flowc({"run", "c.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("the command did not write `x.bam.bai`, the companion (\".bai\") of output `bam`") !=
        std::string::npos);
  CHECK_FALSE(p.exists("flow-out/outputs.json"));
}

TEST_CASE("companions: optional ones are staged and hashed when they are there", "[run][companions]") {
  Project p;
  p.write("data/v.vcf.gz", "calls\n");
  p.write("c.flow", R"(
op look(vcf: file with [".tbi"?, ".csi"?]) -> (o: file) {
    run "ls inputs/vcf > ${o}"
}
workflow main(vcf: file with [".tbi"?, ".csi"?] = "data/v.vcf.gz") -> (o: file) {
    l = look(vcf = vcf)
    return (o = l.o)
})");
  REQUIRE(p.flowc({"run", "c.flow"}).exit_code == 0);
  CHECK(p.output_file("o") == "v.vcf.gz\n");
  p.write("data/v.vcf.gz.tbi", "index\n");
  auto r = p.flowc({"run", "c.flow"});
  CHECK(r.err.find("(1 ran, 0 cached)") != std::string::npos);
  CHECK(p.output_file("o") == "v.vcf.gz\nv.vcf.gz.tbi\n");
}

TEST_CASE("companions: CWL's ^ patterns replace the extension", "[run][companions]") {
  Project p;
  p.write("data/x.bam", "bam\n");
  p.write("data/x.bai", "bai\n");
  p.write("c.flow", R"(
op look(bam: file with ["^.bai"]) -> (o: file, index: file with ["^.bai"] = "copy.bam") {
    run """
        ls inputs/bam > ${o}
        cp ${bam} ${index}
        cp inputs/bam/x.bai copy.bai
    """
}
workflow main(bam: file with ["^.bai"] = "data/x.bam") -> (o: file, index: file with ["^.bai"]) {
    l = look(bam = bam)
    return (o = l.o, index = l.index)
})");
  auto r = p.flowc({"run", "c.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("o") == "x.bai\nx.bam\n");
  CHECK(p.read("flow-out/index/copy.bai") == "bai\n");
}

TEST_CASE("companions: a globbed list of outputs has them too, checked item by item", "[run][companions]") {
  Project p;
  p.write("c.flow", R"(
op parts(n: int) -> (parts: list[file with [".idx"]] = glob("part_*.txt")) {
    run """
        for i in $(seq ${n}); do echo $i > part_$i.txt; echo idx$i > part_$i.txt.idx; done
        rm -f part_3.txt.idx
    """
}
op read_all(ps: list[file with [".idx"]]) -> (o: file) { run "cat ${ps} > ${o}; for f in ${ps}; do cat $f.idx >> ${o}; done" }
workflow main(n: int = 2) -> (o: file) {
    p = parts(n = n)
    r = read_all(ps = p.parts)
    return (o = r.o)
})");
  auto r = p.flowc({"run", "c.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("o") == "1\n2\nidx1\nidx2\n");
  auto missing = p.flowc({"run", "c.flow", "-p", "n=3"});
  INFO(missing.err);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("did not write `part_3.txt.idx`, the companion (\".idx\") of output `parts`") !=
        std::string::npos);
}
