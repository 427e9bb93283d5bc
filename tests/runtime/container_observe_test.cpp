// Seeing runs in containers: the plain log and status/logs/show, and a
// task's resources read from its container's own cgroup (the figures of
// `podman run` itself would say nothing of the task).
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/project.h"

using flowc::test::Project;
using nlohmann::json;

TEST_CASE("in a container: a line per task event, status, logs, show, and the container's cgroup figures", "[container][observe]") {
  Project p;
  // A static probe: the busybox image has no C library.
  p.write("p.flow", R"(
op probe(exe: file, mib: int) -> (out: file) {
    image "localhost/flow-busybox"
    resources { mem = 512MiB }
    run "${exe} ${mib} 0.6 2000000 ${out}"
}
workflow main(exe: file) -> (out: file) {
    p = probe(exe = exe, mib = 200)
    return (out = p.out)
}
)");
  auto r = p.flowc({"run", "p.flow", "-p", std::string("exe=") + USAGE_PROBE_STATIC});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::regex_search(r.err, std::regex(R"(started  main\.p \(probe\))")));
  CHECK(std::regex_search(r.err, std::regex(R"(finished main\.p \(probe\) in )")));
  json t = json::parse(p.flowc({"show", "main.p", "--json"}).out);
  json u = t["usage"];
  INFO(u.dump());
  CHECK(u["source"].get<std::string>().rfind("cgroup", 0) == 0);
  CHECK(u["rss"].get<double>() >= 200.0 * 1024 * 1024);
  // 0.6 s by the probe's own CPU clock; the cgroup counts in 10 ms ticks.
  CHECK(u["user"].get<double>() + u["sys"].get<double>() >= 0.55);
  CHECK(u["user"].get<double>() >= 0.3);
  CHECK(u["written"].get<double>() >= 2000000);
  CHECK(u["requested"]["mem"] == 512 * 1024 * 1024);
  CHECK(p.flowc({"logs", "main.p"}).out.find("allocated 200 MiB") != std::string::npos);
  json s = json::parse(p.flowc({"status", "--json"}).out);
  CHECK(s["ops"]["probe"]["succeeded"] == 1);
  json runs = json::parse(p.flowc({"runs", "--json"}).out);
  CHECK(runs[0]["counts"]["succeeded"] == 1);
}
