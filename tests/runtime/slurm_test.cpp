// The Slurm executor against a real single-node Slurm (the `slurm` CTest
// fixture starts it with scripts/slurm-setup.sh; SLURM_CONF points at it).
// Where a test must see which Slurm commands flowc ran, a PATH shim logs each
// call and then runs the real command.
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "runtime/executors/slurm/command.h"
#include "runtime/process/run_captured.h"
#include "tests/runtime/hpc_project.h"
#include "tests/support/lines.h"
#include "tests/support/profiles.h"

using flowc::test::eventually;
using flowc::test::HpcProject;
using flowc::test::lines_of_file;
using flowc::test::write_quick_poll_profile;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A shim for `tool` that logs its arguments, one call a line, then runs the
// real one (`before` is shell run first, e.g. to refuse some calls).
std::string add_shim(HpcProject& p, const std::string& tool, const std::string& before = "") {
  std::string real = "/usr/bin/" + tool;
  std::string log = p.path("shim/" + tool + ".log");
  std::string script = p.write("shim/" + tool, "#!/bin/sh\necho \"$*\" >> " + flowc::runtime::shell_quote(log) + "\n" +
                                                   before + "exec " + real + " \"$@\"\n");
  ::chmod(script.c_str(), 0755);
  return log;
}
std::string shim_path(const HpcProject& p) { return "PATH=" + p.path("shim") + ":" + std::getenv("PATH"); }

// The ids of the jobs of this project Slurm still counts as active.
std::vector<std::string> active_jobs(const HpcProject& p) {
  // squeue's default states: pending, running, completing...
  // --array: a job array's pending elements one a line, not folded into one.
  auto r = flowc::runtime::capture_output({"squeue", "--noheader", "--array", "--format=%i %Z"}, {}, 30);
  std::vector<std::string> ids;
  std::istringstream lines(r.out);
  for (std::string id, dir; lines >> id >> dir;) {
    if (dir.find(p.dir.string()) == 0) ids.push_back(id);
  }
  return ids;
}

// The Slurm job ids flowc wrote in the project's work dirs (one per submitted task).
std::vector<std::string> submitted_jobs(const HpcProject& p) {
  std::vector<std::string> ids;
  if (!fs::exists(p.dir / ".flow" / "work")) return ids;
  for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
    if (e.path().filename() == ".flowc-job") ids.push_back(flowc::test::read_file(e.path().string()));
  }
  return ids;
}

const char* kFanOut = R"(
op square(n: int) -> (out: file) {
    run "sleep 1; echo $((${n} * ${n})) > ${out}"
}
op gather(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main(ns: list[int] = [1, 2, 3, 4, 5, 6]) -> (all: file) {
    for n in ns { s = square(n = n) }
    g = gather(parts = s.out)
    return (all = g.all)
}
)";

}  // namespace

