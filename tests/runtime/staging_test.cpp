// Node-local staging (a profile's `scratch`) with the real single-node
// Slurm: a task reads copies of its inputs in scratch, its outputs are moved
// back into its work dir when it succeeded (and only then), scratch is left
// clean; with the slurm executor (in the job script) and the pilot (around
// the command the agent runs).
#include <chrono>
#include <regex>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/runtime/hpc_project.h"

using flowc::test::HpcProject;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string write_profile(HpcProject& p, const std::string& executor) {
  json settings = {{"poll_interval", 0.5}, {"scratch", p.path("scratch")}};
  json profile = {{"executor", executor}, {"executors", {{executor, settings}}}};
  return p.write("prof.json", profile.dump(2));
}

// The work dir of the project's one task.
fs::path only_work_dir(const HpcProject& p) {
  std::vector<fs::path> found;
  for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
    if (e.path().filename() == ".command.sh") found.push_back(e.path().parent_path());
  }
  REQUIRE(found.size() == 1);
  return found[0];
}

bool empty_folder(const fs::path& dir) { return fs::is_directory(dir) && fs::is_empty(dir); }

// The command prints where its input really is: the copy in scratch.
const char* kRead = R"(
op shout(data: file) -> (out: file, seen: file) {
    run "readlink -f ${data} > ${seen}; tr a-z A-Z < ${data} > ${out}"
}
workflow main(data: file = "in.txt") -> (out: file, seen: file) {
    s = shout(data = data)
    return (out = s.out, seen = s.seen)
}
)";

void check_staged_run(const std::string& executor) {
  HpcProject p("staging-" + executor);
  p.write("in.txt", "staged input\n");
  p.write("s.flow", kRead);
  write_profile(p, executor);
  auto r = p.flowc({"run", "s.flow", "--profile", "prof.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // It read the copy in scratch, not the file in the project...
  std::string seen = p.output_file("seen");
  CHECK(seen.rfind(p.path("scratch") + "/flowc-", 0) == 0);
  CHECK(seen.find("in.txt") != std::string::npos);
  // ...its output arrived whole, as a file of the work dir (not a link to scratch)...
  CHECK(p.output_file("out") == "STAGED INPUT\n");
  fs::path work = only_work_dir(p);
  for (const char* name : {"out", "seen"}) {
    CHECK(fs::is_regular_file(fs::symlink_status(work / name)));
  }
  // ...the input's link names the input itself again, and scratch is clean.
  CHECK(fs::read_symlink(work / "inputs" / "data" / "in.txt") == fs::path(p.path("in.txt")));
  CHECK(empty_folder(p.dir / "scratch"));
  // And it is cached like any result.
  auto again = p.flowc({"run", "s.flow", "--profile", "prof.json"});
  CHECK(again.err.find("1 task (0 ran, 1 cached)") != std::string::npos);
}

void check_failed_run(const std::string& executor) {
  HpcProject p("staging-fail-" + executor);
  p.write("in.txt", "x\n");
  p.write("f.flow", R"(
op half(data: file) -> (out: file) {
    run "cat ${data} > ${out}; echo half written >> ${out}; exit 4"
}
workflow main(data: file = "in.txt") -> (out: file) {
    h = half(data = data)
    return (out = h.out)
}
)");
  write_profile(p, executor);
  auto r = p.flowc({"run", "f.flow", "--profile", "prof.json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("op `half` at main.h") != std::string::npos);
  CHECK(r.err.find("exited with code 4") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(r.err, m, std::regex("work dir: (\\S+)")));
  fs::path work = m[1].str();
  CHECK(fs::exists(work / ".stdout"));
  CHECK_FALSE(fs::exists(fs::symlink_status(work / "out")));  // no half-written output, no link
  CHECK(empty_folder(p.dir / "scratch"));
}

}  // namespace

TEST_CASE("slurm with scratch: a task reads copies of its inputs there and its outputs arrive whole",
          "[slurm][staging]") {
  check_staged_run("slurm");
}

TEST_CASE("slurm with scratch: a failing task leaves no half-written output in its work dir", "[slurm][staging]") {
  check_failed_run("slurm");
}

TEST_CASE("pilot with scratch: a task reads copies of its inputs there and its outputs arrive whole",
          "[slurm][pilot][staging]") {
  check_staged_run("slurm-pilot");
}

TEST_CASE("pilot with scratch: a failing task leaves no half-written output in its work dir",
          "[slurm][pilot][staging]") {
  check_failed_run("slurm-pilot");
}

TEST_CASE("a pilot's agent pre-fetches the inputs of queued tasks while an earlier task runs",
          "[slurm][pilot][staging]") {
  HpcProject p("staging-prefetch");
  p.write("in.txt", "data\n");
  // Each task takes the whole node, so the second and third wait for the first.
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  p.write("f.flow", fmt::format(R"(
op slow(n: int, data: file) -> (out: file, started: file) {{
    resources {{ cpus = {} }}
    run "date +%s.%N > ${{started}}; readlink -f ${{data}} > ${{out}}; sleep 1"
}}
workflow main(data: file = "in.txt") -> (outs: list[file]) {{
    for n in [1, 2, 3] {{ s = slow(n = n, data = data) }}
    return (outs = s.out)
}}
)",
                                cpus));
  write_profile(p, "slurm-pilot");
  auto r = p.flowc({"run", "f.flow", "--profile", "prof.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  size_t prefetched = 0, tasks = 0;
  for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
    if (e.path().filename() != ".command.sh") continue;
    fs::path work = e.path().parent_path();
    ++tasks;
    CHECK(flowc::test::read_file((work / "out").string()).rfind(p.path("scratch") + "/flowc-", 0) == 0);
    if (!fs::exists(work / ".flowc-fetched")) continue;
    ++prefetched;
    // Its inputs were in scratch before its command started.
    double fetched = std::stod(flowc::test::read_file((work / ".flowc-fetched").string()));
    double started = std::stod(flowc::test::read_file((work / "started").string()));
    CHECK(fetched < started);
  }
  CHECK(tasks == 3);
  CHECK(prefetched >= 2);  // the two that waited
  CHECK(empty_folder(p.dir / "scratch"));
}

TEST_CASE("slurm with scratch: companions are copied beside their file, and come back with their output",
          "[slurm][staging][companions]") {
  HpcProject p("staging-companion");
  p.write("in.txt", "data\n");
  p.write("in.txt.idx", "idx\n");
  p.write("s.flow", R"(
op look(data: file with [".idx"]) -> (seen: file, made: file with [".idx"] = "out.txt") {
    run """
        real=$(readlink -f ${data})
        cat "$real.idx" > ${seen}
        dirname "$real" >> ${seen}
        cat ${data} > ${made}
        echo made > ${made}.idx
    """
}
workflow main(data: file with [".idx"] = "in.txt") -> (seen: file, made: file with [".idx"]) {
    l = look(data = data)
    return (seen = l.seen, made = l.made)
}
)");
  write_profile(p, "slurm");
  auto r = p.flowc({"run", "s.flow", "--profile", "prof.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The index's copy was beside the file's copy, in scratch.
  std::string seen = p.output_file("seen");
  CHECK(seen.rfind("idx\n" + p.path("scratch") + "/flowc-", 0) == 0);
  // The output's companion was written to scratch and moved back whole.
  fs::path work = only_work_dir(p);
  CHECK(fs::is_regular_file(fs::symlink_status(work / "out.txt.idx")));
  CHECK(p.read("flow-out/made/out.txt.idx") == "made\n");
  CHECK(empty_folder(p.dir / "scratch"));
}
