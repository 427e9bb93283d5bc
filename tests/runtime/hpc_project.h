// A scratch project folder for the HPC tests (MPI, profiles, Slurm), removed
// at the end, with the flowc binary run inside it and its events at hand.
#pragma once

#include <signal.h>

#include <string>
#include <vector>

#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace flowc::test {

// The shared scratch Project, named "flowc-NAME-...": under /tmp, which
// every Slurm job of this single node sees too.
struct HpcProject : Project {
  explicit HpcProject(const std::string& name) : Project("flowc-" + name) {}
};

// Strict mode where a batch job runs the command: `which` writes "bash"
// under bash, `piped` fails (`false | true` under pipefail) as an optional.
inline constexpr const char* kStrictShell = R"(
op which() -> (out: str) { run "echo \"$${BASH_VERSION:+bash}\" > ${out}" }
op piped() -> (out: file) { run "false | true; echo reached > ${out}" }
workflow main() -> (w: str) {
    w = which()
    f = piped() with { optional = true }
    return (w = w.out)
}
)";

// Two MPI ops side by side (3 and 2 ranks) running `prog`, an MPI probe that
// writes what its communicator is: each must get its own MPI_COMM_WORLD.
inline constexpr const char* kTwoMpiProbes = R"(
op probe(prog: str, ranks: int) -> (report: file) {
    mpi { ranks = ranks }
    run "${prog} ${report}"
}
workflow main(prog: str) -> (three: file, two: file) {
    a = probe(prog = prog, ranks = 3)
    b = probe(prog = prog, ranks = 2)
    return (three = a.report, two = b.report)
}
)";

// A flowc run in the background, killed (and waited for) when the test ends
// early, so that a failing test leaves nothing running behind it.
struct BackgroundFlowc {
  pid_t pid = -1;
  BackgroundFlowc(const Project& p, const std::vector<std::string>& args, const std::vector<std::string>& env = {})
      : pid(start_flowc(args, p.dir.string(), env, p.path("out.txt"), p.path("err.txt"))) {}
  ~BackgroundFlowc() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      wait_exit(pid);
    }
  }
  BackgroundFlowc(const BackgroundFlowc&) = delete;
  BackgroundFlowc& operator=(const BackgroundFlowc&) = delete;
  void signal(int sig) const { ::kill(pid, sig); }
  int wait() {
    int code = wait_exit(pid);
    pid = -1;
    return code;
  }
};

}  // namespace flowc::test
