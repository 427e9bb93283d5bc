// examples/variant-calling/: the Snakemake tutorial's pipeline with real
// bwa, samtools, bcftools and matplotlib. Its calls must be the plain shell
// script's (reference.sh), and byte for byte the same wherever the folder
// and its state folder are (tasks see readable paths relative to their work
// dirs, so no tool records where the run happened).
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc::test;

namespace {

// The example's folder, copied to `to` (its data and scripts too).
void copy_example(const fs::path& to) {
  fs::create_directories(to);
  fs::copy(source_path("examples/variant-calling"), to, fs::copy_options::recursive);
}

std::string without_reference_line(const std::string& vcf) {
  std::istringstream in(vcf);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("##reference=", 0) != 0) out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("examples/variant-calling: the calls are the shell script's, byte-identical from any folder",
          "[examples][variant-calling]") {
  Project p("flowc variant calling");
  fs::path one = p.dir / "one";
  fs::path two = p.dir / "somewhere" / "else entirely";
  copy_example(one);
  copy_example(two);

  auto first = run_flowc({"run", "variant-calling.flow"}, one.string());
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.find("(15 ran, 0 cached)") != std::string::npos);
  std::string vcf = read_file((one / "flow-out/calls/calls.vcf").string());
  CHECK(vcf.rfind("##fileformat=VCFv4.2", 0) == 0);
  CHECK(vcf.find("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tC\tD\tE\tF\n") != std::string::npos);
  // The reference is named by its path in the task's work dir, not where the run was.
  CHECK(vcf.find("##reference=file://inputs/genome/genome.fa\n") != std::string::npos);
  // The published BAMs come with their indexes, and the plot is there.
  for (const char* s : {"A", "F"}) {
    CHECK(fs::exists(one / fmt::format("flow-out/bams/{}/{}.sorted.bam", s[0] - 'A', s)));
    CHECK(fs::exists(one / fmt::format("flow-out/bams/{}/{}.sorted.bam.bai", s[0] - 'A', s)));
  }
  CHECK(read_file((one / "flow-out/plot/quals.svg").string()).find("<svg") != std::string::npos);

  // The plain shell script's calls: the same, but for the line naming the reference file.
  std::string script = source_path("examples/variant-calling/reference.sh");
  std::string command = fmt::format("'{}' '{}' '{}' > '{}' 2>&1", script, (p.dir / "shell").string(),
                                    (one / "data").string(), (p.dir / "shell.log").string());
  int shell = std::system(command.c_str());
  INFO(read_file((p.dir / "shell.log").string()));
  REQUIRE(shell == 0);
  std::string shell_vcf = read_file((p.dir / "shell/calls.vcf").string());
  CHECK(without_reference_line(vcf) == without_reference_line(shell_vcf));
  CHECK(std::count(vcf.begin(), vcf.end(), '\n') > 40);  // the header and well over a dozen calls

  // Another folder, another state folder: the same bytes.
  auto second = run_flowc({"run", "variant-calling.flow", "--state-dir", (p.dir / "state two").string()}, two.string());
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(read_file((two / "flow-out/calls/calls.vcf").string()) == vcf);

  // One sample changed: its two steps run, and the calls and the plot after them.
  write_file((two / "data/samples/C.fastq").string(), read_file((two / "data/samples/D.fastq").string()));
  auto changed =
      run_flowc({"run", "variant-calling.flow", "--state-dir", (p.dir / "state two").string()}, two.string());
  INFO(changed.err);
  CHECK(changed.exit_code == 0);
  CHECK(changed.err.find("(4 ran, 11 cached)") != std::string::npos);
}
