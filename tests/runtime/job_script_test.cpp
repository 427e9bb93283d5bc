// The job script a Slurm job runs for a task, and the exit status it leaves.
#include <sstream>

#include <catch2/catch.hpp>

#include "runtime/executors/slurm/command.h"
#include "runtime/process/run_captured.h"
#include "runtime/executors/slurm/job_script.h"
#include "runtime/executors/slurm/slurm_cli.h"
#include "tests/runtime/hpc_project.h"

using flowc::test::HpcProject;
namespace rt = flowc::runtime;
namespace slurm = flowc::runtime::slurm;
namespace fs = std::filesystem;

namespace {

rt::LaunchSpec spec_in(const HpcProject& p) {
  rt::LaunchSpec spec;
  spec.work_dir = p.dir.string();
  spec.argv = {"/bin/sh", ".command.sh"};
  spec.stdout_path = p.path(".stdout");
  spec.stderr_path = p.path(".stderr");
  spec.job_name = "main.x[1]";
  return spec;
}

}  // namespace

TEST_CASE("a job script leaves the command's exit status, atomically, in the work dir", "[slurm-script]") {
  HpcProject p("script");
  p.write(".command.sh", "echo out; echo err >&2; exit 3\n");
  rt::LaunchSpec spec = spec_in(p);
  std::string script = p.write("job.sh", slurm::job_script(spec, {}));
  CHECK_FALSE(slurm::read_exit_status(p.dir.string()));
  auto r = rt::capture_output({"/bin/sh", script}, {}, 30);
  CHECK(r.exit_code == 3);
  auto status = slurm::read_exit_status(p.dir.string());
  REQUIRE(status);
  CHECK(status->exit_code == 3);
  CHECK_FALSE(status->timed_out);
  CHECK(p.read(".stdout") == "out\n");
  CHECK(p.read(".stderr") == "err\n");
}

TEST_CASE("a job script stops a command at its timeout and says so", "[slurm-script]") {
  HpcProject p("script-timeout");
  p.write(".command.sh", "sleep 30\n");
  rt::LaunchSpec spec = spec_in(p);
  spec.timeout_seconds = 1;
  std::string script = p.write("job.sh", slurm::job_script(spec, {}));
  rt::capture_output({"/bin/sh", script}, {}, 30);
  auto status = slurm::read_exit_status(p.dir.string());
  REQUIRE(status);
  CHECK(status->timed_out);
}

TEST_CASE("an MPI task's job script runs it under srun with PMIx", "[slurm-script]") {
  HpcProject p("script-mpi");
  rt::LaunchSpec spec = spec_in(p);
  spec.mpi_ranks = 4;
  spec.cpus = 2;
  slurm::ScriptOptions options;
  options.overcommit = true;
  std::string text = slurm::job_script(spec, options);
  CHECK(text.find(
            "'srun' '--mpi=pmix' '--kill-on-bad-exit=1' '-n' '4' '-c' '2' '--overcommit' '/bin/sh' '.command.sh'") !=
        std::string::npos);
  options.overcommit = false;
  CHECK(slurm::job_script(spec, options).find("'-n' '4' '-c' '2' '/bin/sh' '.command.sh'") != std::string::npos);
}

TEST_CASE("MPI ranks spread over a partition's nodes, with --overcommit only when they have too few CPUs",
          "[slurm-script]") {
  slurm::PartitionShape two_by_two{2, 4, 2};  // two 2-core nodes
  // More ranks than one node has, as many as both: Slurm spreads them; an
  // --overcommit would put all four on one node (one CPU of it).
  CHECK(slurm::mpi_placement_args(4, 1, two_by_two).empty());
  CHECK(slurm::mpi_placement_args(2, 2, two_by_two).empty());
  CHECK(slurm::mpi_placement_args(1, 1, two_by_two).empty());
  // More than both have: overcommitted, and still over both nodes.
  CHECK(slurm::mpi_placement_args(6, 1, two_by_two) == std::vector<std::string>{"--overcommit", "--nodes=2"});
  CHECK(slurm::mpi_placement_args(3, 2, two_by_two) == std::vector<std::string>{"--overcommit", "--nodes=2"});
  // One node (the single-node test cluster), or many small ones.
  slurm::PartitionShape one{1, 2, 2};
  CHECK(slurm::mpi_placement_args(3, 1, one) == std::vector<std::string>{"--overcommit", "--nodes=1"});
  slurm::PartitionShape many{8, 8, 1};
  CHECK(slurm::mpi_placement_args(8, 1, many).empty());
  CHECK(slurm::mpi_placement_args(9, 1, many) == std::vector<std::string>{"--overcommit", "--nodes=8"});
  // sinfo did not answer: nothing is added.
  CHECK(slurm::mpi_placement_args(64, 1, {}).empty());
}

TEST_CASE("Slurm states map to what flowc makes of them", "[slurm-script]") {
  using slurm::State;
  CHECK(slurm::parse_state("PENDING") == State::Pending);
  CHECK(slurm::parse_state("RUNNING") == State::Running);
  CHECK(slurm::parse_state("COMPLETING") == State::Running);
  CHECK(slurm::parse_state("COMPLETED") == State::Completed);
  CHECK(slurm::parse_state("FAILED") == State::Failed);
  CHECK(slurm::parse_state("TIMEOUT") == State::Timeout);
  CHECK(slurm::parse_state("CANCELLED by 0") == State::Cancelled);
  CHECK(slurm::parse_state("CANCELLED+") == State::Cancelled);
  CHECK(slurm::parse_state("NODE_FAIL") == State::NodeFail);
  CHECK(slurm::parse_state("OUT_OF_MEMORY") == State::OutOfMemory);
  CHECK(slurm::parse_state("SOMETHING_NEW") == State::Running);  // wait and see, never "failed"
  CHECK(slurm::is_finished(State::Timeout));
  CHECK_FALSE(slurm::is_finished(State::Pending));
  CHECK(slurm::is_transient_refusal(
      "sbatch: error: QOSMaxSubmitJobPerUserLimit\nsbatch: error: Batch job submission failed: Job violates "
      "accounting/QOS policy (job submit limit, user's size and/or time limits)"));
  CHECK(slurm::is_transient_refusal("sbatch: error: Batch job submission failed: Unable to contact slurm controller"));
  CHECK_FALSE(slurm::is_transient_refusal("sbatch: error: invalid partition specified: nope"));
}

