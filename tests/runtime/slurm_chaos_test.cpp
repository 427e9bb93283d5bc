// Chaos against the real single-node Slurm (the `slurm` fixture): its
// controller is stopped in the middle of a run and started again. Jobs
// keep running on the node meanwhile; squeue and sbatch fail. flowc must
// ride it out (squeue failing is "unknown", sbatch's "cannot contact the
// controller" is retried) or fail clearly — and a rerun must resume.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/process/run_captured.h"
#include "tests/runtime/hostile_test_support.h"
#include "tests/runtime/hpc_project.h"

using flowc::test::HpcProject;
namespace fs = std::filesystem;

namespace {

const std::string kSlurmDir = FLOWC_SLURM_DIR;

pid_t slurmctld_pid() {
  std::ifstream in(kSlurmDir + "/slurmctld.pid");
  pid_t pid = 0;
  in >> pid;
  return pid;
}

bool gone(pid_t pid) {
  std::string text = flowc::test::read_proc_file(pid, "stat");
  if (text.empty()) return true;
  size_t close = text.rfind(')');
  return close != std::string::npos && text.compare(close + 2, 1, "Z") == 0;  // a zombie nobody reaped yet
}

bool controller_answers() {
  return flowc::runtime::capture_output({"scontrol", "ping"}, {}, 10).out.find("UP") != std::string::npos;
}

// Stops the fixture's slurmctld (by the pid its pid file names) and starts
// it again when told, or at the latest when this goes out of scope: the
// tests after this one need it.
class ControllerOutage {
 public:
  ControllerOutage() {
    pid_t pid = slurmctld_pid();
    if (pid <= 0 || gone(pid)) return;
    ::kill(pid, SIGTERM);
    stopped_ = flowc::test::eventually([&] { return gone(pid); }, 30);
  }
  ~ControllerOutage() { restart(); }
  ControllerOutage(const ControllerOutage&) = delete;
  ControllerOutage& operator=(const ControllerOutage&) = delete;
  bool stopped() const { return stopped_; }
  // Starts it again (it recovers its jobs from its state folder).
  bool restart() {
    if (!stopped_) return controller_answers();
    stopped_ = false;
    std::string command = "slurmctld -i </dev/null >>" + kSlurmDir + "/log/slurmctld.out 2>&1";
    if (std::system(command.c_str()) != 0) return false;
    return flowc::test::eventually(controller_answers, 60);
  }

 private:
  bool stopped_ = false;
};

}  // namespace

TEST_CASE("slurmctld restarted in the middle of a run: flowc rides it out, a rerun reuses everything",
          "[slurm][chaos]") {
  REQUIRE(controller_answers());
  HpcProject p("slurm-chaos");
  p.write("f.flow", R"(
op square(n: int) -> (out: file) { run "sleep $((${n} % 2)); echo $((${n} * ${n})) > ${out}" }
op gather(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main(ns: list[int] = [1, 2, 3, 4]) -> (all: file) {
    for n in ns { s = square(n = n) }
    g = gather(parts = s.out)
    return (all = g.all)
}
)");
  p.write("prof.json", R"({"executor": "slurm",
    "executors": {"slurm": {"poll_interval": 0.5, "max_queued": 2, "array_min": 0, "lost_after": "2m"}}})");
  flowc::test::BackgroundFlowc run(p, {"run", "f.flow", "--profile", "prof.json"});
  // The first job submitted (max_queued: one more soon, two to come): then
  // the outage, while sbatch and squeue are being called.
  REQUIRE(flowc::test::eventually([&] { return p.count("started") >= 1; }, 60));
  {
    ControllerOutage outage;
    REQUIRE(outage.stopped());
    std::this_thread::sleep_for(std::chrono::seconds(4));  // jobs end, sbatch and squeue fail meanwhile
    REQUIRE(outage.restart());
  }
  int code = run.wait();
  std::string err = p.read("err.txt");
  INFO(err);
  CHECK(code == 0);
  CHECK(p.output_file("all") == "1\n4\n9\n16\n");
  // Nothing ran twice, and a rerun reuses all of it.
  CHECK(p.count("started") == 5);
  auto again = p.flowc({"run", "f.flow", "--profile", "prof.json"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("(0 ran, 5 cached)"));
}

TEST_CASE("a job Slurm kills whose script still wrote exit code 143 is reported by Slurm's reason, not the number",
          "[slurm][chaos]") {
  // Under load, a job script killed by scancel sometimes writes its exit
  // status (143, the command's SIGTERM) before its own SIGTERM ends it. Made
  // certain here: the status is written by hand, then the job cancelled.
  HpcProject p("slurm-killed");
  p.write("k.flow", R"(
op wait() -> (out: file) { run "sleep 120; echo > ${out}" }
workflow main() -> (out: file) { w = wait()  return (out = w.out) }
)");
  p.write("prof.json", R"({"executor": "slurm", "executors": {"slurm": {"poll_interval": 0.5}}})");
  flowc::test::BackgroundFlowc run(p, {"run", "k.flow", "--profile", "prof.json"});
  std::string work;
  REQUIRE(flowc::test::eventually(
      [&] {
        for (const auto& e : p.events()) {
          if (e["event"] == "started") work = e["work_dir"];
        }
        return !work.empty() && fs::exists(fs::path(work) / ".flowc-job");
      },
      60));
  std::string id = flowc::test::read_file(work + "/.flowc-job");
  id.erase(id.find_last_not_of("\n") + 1);
  flowc::test::write_file(work + "/.flowc-exit", "143 0\n");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  REQUIRE(flowc::runtime::capture_output({"scancel", id}, {}, 30).ok());
  int code = run.wait();
  std::string err = p.read("err.txt");
  INFO(err);
  CHECK(code == 1);
  CHECK_THAT(err, Catch::Contains("Slurm job " + id + " was cancelled outside flowc"));
}
