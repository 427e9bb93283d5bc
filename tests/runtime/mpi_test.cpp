// MPI ops on this machine: each task is its own `mpirun -np N` job, with its
// own MPI_COMM_WORLD, even when two run side by side.
#include <catch2/catch.hpp>

#include "tests/runtime/hpc_project.h"

using flowc::test::HpcProject;
using flowc::test::kTwoMpiProbes;

TEST_CASE("two MPI ops side by side each have their own MPI_COMM_WORLD", "[mpi]") {
  HpcProject p("mpi");
  p.write("m.flow", kTwoMpiProbes);
  auto r = p.flowc({"run", "m.flow", "-j", "2", "-p", std::string("prog=") + MPI_PROBE});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // Ranks 0+1+2 and 0+1: a shared communicator would show 5 ranks.
  CHECK(p.output_file("three") == "size=3 sum=3 rounds=1\n");
  CHECK(p.output_file("two") == "size=2 sum=1 rounds=1\n");
  // Both ran at once (-j 2 and three ranks oversubscribe two cores), and
  // every rank's stdout reached the task's .stdout.
  auto events = p.events();
  std::vector<std::string> work_dirs;
  for (const auto& e : events) {
    if (e["event"] == "started") work_dirs.push_back(e["work_dir"]);
  }
  REQUIRE(work_dirs.size() == 2);
  std::string out = p.read((std::filesystem::path(work_dirs[0]) / ".stdout").lexically_relative(p.dir).string());
  CHECK(out.find("rank 0 of") != std::string::npos);
  CHECK(out.find("rank 1 of") != std::string::npos);
}

TEST_CASE("an MPI rank's failure fails the task with its exit code and stderr", "[mpi]") {
  HpcProject p("mpi-fail");
  p.write("m.flow", R"(
op probe(prog: str) -> (report: file) {
    mpi { ranks = 2 }
    run "${prog}"
}
workflow main(prog: str) -> (r: file) {
    a = probe(prog = prog)
    return (r = a.report)
}
)");
  auto r = p.flowc({"run", "m.flow", "-p", std::string("prog=") + MPI_PROBE});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("op `probe` at main.a") != std::string::npos);
  CHECK(r.err.find("usage: mpi_probe OUT") != std::string::npos);
}

TEST_CASE("an op asking for zero MPI ranks fails with a clear message", "[mpi]") {
  HpcProject p("mpi-zero");
  p.write("m.flow", R"(
op probe(n: int) -> (report: file) {
    mpi { ranks = n }
    run "true"
}
workflow main() -> (r: file) {
    a = probe(n = 0)
    return (r = a.report)
}
)");
  auto r = p.flowc({"run", "m.flow"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("asks for 0 MPI ranks; at least 1 is needed") != std::string::npos);
}
