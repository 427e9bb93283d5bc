// Pilot mode against the real single-node Slurm: one allocation, an agent in
// it, many tasks through files; MPI tasks as their own srun steps; an
// allocation that ends early.
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/executors/slurm/command.h"
#include "runtime/process/run_captured.h"
#include "tests/runtime/hpc_project.h"

using flowc::test::eventually;
using flowc::test::HpcProject;
namespace fs = std::filesystem;

namespace {

std::string sbatch_shim(HpcProject& p) {
  std::string log = p.path("shim/sbatch.log");
  std::string script = p.write("shim/sbatch", "#!/bin/sh\necho \"$*\" >> " + flowc::runtime::shell_quote(log) +
                                                  "\nexec /usr/bin/sbatch \"$@\"\n");
  ::chmod(script.c_str(), 0755);
  return log;
}
std::string shim_path(const HpcProject& p) { return "PATH=" + p.path("shim") + ":" + std::getenv("PATH"); }

size_t count_lines(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

size_t exit_files(const HpcProject& p) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(p.dir / ".flow" / "work", ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    n += it->path().filename() == ".flowc-exit";
  }
  return n;
}

}  // namespace

TEST_CASE("pilot mode runs many short tasks inside one allocation: one sbatch in all", "[slurm][pilot]") {
  HpcProject p("pilot-many");
  p.write("m.flow", R"(
op one(n: int) -> (out: file) { run "echo $((${n} * 2)) > ${out}" }
op total(parts: list[file]) -> (all: file) { run "cat ${parts} | awk '{s += $1} END {print s}' > ${all}" }
workflow main(count: int = 150) -> (all: file) {
    for n in range(count) { o = one(n = n) }
    t = total(parts = o.out)
    return (all = t.all)
}
)");
  std::string log = sbatch_shim(p);
  auto r = p.flowc({"run", "m.flow", "--executor", "slurm-pilot", "--nodes", "1", "--time", "10m"}, {shim_path(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("151 tasks (151 ran, 0 cached)") != std::string::npos);
  CHECK(p.output_file("all") == "22350\n");  // 2 * (0 + ... + 149)
  CHECK(count_lines(log) == 1);
  CHECK(p.read(".flow/pilot/agent.log").find("flowc agent: on") != std::string::npos);
}

TEST_CASE("in a pilot, MPI tasks are srun steps of the allocation, each its own MPI_COMM_WORLD",
          "[slurm][pilot][mpi]") {
  HpcProject p("pilot-mpi");
  p.write("m.flow", flowc::test::kTwoMpiProbes);
  auto r =
      p.flowc({"run", "m.flow", "--executor", "slurm-pilot", "--time", "10m", "-p", std::string("prog=") + MPI_PROBE});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("three") == "size=3 sum=3 rounds=1\n");
  CHECK(p.output_file("two") == "size=2 sum=1 rounds=1\n");
}

TEST_CASE("when the pilot's allocation ends early, unfinished tasks are reported and a rerun resumes them",
          "[slurm][pilot]") {
  HpcProject p("pilot-end");
  // Items 3 and 4 hang while SLOW is set (the first run only).
  p.write("e.flow", R"(
op work(n: int) -> (out: file) { run "if [ -n \"$${SLOW:-}\" ] && [ ${n} -gt 2 ]; then sleep 120; fi; echo ${n} > ${out}" }
workflow main(ns: list[int] = [1, 2, 3, 4, 5]) -> (outs: list[file]) {
    for n in ns { w = work(n = n) }
    return (outs = w.out)
}
)");
  p.write("prof.json", R"({"executors": {"slurm-pilot": {"poll_interval": 0.5, "time": "10m"}}})");
  std::string err;
  {
    flowc::test::BackgroundFlowc run(p, {"run", "e.flow", "--executor", "slurm-pilot", "--profile", "prof.json", "-k"},
                                     {"SLOW=1"});
    REQUIRE(eventually([&] { return exit_files(p) >= 2; }));
    std::string id;
    // The allocation is the pilot's one job; end it from outside, as its time limit would.
    auto q = flowc::runtime::capture_output({"squeue", "--noheader", "--name=flowc-pilot", "--format=%i %Z"}, {}, 30);
    std::istringstream lines(q.out);
    for (std::string job, dir; lines >> job >> dir;) {
      if (dir.find(p.dir.string()) == 0) id = job;
    }
    REQUIRE(!id.empty());
    REQUIRE(flowc::runtime::capture_output({"scancel", id}, {}, 30).ok());
    CHECK(run.wait() == 1);
    err = p.read("err.txt");
  }
  INFO(err);
  CHECK(err.find("the pilot's allocation (Slurm job") != std::string::npos);
  CHECK(err.find("a rerun resumes") != std::string::npos);
  CHECK(err.find("op `work` at main.w[2]") != std::string::npos);

  auto again = p.flowc({"run", "e.flow", "--executor", "slurm-pilot", "--profile", "prof.json"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("5 tasks (3 ran, 2 cached)") != std::string::npos);
}

TEST_CASE("a pilot's agent runs the command in strict mode: under bash, a failing pipe fails it",
          "[slurm][pilot][shell]") {
  HpcProject p("pilot-strict");
  p.write("s.flow", flowc::test::kStrictShell);
  auto r = p.flowc({"run", "s.flow", "--executor", "slurm-pilot", "--nodes", "1", "--time", "10m"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(p.read("flow-out/outputs.json"))["w"] == "bash");
  CHECK(r.err.find("warning: op `piped` at main.f") != std::string::npos);
  CHECK(r.err.find("2 tasks (1 ran, 0 cached, 1 failed)") != std::string::npos);
}