TEST_CASE("a fan-out runs as one sbatch job per task, followed by one squeue per poll for all", "[slurm]") {
  HpcProject p("slurm-fan");
  p.write("f.flow", kFanOut);
  std::string squeue_log = add_shim(p, "squeue");
  std::string sbatch_log = add_shim(p, "sbatch");
  auto r = p.flowc({"run", "f.flow", "--profile", write_quick_poll_profile(p)}, {shim_path(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("all") == "1\n4\n9\n16\n25\n36\n");
  CHECK(lines_of_file(sbatch_log).size() == 7);

  // Every started task names its job; every squeue call asks about all the
  // jobs then in flight, so several at once, and there is at most one per
  // poll interval (0.5 s) of the run.
  std::set<std::string> jobs;
  double seconds = 0;
  for (const json& e : p.events()) {
    if (e["event"] == "started") jobs.insert(e.value("job", ""));
    if (e["event"] == "run_finished") seconds = e["seconds"];
  }
  CHECK(jobs.size() == 7);
  CHECK(jobs.count("") == 0);
  auto calls = lines_of_file(squeue_log);
  REQUIRE(!calls.empty());
  size_t most = 0;
  for (const std::string& call : calls) {
    std::smatch m;
    REQUIRE(std::regex_search(call, m, std::regex("--jobs=([0-9,]+)")));
    std::string ids = m[1].str();
    most = std::max<size_t>(most, std::count(ids.begin(), ids.end(), ',') + 1);
  }
  CHECK(most >= 2);
  CHECK(calls.size() <= seconds / 0.5 + 2);

  // A second run submits nothing.
  auto again = p.flowc({"run", "f.flow", "--profile", "prof.json"}, {shim_path(p)});
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("7 tasks (0 ran, 7 cached)") != std::string::npos);
  CHECK(lines_of_file(sbatch_log).size() == 7);
}

TEST_CASE("an op's resources become the job's: cpus, memory, time, gpus, partition", "[slurm]") {
  HpcProject p("slurm-res");
  p.write("r.flow", R"(
op report() -> (out: file) {
    resources { cpus = 2, mem = 100MiB, time = 5m, gpus = 1 }
    run "scontrol -o show job $SLURM_JOB_ID > ${out}"
}
workflow main() -> (out: file) {
    r = report()
    return (out = r.out)
}
)");
  auto r = p.flowc({"run", "r.flow", "--profile", write_quick_poll_profile(p, "slurm", {{"partition", "debug"}})});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string job = p.output_file("out");
  INFO(job);
  CHECK(job.find("JobName=main.r ") != std::string::npos);
  CHECK(job.find("NumCPUs=2 ") != std::string::npos);
  CHECK(job.find("CPUs/Task=2 ") != std::string::npos);
  CHECK(job.find("MinMemoryNode=100M ") != std::string::npos);
  CHECK(job.find("TimeLimit=00:05:00 ") != std::string::npos);
  CHECK(job.find("gres:gpu:1") != std::string::npos);
  CHECK(job.find("Partition=debug ") != std::string::npos);
}

TEST_CASE("a failing job's error names the task, the Slurm job, its logs and its stderr", "[slurm]") {
  HpcProject p("slurm-fail");
  p.write("b.flow", R"(
op boom(n: int) -> (out: file) {
    run "echo something went wrong with ${n} >&2; exit 3"
}
workflow main() -> (out: file) {
    b = boom(n = 7)
    return (out = b.out)
}
)");
  auto r = p.flowc({"run", "b.flow", "--profile", write_quick_poll_profile(p)});
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(std::regex_search(r.err, std::regex("op `boom` at main.b \\(b.flow:6:[0-9]+\\) exited with code 3 \\(Slurm job "
                                            "[0-9]+; its job log: [^)]*/.flowc-slurm.log\\)")));
  CHECK(r.err.find("something went wrong with 7") != std::string::npos);
  CHECK(r.err.find(".stderr") != std::string::npos);
}

TEST_CASE("a job past its timeout is stopped and reported as timed out", "[slurm]") {
  HpcProject p("slurm-timeout");
  p.write("t.flow", R"(
op slow() -> (out: file) {
    timeout 1s
    run "sleep 60; echo > ${out}"
}
workflow main() -> (out: file) {
    s = slow()
    return (out = s.out)
}
)");
  auto r = p.flowc({"run", "t.flow", "--profile", write_quick_poll_profile(p)});
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(r.err.find("op `slow` at main.s") != std::string::npos);
  CHECK(r.err.find("ran longer than its timeout of 1s and was stopped") != std::string::npos);
  CHECK(active_jobs(p).empty());
}

TEST_CASE("Ctrl-C cancels every job of the run: none is left in the queue", "[slurm]") {
  HpcProject p("slurm-cancel");
  p.write("c.flow", R"(
op wait(n: int) -> (out: file) { run "sleep 120; echo ${n} > ${out}" }
workflow main(ns: list[int] = [1, 2, 3]) -> (outs: list[file]) {
    for n in ns { w = wait(n = n) }
    return (outs = w.out)
}
)");
  write_quick_poll_profile(p);
  flowc::test::BackgroundFlowc run(p, {"run", "c.flow", "--profile", "prof.json"});
  REQUIRE(eventually([&] { return active_jobs(p).size() == 3; }));
  run.signal(SIGINT);
  int code = run.wait();
  INFO(p.read("err.txt"));
  CHECK(code == 130);
  CHECK(p.count("cancelled") == 3);
  CHECK(eventually([&] { return active_jobs(p).empty(); }, 15));
}

TEST_CASE("a job cancelled outside flowc fails its task with that reason", "[slurm]") {
  HpcProject p("slurm-scancel");
  p.write("c.flow", R"(
op wait() -> (out: file) { run "sleep 120; echo > ${out}" }
workflow main() -> (out: file) {
    w = wait()
    return (out = w.out)
}
)");
  write_quick_poll_profile(p);
  flowc::test::BackgroundFlowc run(p, {"run", "c.flow", "--profile", "prof.json"});
  REQUIRE(eventually([&] { return submitted_jobs(p).size() == 1; }));
  std::string id = submitted_jobs(p)[0];
  id.erase(id.find_last_not_of("\n") + 1);
  REQUIRE(flowc::runtime::capture_output({"scancel", id}, {}, 30).ok());
  int code = run.wait();
  std::string err = p.read("err.txt");
  INFO(err);
  CHECK(code == 1);
  CHECK(err.find("op `wait` at main.w") != std::string::npos);
  CHECK(err.find("Slurm job " + id + " was cancelled outside flowc") != std::string::npos);
}

TEST_CASE("after flowc is killed, a rerun adopts its jobs (finished or running) instead of resubmitting them",
          "[slurm]") {
  HpcProject p("slurm-adopt");
  p.write("a.flow", R"(
op work(n: int, pause: int) -> (out: file) { run "sleep ${pause}; echo ${n} > ${out}" }
op gather(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main() -> (all: file) {
    quick = work(n = 1, pause = 1)
    slow = work(n = 2, pause = 6)
    g = gather(parts = [quick.out, slow.out])
    return (all = g.all)
}
)");
  write_quick_poll_profile(p);
  std::string sbatch_log = add_shim(p, "sbatch");
  {
    flowc::test::BackgroundFlowc run(p, {"run", "a.flow", "--profile", "prof.json"}, {shim_path(p)});
    REQUIRE(eventually([&] { return submitted_jobs(p).size() == 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // flowc journals each job once sbatch returns
  }                                                               // killed with SIGKILL here
  // The quick job ends while no flowc watches; the slow one still runs.
  auto exit_files = [&] {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
      n += e.path().filename() == ".flowc-exit";
    }
    return n;
  };
  REQUIRE(eventually([&] { return exit_files() >= 1; }));
  CHECK(eventually([&] { return active_jobs(p).size() == 1; }, 10));

  auto r = p.flowc({"run", "a.flow", "--profile", "prof.json"}, {shim_path(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("all") == "1\n2\n");
  CHECK(p.count("adopted") == 2);
  CHECK(lines_of_file(sbatch_log).size() == 3);  // the two adopted jobs, then the gather
  CHECK(r.err.find("3 tasks (3 ran, 0 cached)") != std::string::npos);
}

TEST_CASE("MPI ops run under srun, each its own MPI_COMM_WORLD, more ranks than cores", "[slurm][mpi]") {
  HpcProject p("slurm-mpi");
  p.write("m.flow", flowc::test::kTwoMpiProbes);
  auto r = p.flowc({"run", "m.flow", "--profile", write_quick_poll_profile(p), "-p", std::string("prog=") + MPI_PROBE});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("three") == "size=3 sum=3 rounds=1\n");
  CHECK(p.output_file("two") == "size=2 sum=1 rounds=1\n");
}

TEST_CASE("Slurm's refusals: 'not now' backs off and retries, 'never' fails the task at once", "[slurm]") {
  HpcProject p("slurm-refuse");
  p.write("o.flow", R"(
op one() -> (out: file) { run "echo done > ${out}" }
workflow main() -> (out: file) {
    o = one()
    return (out = o.out)
}
)");
  SECTION("a QOS submit limit, twice, then accepted") {
    std::string counter = p.path("shim/refusals");
    std::string log = add_shim(p, "sbatch",
                               "n=$(cat " + counter + " 2>/dev/null || echo 0); echo $((n + 1)) > " + counter +
                                   "\nif [ \"$n\" -lt 2 ]; then\n"
                                   "  echo 'sbatch: error: QOSMaxSubmitJobPerUserLimit' >&2\n"
                                   "  echo 'sbatch: error: Batch job submission failed: Job violates accounting/QOS "
                                   "policy (job submit limit, user'\\''s size and/or time limits)' >&2\n"
                                   "  exit 1\nfi\n");
    auto r = p.flowc({"run", "o.flow", "--profile", write_quick_poll_profile(p)}, {shim_path(p)});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(lines_of_file(log).size() == 3);
  }
  SECTION("a partition that does not exist") {
    auto r = p.flowc({"run", "o.flow", "--profile", write_quick_poll_profile(p, "slurm", {{"partition", "nope"}})});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("op `one` at main.o") != std::string::npos);
    CHECK(r.err.find("could not start: Slurm refused the job: sbatch: error: invalid partition specified: nope") !=
          std::string::npos);
    CHECK(r.err.find(".flowc-job.sh") != std::string::npos);
  }
  SECTION("resources no node has") {
    p.write("big.flow", R"(
op big() -> (out: file) {
    resources { cpus = 64 }
    run "echo done > ${out}"
}
workflow main() -> (out: file) {
    b = big()
    return (out = b.out)
}
)");
    auto r = p.flowc({"run", "big.flow", "--profile", write_quick_poll_profile(p)});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("op `big` at main.b") != std::string::npos);
    // Slurm takes the job but would keep it pending for ever: flowc cancels it and says why.
    CHECK(r.err.find("Slurm will never start job") != std::string::npos);
    CHECK(r.err.find("more cpus, memory or gpus than the partition's nodes have (squeue says PartitionConfig)") !=
          std::string::npos);
    CHECK(active_jobs(p).empty());
  }
  SECTION("a controller nobody answers for") {
    // The test cluster's configuration with a port no controller listens on.
    std::string conf = flowc::test::read_file(std::getenv("SLURM_CONF"));
    conf = std::regex_replace(conf, std::regex("SlurmctldPort=[0-9]+"), "SlurmctldPort=1");
    std::string down = p.write("down.conf", conf + "MessageTimeout=1\n");
    auto r = p.flowc({"run", "o.flow", "--profile", write_quick_poll_profile(p, "slurm", {{"submit_retry", "2s"}})},
                     {"SLURM_CONF=" + down});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("op `one` at main.o") != std::string::npos);
    CHECK(r.err.find("Slurm kept refusing the job for") != std::string::npos);
    CHECK(r.err.find("Unable to contact slurm controller") != std::string::npos);
  }
}

// ---- job arrays ------------------------------------------------------------

namespace {

// The sbatch calls that submitted an array, as their element counts.
std::vector<int> array_sizes(const std::vector<std::string>& sbatch_calls) {
  std::vector<int> sizes;
  for (const std::string& call : sbatch_calls) {
    std::smatch m;
    if (std::regex_search(call, m, std::regex("--array=0-([0-9]+)"))) sizes.push_back(std::stoi(m[1].str()) + 1);
  }
  return sizes;
}

const char* kAlike = R"(
op square(n: int) -> (out: file) {
    env { SQUARED = str(n * n) }
    run "echo ${n} $SQUARED $FLOWC_TASK > ${out}"
}
op gather(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main(count: int = 12) -> (all: file) {
    for n in range(count) { s = square(n = n) }
    g = gather(parts = s.out)
    return (all = g.all)
}
)";

std::string alike_output(int count) {
  std::string out;
  for (int n = 0; n < count; ++n) out += fmt::format("{} {} main.s[{}]\n", n, n * n, n);
  return out;
}

}  // namespace

TEST_CASE("a fan-out of alike tasks goes as one job array, each element followed as a job of its own",
          "[slurm][array]") {
  HpcProject p("slurm-array");
  p.write("a.flow", kAlike);
  std::string squeue_log = add_shim(p, "squeue");
  std::string sbatch_log = add_shim(p, "sbatch");
  auto r = p.flowc({"run", "a.flow", "--profile", write_quick_poll_profile(p)}, {shim_path(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // Each element ran its own task, with its own environment.
  CHECK(p.output_file("all") == alike_output(12));
  auto calls = lines_of_file(sbatch_log);
  CHECK(calls.size() == 2);  // the array of 12, then the gather
  CHECK(array_sizes(calls) == std::vector<int>{12});

  // Every element is a job of its own ("A_I"), named in its `started` event
  // and in its work dir, its job log the element's output.
  std::set<std::string> elements;
  std::string array;
  for (const json& e : p.events()) {
    if (e["event"] != "started" || e["op"] != "square") continue;
    std::string job = e.value("job", "");
    std::smatch m;
    REQUIRE(std::regex_match(job, m, std::regex("slurm:([0-9]+)_([0-9]+)")));
    if (array.empty()) array = m[1].str();
    CHECK(m[1].str() == array);
    elements.insert(job);
    std::string work_dir = e["work_dir"];
    CHECK(flowc::test::read_file(work_dir + "/.flowc-job") == job.substr(6) + "\n");
    CHECK(fs::exists(work_dir + "/.flowc-slurm.log"));
  }
  CHECK(elements.size() == 12);
  // squeue asks for the array once, for all its elements.
  for (const std::string& call : lines_of_file(squeue_log)) {
    CHECK(call.find("--array") != std::string::npos);
    CHECK(call.find(array + "_") == std::string::npos);
  }
  // The arrays' scripts are gone once every element ended.
  CHECK((!fs::exists(p.dir / ".flow/slurm/arrays") || fs::is_empty(p.dir / ".flow/slurm/arrays")));

  // array_min 0: one sbatch per task again.
  auto off = p.flowc({"run", "a.flow", "--fresh", "-p", "count=4", "--profile",
                      write_quick_poll_profile(p, "slurm", {{"array_min", 0}})},
                     {shim_path(p)});
  INFO(off.err);
  REQUIRE(off.exit_code == 0);
  CHECK(p.output_file("all") == alike_output(4));
  CHECK(lines_of_file(sbatch_log).size() == 2 + 5);
  CHECK(array_sizes(lines_of_file(sbatch_log)).size() == 1);
}

TEST_CASE("max_queued counts an array's elements, and a failed element is retried alone", "[slurm][array]") {
  HpcProject p("slurm-array-limits");
  p.write("r.flow", R"(
op flaky(n: int, marks: str) -> (out: file) {
    retry { attempts = 2, exit_codes = [75] }
    run "if [ ${n} -eq 3 ] && [ ! -e ${marks}/${n}.tried ]; then touch ${marks}/${n}.tried; exit 75; fi; echo ${n} > ${out}"
}
workflow main(marks: str, count: int = 9) -> (outs: list[file]) {
    for n in range(count) { f = flaky(n = n, marks = marks) }
    return (outs = f.out)
}
)");
  std::string sbatch_log = add_shim(p, "sbatch");
  auto r = p.flowc({"run", "r.flow", "-p", "marks=" + p.dir.string(), "--profile",
                    write_quick_poll_profile(p, "slurm", {{"max_queued", 4}, {"array_min", 2}})},
                   {shim_path(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (int n = 0; n < 9; ++n) CHECK(p.output_file("outs", n) == std::to_string(n) + "\n");
  auto calls = lines_of_file(sbatch_log);
  auto sizes = array_sizes(calls);
  REQUIRE(!sizes.empty());
  CHECK(sizes.front() == 4);  // the first four, as many as max_queued allows
  int elements = 0;
  for (int size : sizes) {
    CHECK(size <= 4);
    elements += size;
  }
  // Every task once (in an array or alone), and the retry alone: its own
  // job, named after its task.
  CHECK(static_cast<int>(elements + calls.size() - sizes.size()) == 9 + 1);
  auto retry = std::find_if(calls.rbegin(), calls.rend(),
                            [](const std::string& c) { return c.find("--job-name=main.f[3]") != std::string::npos; });
  REQUIRE(retry != calls.rend());
  CHECK(retry->find("--array") == std::string::npos);
  CHECK(p.count("retrying") == 1);
}

TEST_CASE("Ctrl-C cancels a whole job array with one scancel of the array", "[slurm][array]") {
  HpcProject p("slurm-array-cancel");
  p.write("c.flow", R"(
op wait(n: int) -> (out: file) { run "sleep 120; echo ${n} > ${out}" }
workflow main() -> (outs: list[file]) {
    for n in range(10) { w = wait(n = n) }
    return (outs = w.out)
}
)");
  write_quick_poll_profile(p);
  std::string scancel_log = add_shim(p, "scancel");
  flowc::test::BackgroundFlowc run(p, {"run", "c.flow", "--profile", "prof.json"}, {shim_path(p)});
  // In squeue, and known to flowc (it writes each .flowc-job once sbatch returned).
  REQUIRE(eventually([&] { return active_jobs(p).size() == 10 && submitted_jobs(p).size() == 10; }));
  std::string array = submitted_jobs(p).at(0);
  array = array.substr(0, array.find('_'));
  run.signal(SIGINT);
  int code = run.wait();
  INFO(p.read("err.txt"));
  CHECK(code == 130);
  CHECK(p.count("cancelled") == 10);
  auto calls = lines_of_file(scancel_log);
  REQUIRE(!calls.empty());
  CHECK(calls.front() == array);
  CHECK(eventually([&] { return active_jobs(p).empty(); }, 15));
}

TEST_CASE("after flowc is killed, a rerun adopts the elements of its job array", "[slurm][array]") {
  HpcProject p("slurm-array-adopt");
  p.write("a.flow", R"(
op work(n: int) -> (out: file) { run "sleep $((${n} % 2 * 8 + 1)); echo ${n} > ${out}" }
op gather(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
workflow main() -> (all: file) {
    for n in range(4) { w = work(n = n) }
    g = gather(parts = w.out)
    return (all = g.all)
}
)");
  write_quick_poll_profile(p, "slurm", {{"array_min", 2}});
  std::string sbatch_log = add_shim(p, "sbatch");
  {
    flowc::test::BackgroundFlowc run(p, {"run", "a.flow", "--profile", "prof.json"}, {shim_path(p)});
    REQUIRE(eventually([&] { return submitted_jobs(p).size() == 4; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }  // killed with SIGKILL here
  // The even elements (1 s) end while no flowc watches; the odd ones (9 s) still run.
  auto exit_files = [&] {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
      n += e.path().filename() == ".flowc-exit";
    }
    return n;
  };
  REQUIRE(eventually([&] { return exit_files() >= 2; }));
  CHECK(!active_jobs(p).empty());

  auto r = p.flowc({"run", "a.flow", "--profile", "prof.json"}, {shim_path(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("all") == "0\n1\n2\n3\n");
  CHECK(p.count("adopted") == 4);
  for (const json& e : p.events()) {
    if (e["event"] == "adopted") CHECK(std::regex_match(e["job"].get<std::string>(), std::regex("slurm:[0-9]+_[0-3]")));
  }
  CHECK(lines_of_file(sbatch_log).size() == 2);  // the array, then the gather
  CHECK(r.err.find("5 tasks (5 ran, 0 cached)") != std::string::npos);
}

// ---- an op's own executor --------------------------------------------------

TEST_CASE("an op's executor clause sends its tasks there, the others go to the run's executor", "[slurm]") {
  HpcProject p("op-executor");
  p.write("e.flow", R"(
op plain(n: int) -> (out: file) { run "echo ${n} > ${out}" }
op batch(x: file) -> (out: file) {
    executor "slurm"
    run "cat ${x} > ${out}; echo job $SLURM_JOB_ID >> ${out}"
}
op here(x: file) -> (out: file) {
    executor "local"
    run "cat ${x} > ${out}; echo job $${SLURM_JOB_ID:-none} >> ${out}"
}
workflow main() -> (out: file) {
    a = plain(n = 7)
    b = batch(x = a.out)
    c = here(x = b.out)
    return (out = c.out)
}
)");
  std::string sbatch_log = add_shim(p, "sbatch");
  // Which job each op's task ran as: none for a local process.
  auto jobs_by_op = [&] {
    std::map<std::string, std::string> jobs;
    for (const json& e : p.events()) {
      if (e["event"] == "started") jobs[e["op"]] = e.value("job", "");
    }
    return jobs;
  };

  // The run is local: only `batch` goes to Slurm, with the profile's settings for it.
  auto r = p.flowc({"run", "e.flow", "--executor", "local", "--profile", write_quick_poll_profile(p)}, {shim_path(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(lines_of_file(sbatch_log).size() == 1);
  auto jobs = jobs_by_op();
  CHECK(jobs["plain"] == "");
  CHECK(jobs["here"] == "");
  REQUIRE(jobs["batch"].rfind("slurm:", 0) == 0);
  CHECK(p.output_file("out") == "7\njob " + jobs["batch"].substr(6) + "\njob none\n");

  // The run is on Slurm: `here` still runs locally.
  auto s = p.flowc({"run", "e.flow", "--fresh", "--executor", "slurm", "--profile", "prof.json"}, {shim_path(p)});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(lines_of_file(sbatch_log).size() == 1 + 2);
  jobs = jobs_by_op();
  CHECK(jobs["plain"].rfind("slurm:", 0) == 0);
  CHECK(jobs["batch"].rfind("slurm:", 0) == 0);
  CHECK(jobs["here"] == "");
  CHECK(s.err.find("warning") == std::string::npos);
}

namespace {

// The test cluster's one node, set down as a failing node would be, and
// resumed when this ends however the test went, so that later tests find it
// idle (the node may already be back by itself: ReturnToService=2).
struct FailedNode {
  std::string error;
  FailedNode() {
    auto r = flowc::runtime::capture_output(
        {"scontrol", "update", "nodename=localhost", "state=down", "reason=flowc test: node failure"}, {}, 30);
    if (!r.ok()) error = r.why();
  }
  ~FailedNode() {
    auto idle = [] {
      auto r = flowc::runtime::capture_output({"sinfo", "--noheader", "-N", "--format=%T"}, {}, 30);
      return r.ok() &&
             (r.out.rfind("idle", 0) == 0 || r.out.rfind("mixed", 0) == 0 || r.out.rfind("allocated", 0) == 0);
    };
    eventually(
        [&] {
          if (idle()) return true;
          // Refused while the node is already back: then the next look sees it idle.
          flowc::runtime::capture_output({"scontrol", "update", "nodename=localhost", "state=resume"}, {}, 30);
          return false;
        },
        60);
  }
  FailedNode(const FailedNode&) = delete;
  FailedNode& operator=(const FailedNode&) = delete;
};

}  // namespace

TEST_CASE("a node failing under a running job fails its task with the job id and what to do, a rerun resumes",
          "[slurm]") {
  HpcProject p("slurm-nodefail");
  // While `hold` exists the slow task waits long enough for its node to fail.
  p.write("hold", "");
  p.write("n.flow", fmt::format(R"(
op quick() -> (out: file) {{ run "echo 1 > ${{out}}" }}
op slow() -> (out: file) {{
    run "if [ -e {0}/hold ]; then touch {0}/started; sleep 120; fi; echo 2 > ${{out}}"
}}
workflow main() -> (a: file, b: file) {{
    q = quick()
    s = slow()
    return (a = q.out, b = s.out)
}}
)",
                                p.dir.string()));
  write_quick_poll_profile(p);
  std::string sbatch_log = add_shim(p, "sbatch");
  {
    flowc::test::BackgroundFlowc run(p, {"run", "n.flow", "--profile", "prof.json"}, {shim_path(p)});
    REQUIRE(eventually([&] { return fs::exists(p.dir / "started") && active_jobs(p).size() == 1; }));
    std::string slow_id = active_jobs(p)[0];
    int code = 0;
    {
      FailedNode node;
      REQUIRE(node.error.empty());
      code = run.wait();
    }
    std::string err = p.read("err.txt");
    INFO(err);
    CHECK(code == 1);
    CHECK(std::regex_search(
        err, std::regex("op `slow` at main.s \\(n.flow:8:[0-9]+\\) .*\\(Slurm job " + slow_id +
                        ": its node localhost failed \\(NODE_FAIL\\); its job log: [^;]*/\\.flowc-slurm\\.log; "
                        "a rerun runs it again once the node is back")));
    CHECK(err.find("work dir: ") != std::string::npos);
    // Ended, not requeued behind flowc's back.
    CHECK(active_jobs(p).empty());
  }
  // Every job went with --no-requeue.
  for (const std::string& call : lines_of_file(sbatch_log)) CHECK(call.find("--no-requeue") != std::string::npos);

  fs::remove(p.dir / "hold");
  auto r = p.flowc({"run", "n.flow", "--profile", "prof.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("2 tasks (1 ran, 1 cached)") != std::string::npos);
  CHECK(p.output_file("a") == "1\n");
  CHECK(p.output_file("b") == "2\n");
}

TEST_CASE("a Slurm job runs the command in strict mode: under bash, a failing pipe fails it", "[slurm][shell]") {
  HpcProject p("slurm-strict");
  p.write("s.flow", flowc::test::kStrictShell);
  auto r = p.flowc({"run", "s.flow", "--profile", write_quick_poll_profile(p)});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(p.read("flow-out/outputs.json"))["w"] == "bash");
  CHECK(r.err.find("warning: op `piped` at main.f") != std::string::npos);
  CHECK(r.err.find("2 tasks (1 ran, 0 cached, 1 failed)") != std::string::npos);
}