TEST_CASE("a job array element's script sets its task's environment over the array's", "[slurm-script]") {
  HpcProject p("script-env");
  p.write(".command.sh", "echo \"$A|${B-unset}|$C\"\n");
  rt::LaunchSpec spec = spec_in(p);
  std::string path = std::string("PATH=") + std::getenv("PATH");
  std::vector<std::string> array_env = {path, "A=1", "B=2"};
  spec.env = {path, "A=1", "C=it's $x"};
  slurm::ScriptOptions options;
  options.job_env = &array_env;
  std::string script = p.write("job.sh", slurm::job_script(spec, options));
  auto r = rt::capture_output({"/bin/sh", script}, array_env, 30);
  CHECK(r.exit_code == 0);
  CHECK(p.read(".stdout") == "1|unset|it's $x\n");
  CHECK(slurm::exportable(spec.env));
  CHECK_FALSE(slurm::exportable({"A-B=1"}));
}

TEST_CASE("a job script that cannot stage into scratch does not run the command and says why", "[slurm-script]") {
  HpcProject p("script-scratch");
  p.write("in.txt", "x\n");
  p.write("not-a-folder", "");
  p.write(".command.sh", "echo ran > ran.txt\n");
  rt::LaunchSpec spec = spec_in(p);
  fs::create_directories(p.dir / "inputs");
  fs::create_symlink(p.path("in.txt"), p.dir / "inputs" / "in.txt");
  rt::StagingPlan staging;
  staging.inputs.push_back({p.path("inputs/in.txt"), p.path("in.txt")});
  staging.outputs.push_back(p.path("out"));
  slurm::ScriptOptions options;
  options.scratch = p.path("not-a-folder/scratch");
  options.staging = &staging;
  std::string script = p.write("job.sh", slurm::job_script(spec, options));
  auto r = rt::capture_output({"/bin/sh", script}, {}, 30);
  CHECK(r.exit_code == 98);
  CHECK_FALSE(fs::exists(p.dir / "ran.txt"));
  CHECK_FALSE(fs::exists(fs::symlink_status(p.dir / "out")));
  CHECK(fs::read_symlink(p.dir / "inputs" / "in.txt") == fs::path(p.path("in.txt")));
  CHECK(p.read(".stderr").find("cannot stage the task's files in node-local scratch " + options.scratch) !=
        std::string::npos);
}

// (It has no file output, only inputs: such a script once ended in `then fi`,
// a syntax error.)
TEST_CASE("a job script copies a companion into its file's scratch folder", "[slurm-script][companions]") {
  HpcProject p("script-companion");
  p.write("x.bam", "bam\n");
  p.write("x.bam.bai", "bai\n");
  p.write("y.txt", "y\n");
  // The command finds the index beside the file its link leads to, as htslib may.
  p.write(".command.sh",
          "real=$(readlink -f inputs/bam/x.bam); cat \"$real.bai\" > seen.txt; dirname \"$real\" >> seen.txt;"
          " dirname \"$(readlink -f inputs/other/y.txt)\" >> seen.txt\n");
  rt::LaunchSpec spec = spec_in(p);
  fs::create_directories(p.dir / "inputs" / "bam");
  fs::create_directories(p.dir / "inputs" / "other");
  fs::create_symlink(p.path("x.bam"), p.dir / "inputs" / "bam" / "x.bam");
  fs::create_symlink(p.path("x.bam.bai"), p.dir / "inputs" / "bam" / "x.bam.bai");
  fs::create_symlink(p.path("y.txt"), p.dir / "inputs" / "other" / "y.txt");
  rt::StagingPlan staging;
  staging.inputs.push_back({p.path("inputs/bam/x.bam"), p.path("x.bam")});
  staging.inputs.push_back({p.path("inputs/bam/x.bam.bai"), p.path("x.bam.bai"), /*beside_previous=*/true});
  staging.inputs.push_back({p.path("inputs/other/y.txt"), p.path("y.txt")});
  slurm::ScriptOptions options;
  options.scratch = p.path("scratch");
  options.staging = &staging;
  std::string script = p.write("job.sh", slurm::job_script(spec, options));
  auto r = rt::capture_output({"/bin/sh", script}, {}, 30);
  INFO(p.read(".stderr") << r.out << r.err << p.read("job.sh"));
  REQUIRE(r.exit_code == 0);
  std::string seen = p.read("seen.txt");
  // The index's copy is beside the BAM's copy, in scratch; the other input has a folder of its own.
  std::istringstream lines(seen);
  std::string bai, bam_dir, other_dir;
  std::getline(lines, bai);
  std::getline(lines, bam_dir);
  std::getline(lines, other_dir);
  CHECK(bai == "bai");
  CHECK(bam_dir.rfind(p.path("scratch") + "/flowc-", 0) == 0);
  CHECK(other_dir.rfind(p.path("scratch") + "/flowc-", 0) == 0);
  CHECK(bam_dir != other_dir);
  // The links name the inputs again afterwards.
  CHECK(fs::read_symlink(p.dir / "inputs" / "bam" / "x.bam.bai") == fs::path(p.path("x.bam.bai")));
}
