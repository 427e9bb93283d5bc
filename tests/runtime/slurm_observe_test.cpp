// Seeing runs on Slurm: the plain log names each task's job, status/logs/
// show/runs read what the jobs did, and a job's resources come from the
// measurement its script takes (flowc-measure: no slurmdbd, so no sacct);
// pilot tasks' from the agent. Against the real single-node Slurm.
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/runtime/hpc_project.h"

using flowc::test::HpcProject;
using nlohmann::json;

namespace {

const char* kProbe = R"(
op probe(exe: str, mib: int) -> (out: file) {
    resources { mem = 400MiB, time = 10m }
    run "${exe} ${mib} 0.6 2000000 ${out}"
}
workflow main(exe: str) -> (out: file) {
    p = probe(exe = exe, mib = 200)
    return (out = p.out)
}
)";

void check_probe_usage(const json& u) {
  INFO(u.dump());
  CHECK(u["source"] == "rusage");
  CHECK(u["rss"].get<double>() >= 200.0 * 1024 * 1024);
  CHECK(u["user"].get<double>() + u["sys"].get<double>() >= 0.58);  // 0.6 s by the probe's own CPU clock
  CHECK(u["user"].get<double>() >= 0.3);
  CHECK(u["written"].get<double>() >= 2000000);
  CHECK(u["requested"]["mem"] == 400 * 1024 * 1024);
  CHECK(u["requested"]["time"] == 600);
}

}  // namespace

TEST_CASE("on Slurm: a line per task event with its job, and status, logs, show, runs", "[slurm][observe]") {
  HpcProject p("slurm-observe");
  p.write("p.flow", kProbe);
  p.write("prof.json", R"({"executor": "slurm", "executors": {"slurm": {"poll_interval": 0.5}}})");
  auto r = p.flowc({"run", "p.flow", "--profile", "prof.json", "-p", std::string("exe=") + USAGE_PROBE});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(r.err, m, std::regex(R"(started  main\.p \(probe\) slurm:(\d+))")));
  std::string job = m[1];
  CHECK(std::regex_search(r.err, std::regex(R"(finished main\.p \(probe\) in )")));

  json t = json::parse(p.flowc({"show", "main.p", "--json"}).out);
  CHECK(t["executor"] == "slurm");
  CHECK(t["job"] == job);
  check_probe_usage(t["usage"]);
  CHECK(p.flowc({"logs", "main.p"}).out.find("allocated 200 MiB") != std::string::npos);
  json s = json::parse(p.flowc({"status", "--json"}).out);
  CHECK(s["ops"]["probe"]["succeeded"] == 1);
  json runs = json::parse(p.flowc({"runs", "--json"}).out);
  CHECK(runs[0]["state"] == "succeeded");
  auto trace = p.flowc({"trace"});
  CHECK(trace.out.find("\t" + job + "\tprobe\tmain.p\tCOMPLETED\t0\t") != std::string::npos);
}

TEST_CASE("on a Slurm pilot: the agent measures each task", "[slurm][observe]") {
  HpcProject p("pilot-observe");
  p.write("p.flow", kProbe);
  auto r = p.flowc({"run", "p.flow", "--executor", "slurm-pilot", "--nodes", "1", "--time", "10m", "-p",
                    std::string("exe=") + USAGE_PROBE});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json t = json::parse(p.flowc({"show", "main.p", "--json"}).out);
  CHECK(t["executor"] == "slurm-pilot");
  check_probe_usage(t["usage"]);
}
