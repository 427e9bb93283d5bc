// The pilot on the multi-node cluster (the `cluster` fixture: three 2-core
// nodes): an agent on every node of one allocation, tasks placed by their
// requests, and a node crashing under its tasks.
#include <fstream>
#include <map>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/runtime/cluster_project.h"
#include "tests/runtime/hpc_project.h"

using flowc::test::ClusterProject;
using flowc::test::eventually;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The nodes the run's outputs name (each task writes its hostname).
std::map<std::string, int> nodes_of_outputs(const flowc::test::Project& p) {
  std::map<std::string, int> count;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(p.dir / "flow-out" / "hosts", ec)) {
    std::string text = flowc::test::read_file((e.path() / "host").string());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    ++count[text];
  }
  return count;
}

// Tasks the agent on `node` has claimed now.
size_t claimed_on(const flowc::test::Project& p, const std::string& node) {
  std::error_code ec;
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(p.dir / ".flow" / "pilot" / "running" / node, ec)) {
    n += e.path().extension() == ".task";
  }
  return n;
}

}  // namespace

TEST_CASE("a pilot on three nodes runs an agent on each, and tasks asking for a whole node spread over all",
          "[cluster][pilot]") {
  ClusterProject p("cluster-pilot");
  p.write("w.flow", R"(
op where(i: int) -> (host: file) {
    resources { cpus = 2 }
    run "hostname > ${host}; sleep 1"
}
workflow main() -> (hosts: list[file]) {
    for i in range(6) { w = where(i = i) }
    return (hosts = w.host)
}
)");
  p.write("prof.json", R"({"executors": {"slurm-pilot": {"poll_interval": 0.5}}})");
  auto r = p.flowc({"run", "w.flow", "--executor", "slurm-pilot", "--nodes", "3", "--time", "10m", "--profile",
                    "prof.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string log = p.read(".flow/pilot/agent.log");
  for (const char* node : {"node1", "node2", "node3"}) {
    CHECK(log.find(fmt::format("flowc agent: on {}", node)) != std::string::npos);
  }
  // Each task holds a whole node (2 cpus): six tasks, three nodes, each node
  // ran some; none ran three while another ran none.
  auto count = nodes_of_outputs(p);
  INFO(json(count).dump());
  CHECK(count.size() == 3);
  int total = 0;
  for (const auto& [node, n] : count) total += n;
  CHECK(total == 6);
}

TEST_CASE("a node crashing under a multi-node pilot fails only its tasks, named with the node, rerun on the others",
          "[cluster][pilot]") {
  ClusterProject p("cluster-pilot-crash");
  p.write("w.flow", R"(
op where(i: int) -> (host: file) {
    resources { cpus = 2 }
    retry 1
    run "sleep 4; hostname > ${host}"
}
workflow main() -> (hosts: list[file]) {
    for i in range(6) { w = where(i = i) }
    return (hosts = w.host)
}
)");
  p.write("prof.json", R"({"executors": {"slurm-pilot": {"poll_interval": 0.5, "node_lost_after": 4}}})");
  std::string err;
  {
    flowc::test::BackgroundFlowc run(p, {"run", "w.flow", "--executor", "slurm-pilot", "--nodes", "3", "--time", "10m",
                                         "--profile", "prof.json"});
    REQUIRE(eventually([&] { return claimed_on(p, "node3") > 0; }, 120));
    flowc::test::BrokenNode crashed("node3", "crash");
    INFO(crashed.broken.out << crashed.broken.err);
    REQUIRE(crashed.broken.ok());
    CHECK(run.wait() == 0);
    err = p.read("err.txt");
  }
  INFO(err);
  // The task was retried, the node named as the reason.
  bool retried_for_node3 = false;
  for (const json& e : p.events()) {
    if (e["event"] == "retrying" && e["error"].get<std::string>().find("node node3") != std::string::npos) {
      retried_for_node3 = true;
      CHECK(e["error"].get<std::string>().find("the node it ran on failed") != std::string::npos);
    }
  }
  CHECK(retried_for_node3);
  // Every task succeeded; none on the crashed node after it went (its one
  // interrupted task wrote nothing: the hostname comes after the sleep).
  auto count = nodes_of_outputs(p);
  INFO(json(count).dump());
  int total = 0;
  for (const auto& [node, n] : count) total += n;
  CHECK(total == 6);
  CHECK(count.count("node3") == 0);
  // The agent on the lost node was told it was given up.
  CHECK(fs::exists(p.dir / ".flow" / "pilot" / "lost.node3"));
}
