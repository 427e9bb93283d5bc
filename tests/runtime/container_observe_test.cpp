// Seeing runs in containers: the plain log and status/logs/show, and a
// task's resources read from its container's own cgroup (the figures of
// `podman run` itself would say nothing of the task).
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/project.h"
#include "tests/support/usage_probe.h"

using flowc::test::Project;
using nlohmann::json;

TEST_CASE("in a container: a line per task event, status, logs, show, and the container's cgroup figures",
          "[container][observe]") {
  Project p;
  // A static probe: the busybox image has no C library.
  p.write("p.flow", flowc::test::usage_probe_flow(
                        "file", "    image \"localhost/flow-busybox\"\n    resources { mem = 512MiB }", 2000000));
  auto r = p.flowc({"run", "p.flow", "-p", std::string("exe=") + USAGE_PROBE_STATIC});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::regex_search(r.err, std::regex(R"(started  main\.p \(probe\))")));
  CHECK(std::regex_search(r.err, std::regex(R"(finished main\.p \(probe\) in )")));
  json t = json::parse(p.flowc({"show", "main.p", "--json"}).out);
  json u = t["usage"];
  // 0.6 s by the probe's own CPU clock; the cgroup counts in 10 ms ticks.
  flowc::test::check_probe_usage(u, 0.55, 2000000, 512 * 1024 * 1024);
  CHECK(u["source"].get<std::string>().rfind("cgroup", 0) == 0);
  CHECK(p.flowc({"logs", "main.p"}).out.find("allocated 200 MiB") != std::string::npos);
  json s = json::parse(p.flowc({"status", "--json"}).out);
  CHECK(s["ops"]["probe"]["succeeded"] == 1);
  json runs = json::parse(p.flowc({"runs", "--json"}).out);
  CHECK(runs[0]["counts"]["succeeded"] == 1);
}
